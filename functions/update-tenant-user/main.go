// Command update-tenant-user is the Lambda function of PATCH /tenant/users/{userId}.
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
	lambda.Start(apigw.Lambda("update-tenant-user", api.UpdateTenantUser(deps.Auth(), deps.CustomerUsers)))
}
