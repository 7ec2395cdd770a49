// Command update-partner-authorizations is the Lambda function of PUT /operator/partners/{partnerId}/authorizations.
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
	lambda.Start(apigw.Lambda("update-partner-authorizations", api.UpdatePartnerAuthorizations(deps.Partners)))
}
