package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Relationship states of the customer matrix: a customer of the partner in each.
const (
	relActiveFull    = "active full"
	relActiveLimited = "active limited"
	relEnded         = "ended"
	relExpired       = "expired"
	relNone          = "none"
)

var relStates = []string{relActiveFull, relActiveLimited, relEnded, relExpired, relNone}

// customerWorld is one partner's customers, one in each relationship state, each with an admin
// who can sign in (password "Sunny-Meadow-Lantern-42").
type customerWorld struct {
	pid     string
	ids     map[string]string // state → customer id
	admins  map[string]string // state → the customer admin's email
	created time.Time
}

// newCustomer signs up a new customer through a trial link of pid; da is the delegated
// administration the link offers and the customer accepts ("" for none). It returns the
// customer id and its admin's email.
func (e *env) newCustomer(t *testing.T, pid string, da admin.CustomerAccess, days int) (string, string) {
	t.Helper()
	n := 200000 + e.seq.Add(1)
	body := trialBody(false)
	if p, err := e.store.Partner(t0(), pid); err != nil {
		t.Fatal(err)
	} else if p.Cloud == admin.Cloud21Vianet {
		body["productId"] = "o365-e1-21v"
	}
	answer := map[string]string{}
	if da != "" {
		body["delegatedAdmin"] = map[string]any{"scope": string(da), "durationDays": days}
		answer["delegatedAdmin"] = "accept"
	}
	link := e.newLink(t, pid, admin.LinkTrial, body)
	expectStatus(t, e.accept(t, pagePath(t, link), signUpForm(n, answer)), 200, "sign up a customer")
	email := fmt.Sprintf("alex@cust%d.example", n)
	login, err := e.store.Login(t0(), email)
	if err != nil {
		t.Fatal(err)
	}
	return login.OrgID, email
}

// customerWorld makes a customer of pid in every relationship state. It moves the env's clock two
// days forward (the expired grant lasted one day); the active grants last a year.
func (e *env) customerWorld(t *testing.T, pid string) customerWorld {
	t.Helper()
	w := customerWorld{pid: pid, ids: map[string]string{}, admins: map[string]string{}}
	add := func(state string, da admin.CustomerAccess, days int) {
		w.ids[state], w.admins[state] = e.newCustomer(t, pid, da, days)
	}
	add(relActiveFull, admin.AccessFull, 365)
	add(relActiveLimited, admin.AccessLimited, 365)
	add(relEnded, admin.AccessFull, 365)
	add(relExpired, admin.AccessFull, admin.MinDelegatedAdminDays)
	add(relNone, "", 0)
	tok := e.signInCustomer(t, w.admins[relEnded])
	expectStatus(t, e.do(caller{token: tok}, req{method: "DELETE", path: "/tenant/partners/" + pid + "/delegated-admin"}), 204, "end delegated admin")
	e.advance(time.Duration(admin.MinDelegatedAdminDays+1) * 24 * time.Hour)
	w.created = e.now()
	return w
}

// customerCase is one route of the customer matrix. build makes a valid request inside customer
// cid (ignored by routes that take no customer); right is what the route needs.
type customerCase struct {
	route string
	right admin.CustomerRight
	ok    int
	// inside: the route acts inside one customer (needs its active delegated administration).
	inside bool
	build  func(e *env, w customerWorld, cid string) req
}

// customerCases are the customer routes of the matrix; each route's file adds its own.
var customerCases = []customerCase{
	{route: "GET /customers/{customerId}", right: admin.RightReadCustomer, ok: 200, inside: true, build: func(_ *env, _ customerWorld, cid string) req {
		return req{method: "GET", path: "/customers/" + cid}
	}},
}

// effective is the lesser of two customer accesses.
func effective(a, b admin.CustomerAccess) admin.CustomerAccess {
	rank := map[admin.CustomerAccess]int{admin.AccessNone: 0, admin.AccessLimited: 1, admin.AccessFull: 2}
	if rank[a] <= rank[b] {
		return a
	}
	return b
}

// expectedInCustomer is the status and code a partner user with access gets on c in a customer
// whose relationship is in state: the user's access is checked first, then the customer's
// delegated administration, then the effective access.
func expectedInCustomer(c customerCase, access admin.CustomerAccess, state string) (int, admin.Code) {
	gate := c.right
	if c.right == admin.RightResetAdminPassword {
		// The route enters with the user right; the admin right is checked on the target.
		gate = admin.RightResetUserPassword
	}
	if !admin.AccessAllows(access, gate) {
		return http.StatusForbidden, admin.CodeForbidden
	}
	if !c.inside {
		return c.ok, ""
	}
	scope := map[string]admin.CustomerAccess{relActiveFull: admin.AccessFull, relActiveLimited: admin.AccessLimited}[state]
	if scope == "" {
		return http.StatusForbidden, admin.CodeDelegatedAdminRequired
	}
	if !admin.AccessAllows(effective(access, scope), c.right) {
		if c.right == admin.RightResetAdminPassword {
			return http.StatusForbidden, admin.CodeForbiddenForAdmins
		}
		return http.StatusForbidden, admin.CodeForbidden
	}
	return c.ok, ""
}

// accessOf is the customer access of the matrix' partner identities.
var accessOf = map[string]admin.CustomerAccess{
	"global_admin": admin.AccessFull, "none+full access": admin.AccessFull, "none+limited access": admin.AccessLimited,
	"user_admin": admin.AccessNone, "billing_admin": admin.AccessNone, "password_admin": admin.AccessNone,
	"service_admin": admin.AccessNone, "none": admin.AccessNone,
}

