package app

import (
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/store"
)

// Option adds the services of an optional context to the deps. Such a context is built only by
// the functions of its routes (MustDeps(ctx, app.Notifications)), over a store type of its own: a
// binary that links html/template (the link pages) keeps every exported method of every type
// converted to an interface, so methods of store.Store would grow those binaries even though
// they never call them.
type Option func(d *api.Deps, st *store.Store, env admin.Env)

// Notifications adds the partner's inbox and its users' email settings, and the customer
// admin's change of a Partner of Record.
func Notifications(d *api.Deps, st *store.Store, env admin.Env) {
	in := store.InboxOf(st)
	d.Notifications = &admin.NotificationService{Env: env, Store: in}
	d.PartnerOfRecord = &admin.PartnerOfRecordService{Env: env, Store: in}
}
