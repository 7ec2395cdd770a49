// Command notifier is the Lambda function that consumes the table stream's subscription changes
// and tells their Partners of Record: inbox, emails (docs/architecture.md, "Notifications").
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partner-admin-center/pac/shared/notifier"
)

func main() {
	n, err := notifier.FromEnv("notifier")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(n.HandleStream)
}
