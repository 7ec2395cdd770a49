// Command list-sessions is the Lambda function of GET /me/sessions.
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
	lambda.Start(apigw.Lambda("list-sessions", api.ListSessions(deps.Auth(), deps.Sessions)))
}
