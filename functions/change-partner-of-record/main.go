// Command change-partner-of-record is the Lambda function of PUT /tenant/subscriptions/{subscriptionId}/partner-of-record.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.Notifications)
	lambda.Start(apigw.Lambda("change-partner-of-record", api.ChangePartnerOfRecord(deps.Auth(), deps.PartnerOfRecord)))
}
