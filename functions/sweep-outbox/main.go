// Command sweep-outbox is the scheduled Lambda function that re-drives outbox emails that are
// due again (backed off) or stuck with an expired lease (docs/architecture.md, "Email outbox").
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/mailer"
)

func main() {
	m := mailer.MustFromEnv(context.Background(), "sweep-outbox", false)
	lambda.Start(m.HandleSchedule)
}
