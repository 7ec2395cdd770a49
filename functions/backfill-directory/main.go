// Command backfill-directory is the maintenance Lambda function that puts customers stored before
// the customer directory existed into every partner's list and search (store.BackfillDirectory).
// It has no trigger: invoke it once after deploying, e.g.
//
//	aws lambda invoke --function-name <stack>-BackfillDirectoryFunction-… out.json
//
// It is idempotent: invoking it again (say, after a timeout on a very large table) adds only what
// is still missing.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/awsenv"
	"github.com/partner-admin-center/pac/shared/store"
)

func main() {
	cfg, err := awsenv.Config("TABLE_NAME")
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill-directory:", err)
		os.Exit(1)
	}
	st := store.New(awsenv.DynamoDB(cfg), os.Getenv("TABLE_NAME"))
	lambda.Start(func(ctx context.Context) (store.BackfillReport, error) { return store.BackfillDirectory(ctx, st) })
}
