// Command mailer is the Lambda function that consumes the table stream and sends the email
// outbox with SES (docs/architecture.md, "Email outbox").
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/mailer"
)

func main() {
	m := mailer.MustFromEnv(context.Background(), "mailer", true)
	lambda.Start(m.HandleStream)
}
