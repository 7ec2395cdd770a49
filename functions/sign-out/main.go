// Command sign-out is the Lambda function of POST /auth/sign-out.
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
	lambda.Start(apigw.Lambda("sign-out", api.SignOut(deps.Auth(), deps.Sessions, deps.Site)))
}
