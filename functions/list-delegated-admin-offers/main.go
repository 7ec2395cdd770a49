// Command list-delegated-admin-offers is the Lambda function of GET /delegated-admin-offers.
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
	lambda.Start(apigw.Lambda("list-delegated-admin-offers", api.ListLinks(admin.LinkDelegatedAdmin)(deps.Auth(), deps.Links)))
}
