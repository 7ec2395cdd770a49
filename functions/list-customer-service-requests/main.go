// Command list-customer-service-requests is the Lambda function of GET /customers/{customerId}/service-requests.
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
	lambda.Start(apigw.Lambda("list-customer-service-requests", api.ListCustomerServiceRequests(deps.Auth(), deps.ServiceRequests)))
}
