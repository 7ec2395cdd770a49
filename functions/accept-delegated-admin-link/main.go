// Command accept-delegated-admin-link is the Lambda function of POST /delegated-admin/{code}.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/linkpage"
)

func main() {
	deps := app.MustDeps(context.Background())
	lambda.Start(apigw.Lambda("accept-delegated-admin-link", linkpage.Accept(deps.Accepts, deps.Links.BaseURL)))
}
