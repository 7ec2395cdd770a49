// Command deliver-webhooks is the scheduled Lambda function that sends the webhook deliveries
// that are due: first attempts the notifier could not make and retries with backoff, in order per
// subscription (docs/architecture.md, "Webhooks").
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/webhook"
)

func main() {
	deps := app.MustDeps(context.Background(), app.Webhooks)
	w := &webhook.Worker{Service: deps.Webhooks, Function: "deliver-webhooks", Metrics: os.Stdout}
	lambda.Start(w.HandleSchedule)
}
