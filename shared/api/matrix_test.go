package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// identity is one kind of caller of the matrix.
type identity struct {
	name string
	role admin.CompanyRole // for partner users
	// make returns the caller (and may prepare state).
	make func(e *env, partnerID string) caller
}

func partnerUser(role admin.CompanyRole, access admin.CustomerAccess) func(*env, string) caller {
	return func(e *env, pid string) caller { _, tok := e.user(pid, role, access); return caller{token: tok} }
}

var identities = []identity{
	{name: "no token", make: func(*env, string) caller { return caller{} }},
	{name: "garbage token", make: func(*env, string) caller { return caller{token: "not.a.jwt"} }},
	{name: "expired token", make: func(e *env, pid string) caller {
		u, _ := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		past := e.now
		e.now = func() time.Time { return time.Now().Add(-time.Hour) }
		tok := e.token(u)
		e.now = past
		return caller{token: tok}
	}},
	{name: "removed user", make: func(e *env, pid string) caller {
		u, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		_, admin2 := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		if r := e.do(caller{token: admin2}, req{method: "DELETE", path: "/users/" + u.ID}); r.Status != 204 {
			e.t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		return caller{token: tok}
	}},
	{name: "temporary password", make: func(e *env, pid string) caller {
		_, admin1 := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		r := e.do(caller{token: admin1}, req{method: "POST", path: "/users", body: map[string]any{
			"email": fmt.Sprintf("temp%d@test.example", e.seq.Add(1)), "displayName": "Temp", "companyRole": "global_admin", "customerAccess": "none"}})
		m := r.json(e.t)
		id := m["user"].(map[string]any)["userId"].(string)
		u, err := e.store.User(t0(), pid, id)
		if err != nil {
			e.t.Fatal(err)
		}
		return caller{token: e.token(u)}
	}},
	{name: "mfa not set up", make: func(e *env, pid string) caller {
		_, tok := e.userWithoutMFA(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		return caller{token: tok}
	}},
	{name: "operator (IAM)", make: func(*env, string) caller { return caller{operator: true} }},
	{name: "global_admin", role: admin.RoleGlobalAdmin, make: partnerUser(admin.RoleGlobalAdmin, admin.AccessFull)},
	{name: "user_admin", role: admin.RoleUserAdmin, make: partnerUser(admin.RoleUserAdmin, admin.AccessNone)},
	{name: "billing_admin", role: admin.RoleBillingAdmin, make: partnerUser(admin.RoleBillingAdmin, admin.AccessNone)},
	{name: "password_admin", role: admin.RolePasswordAdmin, make: partnerUser(admin.RolePasswordAdmin, admin.AccessNone)},
	{name: "service_admin", role: admin.RoleServiceAdmin, make: partnerUser(admin.RoleServiceAdmin, admin.AccessNone)},
	{name: "none+full access", role: admin.RoleNone, make: partnerUser(admin.RoleNone, admin.AccessFull)},
	{name: "none+limited access", role: admin.RoleNone, make: partnerUser(admin.RoleNone, admin.AccessLimited)},
	{name: "none", role: admin.RoleNone, make: partnerUser(admin.RoleNone, admin.AccessNone)},
	{name: "customer admin", make: func(e *env, pid string) caller {
		// A customer of the partner, with delegated administration granted to it.
		n := e.seq.Add(1)
		link := e.newLink(e.t, pid, admin.LinkTrial, trialBody(true))
		expectStatus(e.t, e.accept(e.t, pagePath(e.t, link), signUpForm(100000+n, map[string]string{"delegatedAdmin": "accept"})), 200, "customer for the matrix")
		e.lastCustomerAdmin = fmt.Sprintf("alex@cust%d.example", 100000+n)
		return caller{token: e.signInCustomer(e.t, e.lastCustomerAdmin)}
	}},
}

// identityNamed returns the identity of a name.
func identityNamed(name string) identity {
	for _, id := range identities {
		if id.name == name {
			return id
		}
	}
	panic("no identity " + name)
}

// Who may use the link routes: any customer access for trials and offers, full access for
// delegated administration (the seeded partner holds every authorization).
var (
	withAccess = []string{"global_admin", "none+full access", "none+limited access"}
	withFull   = []string{"global_admin", "none+full access"}
	partners   = []string{"global_admin", "user_admin", "billing_admin", "password_admin", "service_admin", "none+full access", "none+limited access", "none"}
	customers  = []string{"customer admin"}
)

// linkCases are the matrix cases of one link kind's five routes.
func linkCases(kind admin.LinkKind, body func() map[string]any, who []string) []matrixCase {
	col := linkPath[kind]
	existing := func(e *env, pid string) string { return e.newLink(e.t, pid, kind, body())["linkId"].(string) }
	return []matrixCase{
		{route: "POST " + col, ok: 201, who: who, build: func(e *env, _ string) req { return req{method: "POST", path: col, body: body()} }},
		{route: "GET " + col, ok: 200, who: who, build: func(e *env, _ string) req { return req{method: "GET", path: col} }},
		{route: "GET " + col + "/{id}", ok: 200, who: who, build: func(e *env, pid string) req { return req{method: "GET", path: col + "/" + existing(e, pid)} }},
		{route: "DELETE " + col + "/{id}", ok: 204, who: who, build: func(e *env, pid string) req { return req{method: "DELETE", path: col + "/" + existing(e, pid)} }},
		{route: "POST " + col + "/{id}/emails", ok: 202, who: who, build: func(e *env, pid string) req {
			return req{method: "POST", path: col + "/" + existing(e, pid) + "/emails", body: map[string]any{"recipients": []string{"someone@example.com"}}}
		}},
	}
}

func init() {
	matrixCases = append(matrixCases,
		matrixCase{route: "GET /catalog", ok: 200, who: partners, build: func(*env, string) req { return req{method: "GET", path: "/catalog"} }},
		matrixCase{route: "GET /tenant", ok: 200, who: customers, build: func(*env, string) req { return req{method: "GET", path: "/tenant"} }},
		matrixCase{route: "GET /tenant/subscriptions", ok: 200, who: customers, build: func(*env, string) req { return req{method: "GET", path: "/tenant/subscriptions"} }},
		matrixCase{route: "GET /tenant/partners", ok: 200, who: customers, build: func(*env, string) req { return req{method: "GET", path: "/tenant/partners"} }},
		matrixCase{route: "DELETE /tenant/partners/{partnerId}/delegated-admin", ok: 204, who: customers, build: func(_ *env, pid string) req {
			return req{method: "DELETE", path: "/tenant/partners/" + pid + "/delegated-admin"}
		}},
	)
	matrixCases = append(matrixCases, linkCases(admin.LinkTrial, func() map[string]any { return trialBody(false) }, withAccess)...)
	matrixCases = append(matrixCases, linkCases(admin.LinkOffer, func() map[string]any {
		return map[string]any{"lines": []map[string]any{{"productId": "m365-e3", "licenses": 5}}}
	}, withAccess)...)
	matrixCases = append(matrixCases, linkCases(admin.LinkDelegatedAdmin, func() map[string]any { return map[string]any{} }, withFull)...)
}

// matrixCase is one route of the matrix: how to build a valid request for a partner, and which
// roles may make it (nil: every partner user).
type matrixCase struct {
	route   string
	build   func(e *env, pid string) req
	allowed []admin.CompanyRole
	who     []string // when set: the identities allowed (by name), instead of allowed roles
	ok      int
	// status, when set, is the status of the authenticated users (partner and customer) instead
	// of the rules of expected.
	status func(id identity) int
}

// selfRoutes are the routes every signed-in user has, whatever it must do first (a temporary
// password to change, a second factor to set up): anyUser in api.go.
var selfRoutes = map[string]bool{"GET /me": true, "POST /me/password": true, "POST /auth/sign-out": true,
	"GET /me/sessions": true, "DELETE /me/sessions/{sessionId}": true, "POST /me/mfa/totp": true,
	"POST /me/mfa/totp/confirm": true, "DELETE /me/mfa/totp": true, "POST /me/mfa/recovery-codes": true}

var managers = []admin.CompanyRole{admin.RoleGlobalAdmin, admin.RoleUserAdmin}
var readers = []admin.CompanyRole{admin.RoleGlobalAdmin, admin.RoleUserAdmin, admin.RoleBillingAdmin, admin.RolePasswordAdmin, admin.RoleServiceAdmin}

func target(e *env, pid string) admin.User {
	u, _ := e.user(pid, admin.RoleNone, admin.AccessNone)
	return u
}

var matrixCases = []matrixCase{
	{route: "GET /me", ok: 200, build: func(*env, string) req { return req{method: "GET", path: "/me"} }},
	{route: "POST /auth/sign-out", ok: 204, build: func(*env, string) req { return req{method: "POST", path: "/auth/sign-out", body: map[string]any{}} }},
	{route: "GET /me/sessions", ok: 200, build: func(*env, string) req { return req{method: "GET", path: "/me/sessions"} }},
	// An id no session has: every signed-in user reaches the lookup (its own sessions only).
	{route: "DELETE /me/sessions/{sessionId}", ok: 404, build: func(*env, string) req {
		return req{method: "DELETE", path: "/me/sessions/ses_00000000000000000000000000"}
	}},
	{route: "POST /me/mfa/totp", ok: 200, build: func(*env, string) req { return req{method: "POST", path: "/me/mfa/totp", body: map[string]any{}} },
		status: func(id identity) int {
			if id.name == "temporary password" {
				return http.StatusForbidden // the password first
			}
			return http.StatusOK
		}},
	// Nothing pending: 409 for everyone who reaches it.
	{route: "POST /me/mfa/totp/confirm", ok: 409, build: func(*env, string) req {
		return req{method: "POST", path: "/me/mfa/totp/confirm", body: map[string]any{"code": "000000"}}
	}},
	// No factor stored for the matrix' users (their flag is set without one): the code is wrong.
	{route: "POST /me/mfa/recovery-codes", ok: 401, build: func(*env, string) req {
		return req{method: "POST", path: "/me/mfa/recovery-codes", body: map[string]any{"code": "000000"}}
	}},
	{route: "DELETE /me/mfa/totp", ok: 401, build: func(*env, string) req {
		return req{method: "DELETE", path: "/me/mfa/totp", body: map[string]any{"code": "000000"}}
	}, status: func(id identity) int {
		switch id.name {
		case "global_admin", "none+full access", "temporary password", "mfa not set up":
			return http.StatusForbidden // required for the role: not removable
		}
		return http.StatusUnauthorized
	}},
	{route: "POST /users/{userId}/password-reset", ok: 200, allowed: []admin.CompanyRole{admin.RoleGlobalAdmin, admin.RoleUserAdmin, admin.RolePasswordAdmin},
		build: func(e *env, pid string) req {
			return req{method: "POST", path: "/users/" + target(e, pid).ID + "/password-reset"}
		}},
	{route: "DELETE /users/{userId}/mfa", ok: 204, allowed: []admin.CompanyRole{admin.RoleGlobalAdmin}, build: func(e *env, pid string) req {
		u, _ := e.user(pid, admin.RoleNone, admin.AccessFull)
		return req{method: "DELETE", path: "/users/" + u.ID + "/mfa"}
	}},
	{route: "POST /me/password", ok: 200, build: func(e *env, _ string) req {
		// The matrix' users share one password; the temporary-password user is refused by it too,
		// but with 401 invalid_credentials, which the matrix checks separately below.
		return req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": "Correct-Horse-Battery-9", "newPassword": "Another-Long-Passphrase-7"}}
	}},
	{route: "GET /overview", ok: 200, build: func(*env, string) req { return req{method: "GET", path: "/overview"} }},
	{route: "GET /company", ok: 200, build: func(*env, string) req { return req{method: "GET", path: "/company"} }},
	{route: "PUT /company", ok: 200, allowed: []admin.CompanyRole{admin.RoleGlobalAdmin}, build: func(e *env, pid string) req {
		p, err := e.store.Partner(t0(), pid)
		if err != nil {
			e.t.Fatal(err)
		}
		return req{method: "PUT", path: "/company", body: map[string]any{"name": p.Contact.Name, "phone": "+49 30 555", "email": p.Contact.Email,
			"website": p.Contact.Website, "address": addressJSON(p.Contact.Address), "version": p.Version}}
	}},
	{route: "GET /users", ok: 200, allowed: readers, build: func(*env, string) req { return req{method: "GET", path: "/users"} }},
	{route: "POST /users", ok: 201, allowed: managers, build: func(e *env, _ string) req {
		return req{method: "POST", path: "/users", body: map[string]string{"email": fmt.Sprintf("new%d@test.example", e.seq.Add(1)),
			"displayName": "New User", "companyRole": "none", "customerAccess": "none"}}
	}},
	{route: "GET /users/{userId}", ok: 200, allowed: readers, build: func(e *env, pid string) req {
		return req{method: "GET", path: "/users/" + target(e, pid).ID}
	}},
	{route: "PATCH /users/{userId}", ok: 200, allowed: managers, build: func(e *env, pid string) req {
		return req{method: "PATCH", path: "/users/" + target(e, pid).ID, body: map[string]any{"displayName": "Renamed", "version": 1}}
	}},
	{route: "DELETE /users/{userId}", ok: 204, allowed: managers, build: func(e *env, pid string) req {
		return req{method: "DELETE", path: "/users/" + target(e, pid).ID}
	}},
	{route: "GET /activity", ok: 200, allowed: managers, build: func(*env, string) req { return req{method: "GET", path: "/activity"} }},
	{route: "POST /operator/partners", ok: 201, allowed: []admin.CompanyRole{}, build: func(e *env, _ string) req {
		n := e.seq.Add(1)
		return req{method: "POST", path: "/operator/partners", body: map[string]any{"name": fmt.Sprintf("Partner %d", n), "cloud": "global",
			"authorizations": []string{"subscription_advisor"}, "email": "contact@p.example",
			"firstAdmin": map[string]string{"email": fmt.Sprintf("first%d@p.example", n), "displayName": "First Admin"}}}
	}},
	{route: "GET /operator/partners/{partnerId}", ok: 200, allowed: []admin.CompanyRole{}, build: func(_ *env, pid string) req {
		return req{method: "GET", path: "/operator/partners/" + pid}
	}},
	{route: "PUT /operator/partners/{partnerId}/authorizations", ok: 200, allowed: []admin.CompanyRole{}, build: func(e *env, pid string) req {
		p, err := e.store.Partner(t0(), pid)
		if err != nil {
			e.t.Fatal(err)
		}
		return req{method: "PUT", path: "/operator/partners/" + pid + "/authorizations", body: map[string]any{
			"authorizations": []string{"delegated_admin", "subscription_advisor", "service_provider"}, "version": p.Version}}
	}},
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// expected returns the status a caller should get on a route.
func expected(c matrixCase, id identity) int {
	op := contains(c.route, "/operator/")
	tenant := contains(c.route, "/tenant")
	signedIn := id.name != "no token" && id.name != "garbage token" && id.name != "expired token" && id.name != "removed user" && id.name != "operator (IAM)"
	if signedIn && c.status != nil && (selfRoutes[c.route] || c.who == nil && c.allowed == nil) {
		return c.status(id)
	}
	if id.name == "customer admin" {
		switch {
		case op:
			return http.StatusForbidden
		case c.route == "POST /me/password":
			return http.StatusUnauthorized // customer users change theirs too; the matrix password is not theirs
		case tenant, selfRoutes[c.route]:
			return c.ok
		}
		return http.StatusForbidden // a customer token on a partner route
	}
	if tenant && id.name != "no token" && id.name != "garbage token" && id.name != "expired token" && id.name != "operator (IAM)" {
		return http.StatusForbidden // a partner token on a customer route
	}
	switch id.name {
	case "operator (IAM)":
		if op {
			return c.ok
		}
		return http.StatusUnauthorized // no bearer token
	case "no token", "garbage token", "expired token", "removed user":
		if op {
			return http.StatusForbidden // API Gateway would refuse the unsigned request
		}
		return http.StatusUnauthorized
	case "temporary password", "mfa not set up":
		switch {
		case op:
			return http.StatusForbidden
		case c.route == "POST /me/password" && id.name == "temporary password":
			return http.StatusUnauthorized // the temporary password is not the matrix password
		case selfRoutes[c.route]:
			return c.ok
		}
		return http.StatusForbidden
	}
	if op {
		return http.StatusForbidden
	}
	if c.who != nil {
		for _, w := range c.who {
			if w == id.name {
				return c.ok
			}
		}
		return http.StatusForbidden
	}
	if c.allowed == nil {
		return c.ok
	}
	for _, r := range c.allowed {
		if r == id.role {
			return c.ok
		}
	}
	return http.StatusForbidden
}

// TestPermissionMatrix calls every route as every kind of caller and checks the status.
func TestPermissionMatrix(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	covered := map[string]bool{}
	for _, c := range customerCases { // their own matrix: TestCustomerMatrix
		covered[c.route] = true
	}
	for _, c := range matrixCases {
		covered[c.route] = true
		for _, id := range identities {
			t.Run(c.route+"/"+id.name, func(t *testing.T) {
				e.t = t
				who := id.make(e, pid)
				r := c.build(e, pid)
				got := e.do(who, r)
				if want := expected(c, id); got.Status != want {
					t.Fatalf("%s as %s: status %d, want %d; body %s", c.route, id.name, got.Status, want, got.Body)
				}
				if got.Status >= 400 {
					got.problem(t) // every refusal is problem+json
				}
			})
		}
	}
	for _, r := range allRoutes() {
		// Sign-in's steps and the refresh take no bearer token (sessions_test.go); link pages are
		// tested in links_rules_test.go.
		public := strings.HasPrefix(r.Key(), "POST /auth/sign-in") || r.Key() == "POST /auth/refresh" || strings.Contains(r.Path, "{code}")
		if !public && !covered[r.Key()] {
			t.Errorf("route %s is not in the permission matrix", r.Key())
		}
	}
}

var userIDPattern = regexp.MustCompile(`usr_[0-9a-z]{26}`)

// TestCrossTenant: every id-taking route, called by another partner's global admin with this
// partner's ids, answers 404 — the same as for an id that does not exist.
func TestCrossTenant(t *testing.T) {
	e := newEnv(t)
	a, b := e.partner("global").PartnerID, e.partner("21vianet").PartnerID
	_, foreign := e.user(b, admin.RoleGlobalAdmin, admin.AccessFull)
	for _, c := range matrixCases {
		if !contains(c.route, "{userId}") || contains(c.route, "/tenant/") { // customers' own: TestTenantUsers
			continue
		}
		t.Run(c.route, func(t *testing.T) {
			e.t = t
			victim := c.build(e, a)
			got := e.do(caller{token: foreign}, victim)
			expectProblem(t, got, 404, admin.CodeNotFound, "")
			// Exactly what an unknown id gets.
			unknown := victim
			unknown.path = userIDPattern.ReplaceAllString(victim.path, "usr_01jdzzzzzzzzzzzzzzzzzzzzzz")
			again := e.do(caller{token: foreign}, unknown)
			if again.Status != 404 || again.problem(t).Detail != got.problem(t).Detail {
				t.Fatalf("unknown id answered differently: %d %s vs %s", again.Status, again.Body, got.Body)
			}
		})
	}
	// The victim's data did not change: its users are all there, renamed by nobody.
	users, err := e.store.Users(t0(), a, admin.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Items {
		if u.DisplayName == "Renamed" {
			t.Fatalf("a foreign caller renamed %s", u.ID)
		}
	}
}

// addressJSON is an address as a request body carries it.
func addressJSON(a *admin.Address) any {
	if a == nil {
		return nil
	}
	return map[string]any{"line1": a.Line1, "line2": a.Line2, "city": a.City, "region": a.Region, "postalCode": a.PostalCode, "country": a.Country}
}
