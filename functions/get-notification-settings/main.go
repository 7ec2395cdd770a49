// Command get-notification-settings is the Lambda function of GET /me/notification-settings.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
)

func main() {
	deps := app.MustDeps(context.Background(), app.Notifications)
	lambda.Start(apigw.Lambda("get-notification-settings", api.GetNotificationSettings(deps.Auth(), deps.Notifications)))
}
