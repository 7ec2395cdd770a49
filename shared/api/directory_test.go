package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

func init() {
	customerCases = append(customerCases, customerCase{route: "GET /customers", right: admin.RightListCustomers, ok: 200, inside: false,
		build: func(*env, customerWorld, string) req {
			return req{method: "GET", path: "/customers?q=cust&delegatedAdmin=active"}
		}})
	matrixCases = append(matrixCases, matrixCase{route: "PATCH /tenant", ok: 200, who: customers, build: func(*env, string) req {
		return req{method: "PATCH", path: "/tenant", body: map[string]any{"name": "Renamed Organization", "version": 1}}
	}})
}

// rowNames are the names of a page of GET /customers.
func rowNames(t *testing.T, r result) []string {
	t.Helper()
	var out []string
	for _, it := range r.json(t)["items"].([]any) {
		out = append(out, it.(map[string]any)["name"].(string))
	}
	return out
}

// TestCustomerDirectoryHTTP: the list and the search through the handlers: rows, accents and
// case, several words, domain prefix, no result, ranking, the filters at their boundaries, and a
// rename through PATCH /tenant found under the new name (for both of its partners) and not under
// the old, with a third partner's index untouched.
func TestCustomerDirectoryHTTP(t *testing.T) {
	e := newEnv(t)
	now := e.now()
	e.now = func() time.Time { return now } // the filters' boundaries are exact to the second
	pid := e.partner("global").PartnerID
	p, err := e.store.Partner(t0(), pid)
	if err != nil {
		t.Fatal(err)
	}
	_, tok := e.user(pid, admin.RoleNone, admin.AccessLimited)
	get := func(path string) result {
		t.Helper()
		r := e.do(caller{token: tok}, req{method: "GET", path: path})
		expectStatus(t, r, 200, path)
		return r
	}
	grant := func(ends time.Duration) *admin.DelegatedAdmin {
		return &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: now.AddDate(-1, 0, 0), EndsAt: now.Add(ends), Status: "active"}
	}
	ended := grant(time.Hour)
	ended.Status = "ended"
	mk := func(n int, name, domain string, da *admin.DelegatedAdmin) store.DirectoryCustomer {
		return store.NewDirectoryCustomer(p, admin.Customer{ID: fmt.Sprintf("cus_%026d", n), Name: name, DomainPrefix: domain, Country: "AT"}, now, da, nil)
	}
	seeded := []store.DirectoryCustomer{
		mk(1, "Müller Bau GmbH", "muellerbau", grant(30*24*time.Hour)),    // expiring: exactly 30 days
		mk(2, "Bau", "bauexact", grant(30*24*time.Hour+time.Second)),      // active, not expiring
		mk(3, "Alpine Bauer AG", "alpine", grant(time.Second)),            // expiring, in a second
		mk(4, "Zenith Holding", "baustoffe", grant(0)),                    // expired this second
		mk(5, "Ärztekammer Süd", "aerzte", ended),                         // ended
		mk(6, "arztpraxis nord", "praxis", nil),                           // never granted
		mk(7, "MULLER & SÖHNE", "mueller2", grant(365*24*time.Hour)),      // active
		mk(8, "Öko Müller-Lüdenscheidt KG", "oeko", grant(time.Hour*100)), // expiring
	}
	seeded[0].Customer.SubscriptionCount = 3
	if err := e.store.PutDirectoryCustomers(t0(), seeded, 2); err != nil {
		t.Fatal(err)
	}

	// The list: every customer by folded name, with its row.
	list := get("/customers")
	if got, want := rowNames(t, list), []string{"Alpine Bauer AG", "Ärztekammer Süd", "arztpraxis nord", "Bau", "Müller Bau GmbH", "MULLER & SÖHNE",
		"Öko Müller-Lüdenscheidt KG", "Zenith Holding"}; !slices.Equal(got, want) {
		t.Errorf("list = %q, want %q", got, want)
	}
	for _, it := range list.json(t)["items"].([]any) {
		row := it.(map[string]any)
		if row["name"] != "Müller Bau GmbH" {
			continue
		}
		rel := row["relationship"].(map[string]any)
		if row["customerId"] != "cus_00000000000000000000000001" || row["domainPrefix"] != "muellerbau" || row["country"] != "AT" ||
			row["subscriptionCount"] != float64(3) || rel["state"] != "active" || rel["delegatedAdmin"].(map[string]any)["scope"] != "full" {
			t.Errorf("row = %v", row)
		}
	}
	// The filters, at the boundary of 30 days and at the second of expiry.
	for filter, want := range map[string][]string{
		"active":   {"Alpine Bauer AG", "Bau", "Müller Bau GmbH", "MULLER & SÖHNE", "Öko Müller-Lüdenscheidt KG"},
		"expiring": {"Alpine Bauer AG", "Müller Bau GmbH", "Öko Müller-Lüdenscheidt KG"},
		"none":     {"Ärztekammer Süd", "arztpraxis nord", "Zenith Holding"},
	} {
		if got := rowNames(t, get("/customers?delegatedAdmin="+filter)); !slices.Equal(got, want) {
			t.Errorf("delegatedAdmin=%s: %q, want %q", filter, got, want)
		}
	}
	// A second later, Alpine Bauer's grant has expired.
	e.advance(time.Second)
	if got := rowNames(t, get("/customers?delegatedAdmin=none")); !slices.Contains(got, "Alpine Bauer AG") {
		t.Errorf("after its end, Alpine Bauer AG is not in none: %q", got)
	}
	// Paging the list: each once.
	var paged []string
	cursor := ""
	for range 10 {
		path := "/customers?limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := get(path)
		paged = append(paged, rowNames(t, r)...)
		next, _ := r.json(t)["nextCursor"].(string)
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(paged) != 8 || len(slices.Compact(slices.Clone(paged))) != 8 {
		t.Errorf("paged list %q", paged)
	}

	// The search: accents and case, several words, domain prefix, ranking, no result.
	for q, want := range map[string][]string{
		"mull":           {"Müller Bau GmbH", "MULLER & SÖHNE", "Öko Müller-Lüdenscheidt KG"},
		"MÜLL":           {"Müller Bau GmbH", "MULLER & SÖHNE", "Öko Müller-Lüdenscheidt KG"},
		"bau gm":         {"Müller Bau GmbH"},
		"bau":            {"Bau", "Müller Bau GmbH", "Alpine Bauer AG", "Zenith Holding"}, // exact, word (by name), word, domain
		"arzt":           {"Ärztekammer Süd", "arztpraxis nord"},
		"müller-lüd":     {"Öko Müller-Lüdenscheidt KG"},
		"luedenscheidt":  nil, // ü folds to u, not ue
		"baust":          {"Zenith Holding"},
		"nothing at all": nil,
	} {
		if got := rowNames(t, get("/customers?q="+q)); !slices.Equal(got, want) {
			t.Errorf("q=%s: %q, want %q", q, got, want)
		}
	}
	if got := rowNames(t, get("/customers?q=bau&delegatedAdmin=none")); !slices.Equal(got, []string{"Alpine Bauer AG", "Zenith Holding"}) {
		t.Errorf("q=bau&delegatedAdmin=none: %q", got)
	}

	// A rename: a customer of this partner and of a second one; a third partner's customer of the
	// same name is untouched.
	third, thirdTok := e.onboard(t, "Third Partner")
	secondID, secondTok := e.onboard(t, "Second Partner")
	cidRenamed, email := e.newCustomer(t, pid, admin.AccessFull, 365)
	n := strings.TrimSuffix(strings.TrimPrefix(email, "alex@cust"), ".example")
	link := e.newLink(t, secondID, admin.LinkTrial, trialBody(false))
	expectStatus(t, e.accept(t, pagePath(t, link), url.Values{"mode": {"signin"}, "email": {email}, "password": {"Sunny-Meadow-Lantern-42"}}), 200, "second partner")
	thirdCustomer, _ := e.newCustomer(t, third, "", 0)
	oldName := "Customer " + n + " Ltd"
	for _, who := range []string{tok, secondTok} {
		r := e.do(caller{token: who}, req{method: "GET", path: "/customers?q=" + oldName})
		if got := rowNames(t, r); !slices.Equal(got, []string{oldName}) {
			t.Fatalf("before the rename %q finds %q", oldName, got)
		}
	}
	ctok := e.signInCustomer(t, email)
	tenant := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant"}).json(t)
	r := e.do(caller{token: ctok}, req{method: "PATCH", path: "/tenant", body: map[string]any{"name": "Hämmerle Werkzeug " + n, "country": "ch", "version": tenant["version"]}})
	expectStatus(t, r, 200, "rename")
	if b := r.json(t); b["name"] != "Hämmerle Werkzeug "+n || b["country"] != "CH" || b["version"] != tenant["version"].(float64)+1 {
		t.Errorf("renamed = %v", b)
	}
	expectProblem(t, e.do(caller{token: ctok}, req{method: "PATCH", path: "/tenant", body: map[string]any{"name": "X", "version": tenant["version"]}}), 409, admin.CodeVersionConflict, "")
	for _, who := range []string{tok, secondTok} {
		if got := rowNames(t, e.do(caller{token: who}, req{method: "GET", path: "/customers?q=hammerle werk"})); !slices.Equal(got, []string{"Hämmerle Werkzeug " + n}) {
			t.Errorf("after the rename the new name finds %q", got)
		}
		if got := rowNames(t, e.do(caller{token: who}, req{method: "GET", path: "/customers?q=werkzeug " + n})); !slices.Equal(got, []string{"Hämmerle Werkzeug " + n}) {
			t.Errorf("after the rename a later word finds %q", got)
		}
		if got := rowNames(t, e.do(caller{token: who}, req{method: "GET", path: "/customers?q=" + oldName})); len(got) != 0 {
			t.Errorf("after the rename the old name still finds %q", got)
		}
	}
	if got := rowNames(t, e.do(caller{token: thirdTok}, req{method: "GET", path: "/customers?q=customer"})); len(got) != 1 {
		t.Errorf("the third partner's search = %q, want its own customer only (%s)", got, thirdCustomer)
	}
	cust := e.do(caller{token: tok}, req{method: "GET", path: "/customers/" + cidRenamed}).json(t)
	counts, subs := cust["counts"].(map[string]any), cust["subscriptions"].(map[string]any)
	if cust["name"] != "Hämmerle Werkzeug "+n || counts["subscriptions"] != float64(2) || counts["users"] != float64(1) ||
		subs["byStatus"].(map[string]any)["trial"] != float64(2) || subs["totalLicenses"] == float64(0) {
		t.Errorf("customer page = %v", cust)
	}
	login, err := e.store.Login(t0(), email)
	if err != nil || login.OrgName != "Hämmerle Werkzeug "+n {
		t.Errorf("login orgName = %q (%v)", login.OrgName, err)
	}
	acts := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant/partners"})
	expectStatus(t, acts, 200, "tenant partners")
}

