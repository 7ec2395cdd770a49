// Command list-webhook-deliveries is the Lambda function of GET /webhooks/{webhookId}/deliveries.
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
	lambda.Start(apigw.Lambda("list-webhook-deliveries", api.ListWebhookDeliveries(deps.Auth(), deps.Webhooks)))
}
