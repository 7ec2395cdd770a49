package notifier

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/oklog/ulid/v2"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/telemetry"
	"github.com/partner-admin-center/pac/shared/webhook"
)

// FromEnv builds a Notifier from the function's environment (docs/architecture.md, "Function
// environment"): TABLE_NAME, the region and credentials Lambda provides, and locally
// AWS_ENDPOINT_URL_DYNAMODB. With LINK_KEY (the key the webhooks' signing secrets are sealed
// under) the Publisher is the partner's webhooks (admin.WebhookService), sending with the
// SSRF-guarded client (WEBHOOK_ALLOW_LOOPBACK: the local runtime's allowance); without it, none.
func FromEnv(function string) (*Notifier, error) {
	table := os.Getenv("TABLE_NAME")
	id, secret, region := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_REGION")
	var missing []string
	for _, v := range [][2]string{{"TABLE_NAME", table}, {"AWS_REGION", region}, {"AWS_ACCESS_KEY_ID", id}, {"AWS_SECRET_ACCESS_KEY", secret}} {
		if v[1] == "" {
			missing = append(missing, v[0])
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("notifier: missing environment: %s", strings.Join(missing, ", "))
	}
	cfg := aws.Config{Region: region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")))}
	endpoint := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			// DynamoDB Local sends CRC32 headers that do not match some error bodies; AWS does not.
			o.DisableValidateResponseChecksum = true
		}
		o.APIOptions = append(o.APIOptions, telemetry.CallTimer)
	})
	st := store.New(db, table)
	n := &Notifier{Store: store.InboxOf(st), Now: time.Now, NewID: newID, Function: function,
		Log: slog.New(slog.NewJSONHandler(os.Stdout, nil)), Metrics: os.Stdout}
	if key := os.Getenv("LINK_KEY"); key != "" {
		var err error
		if st.Sealer, err = store.NewSealer(key); err != nil {
			return nil, fmt.Errorf("notifier: LINK_KEY: %w", err)
		}
		n.Publisher = &admin.WebhookService{Env: admin.Env{Now: n.Now, NewID: newID}, Store: store.NewWebhooks(st),
			Sender: &webhook.Client{AllowLoopback: os.Getenv("WEBHOOK_ALLOW_LOOPBACK") == "true"}}
	}
	return n, nil
}

// newID returns a prefixed, lower-case, time-ordered id (the ids of app.NewID).
func newID(prefix string) string { return prefix + "_" + strings.ToLower(ulid.Make().String()) }
