// Command delegated-admin-clock is the scheduled Lambda function that reminds both sides of
// delegated administrations' ends, extends those that asked to (never a full one) and expires the
// rest (docs/architecture.md, "The clock").
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/clock"
)

func main() {
	r := clock.MustFromEnv(context.Background(), "delegated-admin-clock", admin.ClockDelegatedAdmin)
	lambda.Start(r.HandleSchedule)
}
