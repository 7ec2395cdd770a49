package api

import "github.com/partner-admin-center/pac/shared/admin"

// Route ties a route of template.yaml to its function directory and its handler.
type Route struct {
	Method   string
	Path     string
	Function string // directory under functions/
	Action   Action
}

// Key returns the API Gateway route key, "METHOD /path".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes returns every route of the JSON API (the link pages' routes are linkpage.Routes: kept
// apart so that API functions do not link html/template). Tests check both against template.yaml.
// It is a function, not a variable: a package-level table would make every handler reachable
// from every function's binary (the linker keeps what package initialization references).
func Routes() []Route {
	routes := []Route{
		{"POST", "/auth/sign-in", "sign-in", SignIn},
		{"GET", "/me", "get-me", GetMe},
		{"POST", "/me/password", "change-password", ChangePassword},
		{"GET", "/overview", "get-overview", GetOverview},
		{"GET", "/company", "get-company", GetCompany},
		{"PUT", "/company", "update-company", UpdateCompany},
		{"GET", "/users", "list-users", ListUsers},
		{"POST", "/users", "create-user", CreateUser},
		{"GET", "/users/{userId}", "get-user", GetUser},
		{"PATCH", "/users/{userId}", "update-user", UpdateUser},
		{"DELETE", "/users/{userId}", "delete-user", DeleteUser},
		{"GET", "/activity", "list-activity", ListActivity},
		{"POST", "/operator/partners", "onboard-partner", OnboardPartner},
		{"GET", "/operator/partners/{partnerId}", "get-partner", GetPartner},
		{"PUT", "/operator/partners/{partnerId}/authorizations", "update-partner-authorizations", UpdatePartnerAuthorizations},
		{"GET", "/catalog", "get-catalog", GetCatalog},
		{"GET", "/tenant", "get-tenant", GetTenant},
		{"GET", "/tenant/subscriptions", "list-tenant-subscriptions", ListTenantSubscriptions},
		{"GET", "/tenant/partners", "list-tenant-partners", ListTenantPartners},
		{"DELETE", "/tenant/partners/{partnerId}/delegated-admin", "end-delegated-admin", EndDelegatedAdmin},
	}
	routes = append(routes, linkRoutes("/trial-invitations", "trial-invitation", admin.LinkTrial)...)
	routes = append(routes, linkRoutes("/purchase-offers", "purchase-offer", admin.LinkOffer)...)
	return append(routes, linkRoutes("/delegated-admin-offers", "delegated-admin-offer", admin.LinkDelegatedAdmin)...)
}

// linkRoutes are the five routes of each link kind, under its collection path.
func linkRoutes(collection, singular string, kind admin.LinkKind) []Route {
	return []Route{
		{"POST", collection, "create-" + singular, CreateLink(kind)},
		{"GET", collection, "list-" + singular + "s", ListLinks(kind)},
		{"GET", collection + "/{id}", "get-" + singular, GetLink(kind)},
		{"DELETE", collection + "/{id}", "revoke-" + singular, RevokeLink(kind)},
		{"POST", collection + "/{id}/emails", "email-" + singular, EmailLink(kind)},
	}
}
