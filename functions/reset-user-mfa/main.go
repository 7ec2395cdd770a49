// Command reset-user-mfa is the Lambda function of DELETE /users/{userId}/mfa.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.TwoFactor)
	lambda.Start(apigw.Lambda("reset-user-mfa", api.ResetUserMFA(deps.Auth(), deps.TwoFactor)))
}
