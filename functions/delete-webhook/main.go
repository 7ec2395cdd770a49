// Command delete-webhook is the Lambda function of DELETE /webhooks/{webhookId}.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.Webhooks)
	lambda.Start(apigw.Lambda("delete-webhook", api.DeleteWebhook(deps.Auth(), deps.Webhooks)))
}
