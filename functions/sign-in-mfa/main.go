// Command sign-in-mfa is the Lambda function of POST /auth/sign-in/mfa.
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
	deps := app.MustDeps(context.Background(), app.Sessions, app.TwoFactor)
	totp.Wire(deps.TwoFactor)
	lambda.Start(apigw.Lambda("sign-in-mfa", api.SignInMFA(deps.Verifier, deps.TwoFactor, deps.Sessions, deps.Issuer, deps.Site)))
}
