// Command reset-user-password is the Lambda function of POST /users/{userId}/password-reset.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background())
	lambda.Start(apigw.Lambda("reset-user-password", api.ResetUserPassword(deps.Auth(), deps.Company)))
}
