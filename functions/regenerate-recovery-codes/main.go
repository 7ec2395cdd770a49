// Command regenerate-recovery-codes is the Lambda function of POST /me/mfa/recovery-codes.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/totp"
)

func main() {
	deps := app.MustDeps(context.Background(), app.TwoFactor)
	totp.Wire(deps.TwoFactor)
	lambda.Start(apigw.Lambda("regenerate-recovery-codes", api.RegenerateRecoveryCodes(deps.Auth(), deps.TwoFactor)))
}
