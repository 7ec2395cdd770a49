// Command list-customer-subscriptions is the Lambda function of GET /customers/{customerId}/subscriptions.
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
	lambda.Start(apigw.Lambda("list-customer-subscriptions", api.ListCustomerSubscriptions(deps.Auth(), deps.Subscriptions)))
}
