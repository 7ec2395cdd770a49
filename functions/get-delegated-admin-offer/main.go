// Command get-delegated-admin-offer is the Lambda function of GET /delegated-admin-offers/{id}.
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
	lambda.Start(apigw.Lambda("get-delegated-admin-offer", api.GetLink(admin.LinkDelegatedAdmin)(deps.Auth(), deps.Links)))
}
