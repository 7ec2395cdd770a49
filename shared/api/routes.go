package api

import (
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

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
		{"POST", "/auth/sign-in", "sign-in", func(d *Deps) apigw.Handler { return SignIn(d.Identity, d.Sessions, d.Issuer, d.Site) }},
		{"POST", "/auth/sign-in/mfa", "sign-in-mfa", func(d *Deps) apigw.Handler { return SignInMFA(d.Verifier, d.TwoFactor, d.Sessions, d.Issuer, d.Site) }},
		{"POST", "/auth/refresh", "refresh-session", func(d *Deps) apigw.Handler { return Refresh(d.Sessions, d.Issuer, d.Site) }},
		{"POST", "/auth/sign-out", "sign-out", func(d *Deps) apigw.Handler { return SignOut(d.Auth(), d.Sessions, d.Site) }},
		{"GET", "/me", "get-me", authOnly(GetMe)},
		{"POST", "/me/password", "change-password", func(d *Deps) apigw.Handler { return ChangePassword(d.Auth(), d.Sessions, d.Issuer, d.Site) }},
		{"GET", "/me/sessions", "list-sessions", sessions(ListSessions)},
		{"DELETE", "/me/sessions/{sessionId}", "delete-session", sessions(DeleteSession)},
		{"POST", "/me/mfa/totp", "start-totp", twoFactor(StartTOTP)},
		{"POST", "/me/mfa/totp/confirm", "confirm-totp", twoFactor(ConfirmTOTP)},
		{"DELETE", "/me/mfa/totp", "remove-totp", twoFactor(RemoveTOTP)},
		{"POST", "/me/mfa/recovery-codes", "regenerate-recovery-codes", twoFactor(RegenerateRecoveryCodes)},
		{"DELETE", "/users/{userId}/mfa", "reset-user-mfa", twoFactor(ResetUserMFA)},
		{"POST", "/users/{userId}/password-reset", "reset-user-password", company(ResetUserPassword)},
		{"GET", "/overview", "get-overview", company(GetOverview)},
		{"GET", "/company", "get-company", company(GetCompany)},
		{"PUT", "/company", "update-company", company(UpdateCompany)},
		{"GET", "/users", "list-users", company(ListUsers)},
		{"POST", "/users", "create-user", company(CreateUser)},
		{"GET", "/users/{userId}", "get-user", company(GetUser)},
		{"PATCH", "/users/{userId}", "update-user", company(UpdateUser)},
		{"DELETE", "/users/{userId}", "delete-user", company(DeleteUser)},
		{"GET", "/activity", "list-activity", company(ListActivity)},
		{"POST", "/operator/partners", "onboard-partner", partners(OnboardPartner)},
		{"GET", "/operator/partners/{partnerId}", "get-partner", partners(GetPartner)},
		{"PUT", "/operator/partners/{partnerId}/authorizations", "update-partner-authorizations", partners(UpdatePartnerAuthorizations)},
		{"GET", "/catalog", "get-catalog", authOnly(GetCatalog)},
		{"GET", "/tenant", "get-tenant", authOnly(GetTenant)},
		{"GET", "/tenant/subscriptions", "list-tenant-subscriptions", tenants(ListTenantSubscriptions)},
		{"GET", "/tenant/partners", "list-tenant-partners", tenants(ListTenantPartners)},
		{"DELETE", "/tenant/partners/{partnerId}/delegated-admin", "end-delegated-admin", tenants(EndDelegatedAdmin)},
		{"GET", "/customers/{customerId}", "get-customer", customers(GetCustomer)},
		{"GET", "/customers/{customerId}/service-requests", "list-customer-service-requests", serviceRequests(ListCustomerServiceRequests)},
		{"POST", "/customers/{customerId}/service-requests", "create-service-request", serviceRequests(CreateServiceRequest)},
		{"GET", "/customers/{customerId}/service-requests/{requestId}", "get-service-request", serviceRequests(GetServiceRequest)},
		{"PATCH", "/customers/{customerId}/service-requests/{requestId}", "update-service-request", serviceRequests(UpdateServiceRequest)},
		{"POST", "/customers/{customerId}/service-requests/{requestId}/notes", "add-service-request-note", serviceRequests(AddServiceRequestNote)},
		{"GET", "/service-requests", "list-service-requests", serviceRequests(ListServiceRequests)},
		{"GET", "/operator/service-requests", "list-support-requests", supportDesk(ListSupportRequests)},
		{"GET", "/operator/service-requests/{requestId}", "get-support-request", supportDesk(GetSupportRequest)},
		{"POST", "/operator/service-requests/{requestId}/notes", "add-support-note", supportDesk(AddSupportNote)},
		{"PATCH", "/operator/service-requests/{requestId}", "update-support-request", supportDesk(UpdateSupportRequest)},
		{"GET", "/customers/{customerId}/subscriptions", "list-customer-subscriptions", subscriptions(ListCustomerSubscriptions)},
		{"PATCH", "/customers/{customerId}/subscriptions/{subscriptionId}", "update-customer-subscription", subscriptions(UpdateCustomerSubscription)},
		{"GET", "/customers", "list-customers", customers(ListCustomers)},
		{"PATCH", "/tenant", "update-tenant", tenants(UpdateTenant)},
	}
	routes = append(routes, customerUserRoutes()...)
	routes = append(routes, notificationRoutes()...)
	routes = append(routes, webhookRoutes()...)
	routes = append(routes, Route{"POST", "/tenant/subscriptions/{subscriptionId}/convert", "convert-trial", trials(ConvertTrial)})
	routes = append(routes, linkRoutes("/trial-invitations", "trial-invitation", admin.LinkTrial)...)
	routes = append(routes, linkRoutes("/purchase-offers", "purchase-offer", admin.LinkOffer)...)
	routes = append(routes, productKeyRoutes()...)
	return append(routes, linkRoutes("/delegated-admin-offers", "delegated-admin-offer", admin.LinkDelegatedAdmin)...)
}

// linkRoutes are the five routes of each link kind, under its collection path.
func linkRoutes(collection, singular string, kind admin.LinkKind) []Route {
	return []Route{
		{"POST", collection, "create-" + singular, links(CreateLink(kind))},
		{"GET", collection, "list-" + singular + "s", links(ListLinks(kind))},
		{"GET", collection + "/{id}", "get-" + singular, links(GetLink(kind))},
		{"DELETE", collection + "/{id}", "revoke-" + singular, links(RevokeLink(kind))},
		{"POST", collection + "/{id}/emails", "email-" + singular, links(EmailLink(kind))},
	}
}

// customerUserRoutes are the routes of customer users: the partner's inside a customer and the
// customer admins' self-service.
func customerUserRoutes() []Route {
	return []Route{
		{"GET", "/customers/{customerId}/users", "list-customer-users", customerUsers(ListCustomerUsers)},
		{"POST", "/customers/{customerId}/users", "create-customer-user", customerUsers(CreateCustomerUser)},
		{"POST", "/customers/{customerId}/users/{userId}/password-reset", "reset-customer-user-password", customerUsers(ResetCustomerUserPassword)},
		{"GET", "/tenant/users", "list-tenant-users", customerUsers(ListTenantUsers)},
		{"POST", "/tenant/users", "create-tenant-user", customerUsers(CreateTenantUser)},
		{"PATCH", "/tenant/users/{userId}", "update-tenant-user", customerUsers(UpdateTenantUser)},
		{"DELETE", "/tenant/users/{userId}", "delete-tenant-user", customerUsers(DeleteTenantUser)},
		{"GET", "/tenant/activity", "list-tenant-activity", customerUsers(ListTenantActivity)},
	}
}