// TestCustomerMatrix calls every customer route as every kind of caller in a customer in every
// relationship state, and checks status and code.
func TestCustomerMatrix(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	w := e.customerWorld(t, pid)
	covered := map[string]bool{}
	// One caller per identity for the whole matrix: no customer route changes its caller, and
	// making one (a user, a signed-up customer) costs more than the calls themselves.
	callers := map[string]caller{}
	for _, c := range customerCases {
		covered[c.route] = true
		for _, id := range identities {
			states := relStates
			if !c.inside {
				states = states[:1]
			}
			for _, state := range states {
				t.Run(c.route+"/"+id.name+"/"+state, func(t *testing.T) {
					e.t = t
					who, made := callers[id.name]
					if !made {
						who = id.make(e, pid)
						callers[id.name] = who
					}
					got := e.do(who, c.build(e, w, w.ids[state]))
					want, code := 0, admin.Code("")
					if access, partnerUser := accessOf[id.name]; partnerUser {
						want, code = expectedInCustomer(c, access, state)
					} else {
						want = expected(matrixCase{route: c.route, ok: c.ok}, id)
					}
					if got.Status != want {
						t.Fatalf("%s as %s in %s: status %d, want %d; body %s", c.route, id.name, state, got.Status, want, got.Body)
					}
					if got.Status >= 400 {
						if p := got.problem(t); code != "" && p.Code != code {
							t.Fatalf("%s as %s in %s: code %s, want %s", c.route, id.name, state, p.Code, code)
						}
					}
				})
			}
		}
	}
	for _, r := range allRoutes() {
		if (contains(r.Path, "/customers") || contains(r.Path, "/service-requests")) && !contains(r.Path, "/operator/") && !covered[r.Key()] {
			t.Errorf("route %s is not in the customer matrix", r.Key())
		}
	}
}

// TestCustomerFeatureGate: without delegated_admin or service_provider every customer route is
// 403 feature_not_authorized, for every one of the 8 authorization sets; with either, the gate
// opens.
func TestCustomerFeatureGate(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	w := e.customerWorld(t, pid)
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	all := []string{"delegated_admin", "subscription_advisor", "service_provider"}
	for mask := 0; mask < 8; mask++ {
		var auths []string
		for i, a := range all {
			if mask&(1<<i) != 0 {
				auths = append(auths, a)
			}
		}
		p, err := e.store.Partner(t0(), pid)
		if err != nil {
			t.Fatal(err)
		}
		expectStatus(t, e.do(caller{operator: true}, req{method: "PUT", path: "/operator/partners/" + pid + "/authorizations",
			body: map[string]any{"authorizations": append([]string{}, auths...), "version": p.Version}}), 200, "set authorizations")
		open := mask&1 != 0 || mask&4 != 0
		for _, c := range customerCases {
			t.Run(fmt.Sprintf("%v/%s", auths, c.route), func(t *testing.T) {
				e.t = t
				got := e.do(caller{token: tok}, c.build(e, w, w.ids[relActiveFull]))
				if !open {
					expectProblem(t, got, 403, admin.CodeFeatureNotAuthorized, "")
				} else if got.Status != c.ok {
					t.Fatalf("%s with %v: status %d, want %d; body %s", c.route, auths, got.Status, c.ok, got.Body)
				}
			})
		}
	}
}

// TestCustomerCrossTenant: another partner's customer (of the other cloud, too) and an unknown id
// answer the same 404 on every route that takes a customer id, and the 21Vianet partner's
// customers are invisible to the global partner.
func TestCustomerCrossTenant(t *testing.T) {
	e := newEnv(t)
	global, vianet := e.partner("global").PartnerID, e.partner("21vianet").PartnerID
	// A second partner of the same cloud, with every authorization.
	r := e.do(caller{operator: true}, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "Neighbour Partner",
		"cloud": "global", "authorizations": []string{"delegated_admin", "subscription_advisor", "service_provider"}, "email": "c@neighbour.example",
		"firstAdmin": map[string]string{"email": "first@neighbour.example", "displayName": "First"}}})
	expectStatus(t, r, 201, "onboard")
	neighbour := r.json(t)["partner"].(map[string]any)["partnerId"].(string)
	others := map[string]customerWorld{"same cloud": e.customerWorld(t, neighbour), "other cloud": e.customerWorld(t, vianet)}
	_, tok := e.user(global, admin.RoleGlobalAdmin, admin.AccessFull)
	for _, c := range customerCases {
		if !c.inside {
			continue
		}
		for name, w := range others {
			t.Run(c.route+"/"+name, func(t *testing.T) {
				e.t = t
				foreign := e.do(caller{token: tok}, c.build(e, w, w.ids[relActiveFull]))
				expectProblem(t, foreign, 404, admin.CodeNotFound, "")
				unknown := e.do(caller{token: tok}, c.build(e, w, "cus_01jdzzzzzzzzzzzzzzzzzzzzzz"))
				expectProblem(t, unknown, 404, admin.CodeNotFound, "")
				if unknown.problem(t).Detail != foreign.problem(t).Detail {
					t.Fatalf("unknown and foreign ids answered differently: %s vs %s", unknown.Body, foreign.Body)
				}
			})
		}
	}
}
