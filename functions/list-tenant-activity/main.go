// Command list-tenant-activity is the Lambda function of GET /tenant/activity.
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
	lambda.Start(apigw.Lambda("list-tenant-activity", api.ListTenantActivity(deps.Auth(), deps.CustomerUsers)))
}
