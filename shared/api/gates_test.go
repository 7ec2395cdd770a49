package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/shared/admin"
)

// TestLinkGates calls every link route for a partner holding each combination of
// authorizations, as a user with each customer access, and checks the status: the partner's
// authorization gates the feature (403 feature_not_authorized), then the user's customer access
// (403 forbidden); including delegated administration in a trial or offer needs the
// delegated_admin authorization and full access.
func TestLinkGates(t *testing.T) {
	e := newEnv(t)
	var combos [][]string
	for mask := 0; mask < 8; mask++ {
		var auths []string
		for i, a := range admin.Authorizations {
			if mask&(1<<i) != 0 {
				auths = append(auths, string(a))
			}
		}
		combos = append(combos, auths)
	}
	type call struct {
		name string
		kind admin.LinkKind
		da   bool // includes a delegated-admin offer
		req  func(id string) req
		ok   int
	}
	var calls []call
	for _, kind := range admin.LinkKinds {
		col := linkPath[kind]
		body := map[string]any{}
		switch kind {
		case admin.LinkTrial:
			body = trialBody(false)
		case admin.LinkOffer:
			body = map[string]any{"lines": []map[string]any{{"productId": "m365-e3", "licenses": 5}}}
		}
		calls = append(calls,
			call{"POST " + col, kind, false, func(string) req { return req{method: "POST", path: col, body: body} }, 201},
			call{"GET " + col, kind, false, func(string) req { return req{method: "GET", path: col} }, 200},
			call{"GET " + col + "/{id}", kind, false, func(id string) req { return req{method: "GET", path: col + "/" + id} }, 200},
			call{"POST " + col + "/{id}/emails", kind, false, func(id string) req {
				return req{method: "POST", path: col + "/" + id + "/emails", body: map[string]any{"recipients": []string{"x@example.com"}}}
			}, 202},
			call{"DELETE " + col + "/{id}", kind, false, func(id string) req { return req{method: "DELETE", path: col + "/" + id} }, 204},
		)
		if kind != admin.LinkDelegatedAdmin {
			withDA := map[string]any{"delegatedAdmin": map[string]any{"scope": "limited"}}
			for k, v := range body {
				withDA[k] = v
			}
			calls = append(calls, call{"POST " + col + " with delegated admin", kind, true, func(string) req { return req{method: "POST", path: col, body: withDA} }, 201})
		}
	}
	feature := map[admin.LinkKind]string{admin.LinkTrial: "subscription_advisor", admin.LinkOffer: "subscription_advisor", admin.LinkDelegatedAdmin: "delegated_admin"}
	for _, auths := range combos {
		// A partner with exactly these authorizations, and one link of each kind in it (made
		// directly in the store: a partner without the authorization cannot create one).
		r := e.do(caller{operator: true}, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "Gated " + strings.Join(auths, "+"),
			"cloud": "global", "authorizations": nonNilList(auths), "email": "c@gated.example",
			"firstAdmin": map[string]string{"email": fmt.Sprintf("first%d@gated.example", e.seq.Add(1)), "displayName": "First"}}})
		expectStatus(t, r, 201, "onboard")
		pid := r.json(t)["partner"].(map[string]any)["partnerId"].(string)
		links := map[admin.LinkKind]string{}
		for _, kind := range admin.LinkKinds {
			links[kind] = e.storeLink(t, pid, kind)
		}
		for _, access := range admin.CustomerAccesses {
			_, tok := e.user(pid, admin.RoleNone, access)
			who := caller{token: tok}
			catalog := e.do(who, req{method: "GET", path: "/catalog"})
			expectStatus(t, catalog, 200, "catalog for every partner user")
			for _, c := range calls {
				t.Run(strings.Join(nonNilList(auths), "+")+"/"+string(access)+"/"+c.name, func(t *testing.T) {
					e.t = t
					id := links[c.kind]
					if c.ok == 204 { // revoking: a fresh link each time
						id = e.storeLink(t, pid, c.kind)
					}
					got := e.do(who, c.req(id))
					want, code := c.ok, admin.Code("")
					switch {
					case !slices.Contains(auths, feature[c.kind]):
						want, code = http.StatusForbidden, admin.CodeFeatureNotAuthorized
					case c.da && !slices.Contains(auths, "delegated_admin"):
						want, code = http.StatusForbidden, admin.CodeFeatureNotAuthorized
					case access == admin.AccessNone:
						want, code = http.StatusForbidden, admin.CodeForbidden
					case (c.kind == admin.LinkDelegatedAdmin || c.da) && access != admin.AccessFull:
						want, code = http.StatusForbidden, admin.CodeForbidden
					}
					if got.Status != want || (code != "" && got.problem(t).Code != code) {
						t.Fatalf("status %d, want %d %s; body %s", got.Status, want, code, got.Body)
					}
				})
			}
		}
	}
}

func nonNilList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// storeLink writes a link of a kind for a partner directly in the store and returns its id.
func (e *env) storeLink(t *testing.T, pid string, kind admin.LinkKind) string {
	t.Helper()
	now := e.now()
	nonce, _ := e.deps.Links.Codes.Nonce()
	code, _ := e.deps.Links.Codes.Code(nonce)
	l := admin.Link{ID: appNewID("lnk"), PartnerID: pid, Kind: kind, Nonce: nonce, CodeHash: e.deps.Links.Codes.Hash(code),
		CreatedBy: "test", Version: 1, CreatedAt: now, UpdatedAt: now}
	switch kind {
	case admin.LinkTrial:
		l.ProductID = "m365-e3"
	case admin.LinkOffer:
		l.Lines = []admin.OfferLine{{ProductID: "m365-e3", Licenses: 5}}
	case admin.LinkDelegatedAdmin:
		l.DelegatedAdmin = &admin.DelegatedAdminOffer{Scope: admin.AccessLimited, DurationDays: 30}
	}
	act := admin.Activity{ID: appNewID("act"), OrgID: pid, At: now, Actor: admin.Actor{Type: "operator", ID: "test"}, Action: "link.created",
		Target: admin.Target{Type: "link", ID: l.ID}}
	if err := e.store.CreateLink(t0(), l, act, nil); err != nil {
		t.Fatalf("store link: %v", err)
	}
	return l.ID
}
