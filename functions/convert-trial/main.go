// Command convert-trial is the Lambda function of POST /tenant/subscriptions/{subscriptionId}/convert.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.Trials)
	lambda.Start(apigw.Lambda("convert-trial", api.ConvertTrial(deps.Auth(), deps.Trials)))
}
