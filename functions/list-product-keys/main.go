// Command list-product-keys is the Lambda function of GET /product-keys.
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
	lambda.Start(apigw.Lambda("list-product-keys", api.ListProductKeys(deps.Auth(), deps.ProductKeys)))
}
