// Command end-delegated-admin is the Lambda function of DELETE /tenant/partners/{partnerId}/delegated-admin.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background())
	lambda.Start(apigw.Lambda("end-delegated-admin", api.EndDelegatedAdmin(deps.Auth(), deps.Tenants)))
}
