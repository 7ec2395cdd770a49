// Command issue-product-keys is the Lambda function of POST /operator/partners/{partnerId}/product-keys.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.ProductKeys)
	lambda.Start(apigw.Lambda("issue-product-keys", api.IssueProductKeys(deps.ProductKeys)))
}
