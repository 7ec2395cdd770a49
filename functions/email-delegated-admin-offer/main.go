// Command email-delegated-admin-offer is the Lambda function of POST /delegated-admin-offers/{id}/emails.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background())
	lambda.Start(apigw.Lambda("email-delegated-admin-offer", api.EmailLink(admin.LinkDelegatedAdmin)(deps.Auth(), deps.Links)))
}
