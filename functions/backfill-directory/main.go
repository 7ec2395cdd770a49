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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/store"
)

func main() {
	cfg, err := app.AWSConfig(context.Background())
	table := os.Getenv("TABLE_NAME")
	if err != nil || table == "" {
		fmt.Fprintln(os.Stderr, "backfill-directory: needs TABLE_NAME and the AWS environment:", err)
		os.Exit(1)
	}
	st := store.New(dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.DisableValidateResponseChecksum = os.Getenv("AWS_ENDPOINT_URL_DYNAMODB") != "" // DynamoDB Local, as in app.MustDeps
	}), table)
	lambda.Start(func(ctx context.Context) (store.BackfillReport, error) { return store.BackfillDirectory(ctx, st) })
}
