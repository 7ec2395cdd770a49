// Command create-tenant-user is the Lambda function of POST /tenant/users.
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
	lambda.Start(apigw.Lambda("create-tenant-user", api.CreateTenantUser(deps.Auth(), deps.CustomerUsers)))
}
