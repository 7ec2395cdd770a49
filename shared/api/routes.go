package api

// Route ties a route of template.yaml to its function directory and its handler.
type Route struct {
	Method   string
	Path     string
	Function string // directory under functions/
	Action   Action
}

// Key returns the API Gateway route key, "METHOD /path".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes is every route of the partner admin API. A test checks it against template.yaml and the
// functions/ directories; the in-process test gateway serves it.
var Routes = []Route{
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
}
