// Command read-notification is the Lambda function of POST /notifications/{notificationId}/read.
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
	lambda.Start(apigw.Lambda("read-notification", api.ReadNotification(deps.Auth(), deps.Notifications)))
}
