package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partner-admin-center/pac/local/emulators"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/shared/store"
)

// backfill runs the customer directory's backfill (store.BackfillDirectory) on the local table:
// on a DynamoDB Local given by -endpoint (one that `pac-local run` started), else on the data
// directory's files (with `pac-local run` stopped: they are DynamoDB Local's, one process at a
// time). In AWS the same runs as BackfillDirectoryFunction, invoked once.
func backfill(args []string) int {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	data := fs.String("data", "", "data directory of `pac-local run` (default: the repository's .local)")
	table := fs.String("table", localrun.DefaultTableName, "local table name")
	endpoint := fs.String("endpoint", "", "a running DynamoDB Local (default: start one on the data directory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *endpoint == "" {
		root, err := repoRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, "backfill:", err)
			return 1
		}
		if *data == "" {
			*data = filepath.Join(root, ".local")
		}
		nm, err := emulators.FindNodeModules(root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "backfill:", err)
			return 1
		}
		ddb, err := emulators.StartDynamoDB(ctx, emulators.DynamoDBConfig{NodeModules: nm, LogDir: filepath.Join(*data, "logs"), DBPath: filepath.Join(*data, "dynamodb")})
		if err != nil {
			fmt.Fprintln(os.Stderr, "backfill:", err)
			return 1
		}
		defer ddb.Stop()
		*endpoint = ddb.Endpoint
	}
	db := dynamodb.NewFromConfig(localrun.AWSConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(*endpoint) })
	rep, err := store.BackfillDirectory(ctx, store.New(db, *table))
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill:", err)
		return 1
	}
	fmt.Printf("backfill: %d relationships (%d given list and search keys, %d word items added), %d customers (%d given a subscription count)\n",
		rep.Relationships, rep.KeysAdded, rep.WordsAdded, rep.Customers, rep.CountsAdded)
	fmt.Printf("backfill: the clock: %d trials seen, %d countdowns started, %d targeted offers given their 90-day expiry\n",
		rep.Trials, rep.ClockEntriesAdded, rep.OffersCapped)
	return 0
}
