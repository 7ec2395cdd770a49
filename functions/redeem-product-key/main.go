// Command redeem-product-key is the Lambda function of POST /product-keys/redemptions.
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
	lambda.Start(apigw.Lambda("redeem-product-key", api.RedeemProductKey(deps.Auth(), deps.ProductKeys)))
}
