package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/shared/admin"
)

// linkPath is the collection of a link kind in the API.
var linkPath = map[admin.LinkKind]string{admin.LinkTrial: "/trial-invitations", admin.LinkOffer: "/purchase-offers", admin.LinkDelegatedAdmin: "/delegated-admin-offers"}

// newLink creates a link through the API as a fresh full-access global admin of the partner and
// returns the response body (with linkId and url).
func (e *env) newLink(t *testing.T, pid string, kind admin.LinkKind, body map[string]any) map[string]any {
	t.Helper()
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	r := e.do(caller{token: tok}, req{method: "POST", path: linkPath[kind], body: body})
	expectStatus(t, r, 201, "create link")
	return r.json(t)
}

// trialBody is a valid trial invitation of the global catalog, optionally with delegated admin.
func trialBody(withDA bool) map[string]any {
	b := map[string]any{"productId": "m365-business-premium"}
	if withDA {
		b["delegatedAdmin"] = map[string]any{"scope": "full", "durationDays": 365}
	}
	return b
}

// pagePath is the path of a link's page (the URL's path).
func pagePath(t *testing.T, link map[string]any) string {
	t.Helper()
	u, err := url.Parse(link["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// open GETs a link page and returns the page and its CSRF token.
func (e *env) open(t *testing.T, path string) (result, string) {
	t.Helper()
	r := e.do(caller{}, req{method: "GET", path: path})
	token := ""
	for _, c := range r.Cookies {
		if v, ok := strings.CutPrefix(c, "pac_csrf="); ok {
			token, _, _ = strings.Cut(v, ";")
		}
	}
	return r, token
}

// signUpForm is a complete sign-up for a new organization n.
func signUpForm(n int64, extra map[string]string) url.Values {
	f := url.Values{"mode": {"signup"}, "organization": {fmt.Sprintf("Customer %d Ltd", n)}, "domainPrefix": {fmt.Sprintf("cust%d", n)},
		"country": {"DE"}, "adminName": {"Alex Admin"}, "email": {fmt.Sprintf("alex@cust%d.example", n)}, "password": {"Sunny-Meadow-Lantern-42"}}
	for k, v := range extra {
		f.Set(k, v)
	}
	return f
}

// accept POSTs a form to a link page with a valid CSRF token.
func (e *env) accept(t *testing.T, path string, form url.Values) result {
	t.Helper()
	_, token := e.open(t, path)
	if token == "" {
		token = "test-csrf-token-0123456789abcdefghijklmnop"
	}
	form.Set("csrf", token)
	return e.do(caller{}, req{method: "POST", path: path, form: form, cookies: []string{"pac_csrf=" + token}})
}
