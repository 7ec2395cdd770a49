// Command get-trial-invitation is the Lambda function of GET /trial-invitations/{id}.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background())
	lambda.Start(apigw.Lambda("get-trial-invitation", api.GetLink(admin.LinkTrial)(deps.Auth(), deps.Links)))
}
