package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partner-admin-center/pac/shared/awsenv"
	"github.com/partner-admin-center/pac/shared/email"
	"github.com/partner-admin-center/pac/shared/store"
)

// FromEnv builds a Mailer from the function's environment (docs/architecture.md, "Function
// environment"): TABLE_NAME, SENDER_ADDRESS (required only when withSES), LINK_KEY (optional: the
// key the sealing key of secret facts is derived from), the region and
// credentials Lambda provides, and the local emulator endpoints AWS_ENDPOINT_URL_DYNAMODB and
// AWS_ENDPOINT_URL_SESV2, each applied to its own client only. The sweeper passes withSES false:
// it never sends, so it builds no SES client.
func FromEnv(function string, withSES bool) (*Mailer, error) {
	table, from := os.Getenv("TABLE_NAME"), os.Getenv("SENDER_ADDRESS")
	required := []string{"TABLE_NAME"}
	if withSES {
		required = append(required, "SENDER_ADDRESS")
	}
	cfg, err := awsenv.Config(required...)
	if err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	db := awsenv.DynamoDB(cfg)
	m := &Mailer{Store: store.New(db, table), From: from, Now: time.Now, Function: function,
		Log: slog.New(slog.NewJSONHandler(os.Stdout, nil)), Metrics: os.Stdout}
	if withSES {
		if err := email.Load(); err != nil {
			return nil, err
		}
		if k := os.Getenv("LINK_KEY"); k != "" { // the sealing key of secret facts is derived from it
			if m.Sealer, err = store.NewSealer(k); err != nil {
				return nil, fmt.Errorf("mailer: LINK_KEY: %w", err)
			}
		}
		sesEndpoint := os.Getenv("AWS_ENDPOINT_URL_SESV2")
		m.Sender = &email.Sender{SES: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
			if sesEndpoint != "" {
				o.BaseEndpoint = aws.String(sesEndpoint)
			}
			// One SDK retry; the outbox's own backoff handles longer throttling.
			o.RetryMaxAttempts = 2
		})}
	}
	return m, nil
}

// MustFromEnv is FromEnv for a Lambda's init: a configuration error exits, and Lambda reports
// the init failure.
func MustFromEnv(_ context.Context, function string, withSES bool) *Mailer {
	m, err := FromEnv(function, withSES)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return m
}
