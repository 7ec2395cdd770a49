// Command reset-customer-user-password is the Lambda function of POST /customers/{customerId}/users/{userId}/password-reset.
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
	lambda.Start(apigw.Lambda("reset-customer-user-password", api.ResetCustomerUserPassword(deps.Auth(), deps.CustomerUsers)))
}
