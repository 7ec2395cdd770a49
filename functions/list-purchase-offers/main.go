// Command list-purchase-offers is the Lambda function of GET /purchase-offers.
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
	lambda.Start(apigw.Lambda("list-purchase-offers", api.ListLinks(admin.LinkOffer)(deps.Auth(), deps.Links)))
}
