// Command email-purchase-offer is the Lambda function of POST /purchase-offers/{id}/emails.
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
	lambda.Start(apigw.Lambda("email-purchase-offer", api.EmailLink(admin.LinkOffer)(deps.Auth(), deps.Links)))
}
