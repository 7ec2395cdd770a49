// Command update-notification-settings is the Lambda function of PUT /me/notification-settings.
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
	lambda.Start(apigw.Lambda("update-notification-settings", api.UpdateNotificationSettings(deps.Auth(), deps.Notifications)))
}
