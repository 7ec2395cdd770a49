// Command change-password is the Lambda function of POST /me/password.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.Sessions)
	lambda.Start(apigw.Lambda("change-password", api.ChangePassword(deps.Auth(), deps.Sessions, deps.Issuer, deps.Site)))
}
