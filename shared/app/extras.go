package app

import (
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/webhook"
)

// Extra wires a service that only some functions use. Build wires the common ones; an extra is
// passed by the functions that need it (MustDeps(ctx, app.Webhooks)), over a store type of its
// own: a service holds the store as an interface value, whose table keeps every one of its store
// methods (and what they call) in the binary of every function that builds the service, and a
// binary that links html/template (the link pages) keeps every exported method of every type
// converted to an interface, so methods of store.Store would grow those binaries even though they
// never call them.
type Extra func(d *api.Deps, st *store.Store, env admin.Env, cfg Config) error

// Webhooks wires d.Webhooks: the webhook service over the store, sending with the SSRF-guarded
// client (cfg.WebhookAllowLoopback: the local runtime's allowance).
func Webhooks(d *api.Deps, st *store.Store, env admin.Env, cfg Config) error {
	d.Webhooks = &admin.WebhookService{Env: env, Store: store.NewWebhooks(st), Sender: &webhook.Client{AllowLoopback: cfg.WebhookAllowLoopback}}
	return nil
}

// Notifications wires the partner's inbox and its users' email settings, and the customer admin's
// change of a Partner of Record.
func Notifications(d *api.Deps, st *store.Store, env admin.Env, _ Config) error {
	in := store.InboxOf(st)
	d.Notifications = &admin.NotificationService{Env: env, Store: in}
	d.PartnerOfRecord = &admin.PartnerOfRecordService{Env: env, Store: in}
	return nil
}

// Sessions wires the sessions' context: the functions that begin, continue, list or end
// sessions (sign-in, its second step, the refresh, sign-out, a password change).
func Sessions(d *api.Deps, st *store.Store, env admin.Env, _ Config) error {
	d.Sessions = &admin.SessionService{Env: env, Store: store.SessionsOf(st), Secrets: auth.Secrets{}}
	return nil
}

// TwoFactor wires two-factor sign-in; the functions that check codes also call totp.Wire (which
// links the QR and PNG encoders only into them).
func TwoFactor(d *api.Deps, st *store.Store, env admin.Env, _ Config) error {
	d.TwoFactor = &admin.TwoFactorService{Env: env, Store: store.FactorsOf(st), Attempts: st, Secrets: auth.Secrets{}}
	return nil
}

// Trials wires a customer admin's conversion of a trial.
func Trials(d *api.Deps, st *store.Store, env admin.Env, _ Config) error {
	d.Trials = &admin.TrialService{Env: env, Store: store.TrialsOf(st)}
	return nil
}
