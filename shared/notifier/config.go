package notifier

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/awsenv"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/webhook"
)

// FromEnv builds a Notifier from the function's environment (docs/architecture.md, "Function
// environment"): TABLE_NAME, the region and credentials Lambda provides, and locally
// AWS_ENDPOINT_URL_DYNAMODB. With LINK_KEY (the key the webhooks' signing secrets are sealed
// under) the Publisher is the partner's webhooks (admin.WebhookService), sending with the
// SSRF-guarded client (WEBHOOK_ALLOW_LOOPBACK: the local runtime's allowance); without it, none.
func FromEnv(function string) (*Notifier, error) {
	cfg, err := awsenv.Config("TABLE_NAME")
	if err != nil {
		return nil, fmt.Errorf("notifier: %w", err)
	}
	st := store.New(awsenv.DynamoDB(cfg), os.Getenv("TABLE_NAME"))
	n := &Notifier{Store: store.InboxOf(st), Now: time.Now, NewID: newID, Function: function,
		Log: slog.New(slog.NewJSONHandler(os.Stdout, nil)), Metrics: os.Stdout}
	if key := os.Getenv("LINK_KEY"); key != "" {
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
