// Command add-service-request-note is the Lambda function of POST /customers/{customerId}/service-requests/{requestId}/notes.
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
	lambda.Start(apigw.Lambda("add-service-request-note", api.AddServiceRequestNote(deps.Auth(), deps.ServiceRequests)))
}
