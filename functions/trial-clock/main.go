// Command trial-clock is the scheduled Lambda function that reminds of trials' ends and expires
// the trials nobody converted (docs/architecture.md, "The clock").
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/clock"
)

func main() {
	r := clock.MustFromEnv(context.Background(), "trial-clock", admin.ClockTrial)
	lambda.Start(r.HandleSchedule)
}
