package app

import (
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/webhook"
)

// Extra wires a service that only some functions use. Build wires the common ones; an extra is
// passed by the functions that need it (MustDeps(ctx, app.Webhooks)), because a service holds the
// store as an interface value, and the interface's table keeps every one of its store methods
// (and what they call) in the binary of every function that builds the service.
type Extra func(d *api.Deps, st *store.Store, env admin.Env, cfg Config) error

// Webhooks wires d.Webhooks: the webhook service over the store, sending with the SSRF-guarded
// client (cfg.WebhookAllowLoopback: the local runtime's allowance).
func Webhooks(d *api.Deps, st *store.Store, env admin.Env, cfg Config) error {
	d.Webhooks = &admin.WebhookService{Env: env, Store: store.NewWebhooks(st), Sender: &webhook.Client{AllowLoopback: cfg.WebhookAllowLoopback}}
	return nil
}