// onboard creates a partner of the global cloud with every authorization and returns its id and a
// token of a global admin with full customer access.
func (e *env) onboard(t *testing.T, name string) (string, string) {
	t.Helper()
	r := e.do(caller{operator: true}, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": name,
		"cloud": "global", "authorizations": []string{"delegated_admin", "subscription_advisor", "service_provider"}, "email": "c@" + strings.ReplaceAll(strings.ToLower(name), " ", "") + ".example",
		"firstAdmin": map[string]string{"email": fmt.Sprintf("first%d@onboard.example", e.seq.Add(1)), "displayName": "First"}}})
	expectStatus(t, r, 201, "onboard")
	id := r.json(t)["partner"].(map[string]any)["partnerId"].(string)
	_, tok := e.user(id, admin.RoleGlobalAdmin, admin.AccessFull)
	return id, tok
}

// TestDirectoryBadInput: the bad-input table of GET /customers and PATCH /tenant.
func TestDirectoryBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	_, email := e.newCustomer(t, pid, "", 0)
	ctok := e.signInCustomer(t, email)
	list := func(q string) req { return req{method: "GET", path: "/customers?" + q} }
	patch := func(body any) req { return req{method: "PATCH", path: "/tenant", body: body} }
	cases := []struct {
		name   string
		who    string
		req    req
		status int
		code   admin.Code
		field  string
	}{
		{"list unknown param", tok, list("sort=name"), 400, admin.CodeInvalidQuery, "sort"},
		{"list bad limit", tok, list("limit=0"), 400, admin.CodeInvalidQuery, "limit"},
		{"list limit type", tok, list("limit=ten"), 400, admin.CodeInvalidQuery, "limit"},
		{"list bad filter", tok, list("delegatedAdmin=soon"), 400, admin.CodeInvalidQuery, "delegatedAdmin"},
		{"list bad cursor", tok, list("cursor=bm9wZQ"), 400, admin.CodeInvalidCursor, "cursor"},
		{"list cursor not base64", tok, list("cursor=%%%"), 400, admin.CodeInvalidCursor, "cursor"},
		{"search bad cursor", tok, list("q=bau&cursor=bm9wZQ"), 400, admin.CodeInvalidCursor, "cursor"},
		{"search empty", tok, list("q="), 400, admin.CodeInvalidQuery, "q"},
		{"search punctuation", tok, list("q=---"), 400, admin.CodeInvalidQuery, "q"},
		{"search too long", tok, list("q=" + strings.Repeat("a", 101)), 400, admin.CodeInvalidQuery, "q"},
		{"search not UTF-8", tok, list("q=\xff\xfe"), 400, admin.CodeInvalidQuery, "q"},
		{"patch malformed", ctok, patch(`{"name":`), 400, admin.CodeMalformedJSON, ""},
		{"patch unknown field", ctok, patch(map[string]any{"name": "X", "domainPrefix": "x", "version": 1}), 400, admin.CodeUnknownField, "domainPrefix"},
		{"patch wrong type", ctok, patch(map[string]any{"name": 7, "version": 1}), 400, admin.CodeMalformedJSON, "name"},
		{"patch version type", ctok, patch(map[string]any{"name": "X", "version": "1"}), 400, admin.CodeMalformedJSON, "version"},
		{"patch missing version", ctok, patch(map[string]any{"name": "X"}), 422, admin.CodeValidation, "version"},
		{"patch empty name", ctok, patch(map[string]any{"name": " ", "version": 1}), 422, admin.CodeValidation, "name"},
		{"patch name too long", ctok, patch(map[string]any{"name": strings.Repeat("n", 201), "version": 1}), 422, admin.CodeValidation, "name"},
		{"patch name not UTF-8", ctok, patch(notText(map[string]any{"name": "", "version": 1}, notUTF8, "name")), 400, admin.CodeMalformedJSON, "name"},
		{"patch bad country", ctok, patch(map[string]any{"country": "Deutschland", "version": 1}), 422, admin.CodeValidation, "country"},
		{"patch stale version", ctok, patch(map[string]any{"name": "New Name", "version": 9}), 409, admin.CodeVersionConflict, ""},
		{"patch query", ctok, req{method: "PATCH", path: "/tenant?x=1", body: map[string]any{"name": "X", "version": 1}}, 400, admin.CodeInvalidQuery, "x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			expectProblem(t, e.do(caller{token: c.who}, c.req), c.status, c.code, c.field)
		})
	}
}
