// Command delete-session is the Lambda function of DELETE /me/sessions/{sessionId}.
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
	lambda.Start(apigw.Lambda("delete-session", api.DeleteSession(deps.Auth(), deps.Sessions)))
}
