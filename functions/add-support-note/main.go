// Command add-support-note is the Lambda function of POST /operator/service-requests/{requestId}/notes.
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
	lambda.Start(apigw.Lambda("add-support-note", api.AddSupportNote(deps.ServiceRequests)))
}
