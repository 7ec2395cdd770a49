package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/email"
	"github.com/partner-admin-center/pac/shared/store"
)

var operatorCaller = caller{operator: true}

// issueKeys issues n keys of a product to a partner and returns their text.
func (e *env) issueKeys(t *testing.T, pid, product string, licenses, n int, extra map[string]any) []string {
	t.Helper()
	body := map[string]any{"productId": product, "licenses": licenses, "count": n}
	for k, v := range extra {
		body[k] = v
	}
	r := e.do(operatorCaller, req{method: "POST", path: "/operator/partners/" + pid + "/product-keys", body: body})
	expectStatus(t, r, 201, "issue keys")
	var out []string
	for _, k := range r.json(t)["keys"].([]any) {
		out = append(out, k.(map[string]any)["key"].(string))
	}
	return out
}

// issueKey issues one key to a partner and returns its text and id.
func (e *env) issueKey(pid string) (string, string) {
	e.t.Helper()
	r := e.do(operatorCaller, req{method: "POST", path: "/operator/partners/" + pid + "/product-keys", body: map[string]any{"productId": "m365-e3", "licenses": 10, "count": 1}})
	expectStatus(e.t, r, 201, "issue a key")
	k := r.json(e.t)["keys"].([]any)[0].(map[string]any)
	return k["key"].(string), k["keyId"].(string)
}

// The product key routes in the permission matrix: reading needs the global admin role or any
// customer access, redeeming the global admin role or full access (TestProductKeyGates has the
// whole rule, with the partner's authorization).
func init() {
	matrixCases = append(matrixCases,
		matrixCase{route: "POST /operator/partners/{partnerId}/product-keys", ok: 201, allowed: []admin.CompanyRole{}, build: func(_ *env, pid string) req {
			return req{method: "POST", path: "/operator/partners/" + pid + "/product-keys", body: map[string]any{"productId": "m365-e3", "licenses": 1, "count": 2}}
		}},
		matrixCase{route: "DELETE /operator/product-keys/{keyId}", ok: 204, allowed: []admin.CompanyRole{}, build: func(e *env, pid string) req {
			_, id := e.issueKey(pid)
			return req{method: "DELETE", path: "/operator/product-keys/" + id}
		}},
		matrixCase{route: "GET /product-keys", ok: 200, who: withAccess, build: func(*env, string) req { return req{method: "GET", path: "/product-keys"} }},
		matrixCase{route: "POST /product-keys/preview", ok: 200, who: withAccess, build: func(e *env, pid string) req {
			k, _ := e.issueKey(pid)
			return req{method: "POST", path: "/product-keys/preview", body: map[string]string{"key": k}}
		}},
		matrixCase{route: "POST /product-keys/redemptions", ok: 201, who: withFull, build: func(e *env, pid string) req {
			k, _ := e.issueKey(pid)
			return req{method: "POST", path: "/product-keys/redemptions", body: newOrgBody(500000+e.seq.Add(1), k)}
		}},
	)
}

// keyIDOf finds a key's id in the partner's inventory by its last group.
func (e *env) keyIDOf(t *testing.T, tok, key string) string {
	t.Helper()
	r := e.do(caller{token: tok}, req{method: "GET", path: "/product-keys?limit=100"})
	expectStatus(t, r, 200, "inventory")
	for _, it := range r.json(t)["items"].([]any) {
		m := it.(map[string]any)
		if strings.HasSuffix(key, m["lastGroup"].(string)) {
			return m["keyId"].(string)
		}
	}
	t.Fatalf("key %s not in the inventory", key)
	return ""
}

func newOrgBody(n int64, key string) map[string]any {
	return map[string]any{"key": key, "customer": map[string]any{"organization": fmt.Sprintf("Keyed Customer %d Ltd", n), "domainPrefix": fmt.Sprintf("keyed%d", n),
		"country": "de", "adminName": "Kim Admin", "adminEmail": fmt.Sprintf("Kim@Keyed%d.example", n)}}
}

// TestProductKeys walks the product keys end to end on one world: issue, inventory, preview, the
// redemption for an existing customer (no delegated administration needed) and for a new one with
// a delegated-admin offer, whose admin signs in with the emailed temporary password and must change
// it; every error, the replays of both creates, revocation and expiry.
func TestProductKeys(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	vianet := e.partner("21vianet").PartnerID
	_, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	do := func(method, path string, body any) result {
		return e.do(caller{token: tok}, req{method: method, path: path, body: body})
	}

	// Issue: the text once, the inventory the last group; an Idempotency-Key replay issues nothing.
	keys := e.issueKeys(t, pid, "m365-business-premium", 25, 3, nil)
	for _, k := range keys {
		if _, ok := admin.ParseProductKey(k); !ok || len(k) != 29 {
			t.Fatalf("issued key %q", k)
		}
	}
	idemHeader := map[string]string{"Idempotency-Key": "issue-1"}
	issue := req{method: "POST", path: "/operator/partners/" + pid + "/product-keys", body: map[string]any{"productId": "m365-e3", "licenses": 100, "count": 2}, headers: idemHeader}
	expectStatus(t, e.do(operatorCaller, issue), 201, "issue with a key")
	replay := e.do(operatorCaller, issue)
	if replay.Status != 201 || replay.Headers["Idempotent-Replayed"] != "true" || len(replay.json(t)["keys"].([]any)) != 0 {
		t.Fatalf("issue replay: %d %v %s", replay.Status, replay.Headers, replay.Body)
	}
	issue.body = map[string]any{"productId": "m365-e3", "licenses": 100, "count": 3}
	expectProblem(t, e.do(operatorCaller, issue), 422, admin.CodeIdempotencyKeyReused, "")
	inv := do("GET", "/product-keys?productId=m365-e3", nil)
	expectStatus(t, inv, 200, "inventory by product")
	if items := inv.json(t)["items"].([]any); len(items) != 2 {
		t.Fatalf("m365-e3 keys: %d, want 2 (the replay issued none)", len(items))
	}
	if strings.Contains(string(do("GET", "/product-keys", nil).Body), keys[0][6:]) {
		t.Fatal("the inventory shows more of a key than its last group")
	}

	// Preview: what the key is, in any spelling; a typo is caught before any lookup.
	p := do("POST", "/product-keys/preview", map[string]string{"key": strings.ToLower(strings.ReplaceAll(keys[0], "-", " "))})
	expectStatus(t, p, 200, "preview")
	if m := p.json(t); m["productId"] != "m365-business-premium" || m["licenses"] != float64(25) || m["state"] != "available" || m["lastGroup"] != keys[0][24:] {
		t.Fatalf("preview %v", m)
	}
	typo := []byte(keys[0])
	typo[0], typo[1] = typo[1], typo[0]
	if typo[0] == typo[1] {
		typo[2] = map[bool]byte{true: 'A', false: 'C'}[typo[2] != 'A']
	}
	expectProblem(t, do("POST", "/product-keys/preview", map[string]string{"key": string(typo)}), 422, admin.CodeMalformedProductKey, "key")

	// Another partner's key (of another cloud) and a key of another cloud stored under this
	// partner: one 404, as for an unknown key.
	foreign := e.issueKeys(t, vianet, "o365-e1-21v", 5, 1, nil)[0]
	unknown, _ := admin.NewProductKey()
	otherCloud, _ := admin.NewProductKey()
	notInCatalog, _ := admin.NewProductKey()
	for _, k := range []struct {
		text    string
		cloud   admin.Cloud
		product string
	}{{otherCloud, admin.Cloud21Vianet, "o365-e1-21v"}, {notInCatalog, admin.CloudGlobal, "o365-e1-21v"}} {
		c, _ := admin.ParseProductKey(k.text)
		if err := store.NewProductKeys(e.store).IssueProductKeys(t0(), []admin.ProductKey{{ID: appNewID("pky"), PartnerID: pid, Cloud: k.cloud, ProductID: k.product, Licenses: 5,
			Hash: e.deps.ProductKeys.Hasher.Hash(c), LastGroup: c[20:], Version: 1, CreatedAt: e.now()}}, admin.Activity{ID: appNewID("act"), OrgID: pid, At: e.now()}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{foreign, unknown, otherCloud} {
		expectProblem(t, do("POST", "/product-keys/preview", map[string]string{"key": k}), 404, admin.CodeNotFound, "")
	}

	// An existing customer without delegated administration: the partner becomes its POR.
	plain, plainAdmin := e.newCustomer(t, pid, "", 0)
	r := do("POST", "/product-keys/redemptions", map[string]any{"key": keys[0], "customer": map[string]any{"customerId": plain}})
	expectStatus(t, r, 201, "redeem for an existing customer")
	m := r.json(t)
	sub := m["subscription"].(map[string]any)
	if sub["partnerOfRecord"] != pid || sub["licenses"] != float64(25) || sub["status"] != "active" || len(sub["porHistory"].([]any)) != 1 ||
		m["customer"].(map[string]any)["new"] != false || m["productKey"].(map[string]any)["state"] != "redeemed" {
		t.Fatalf("redemption %v", m)
	}
	ctok := e.signInCustomer(t, plainAdmin)
	subs := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant/subscriptions"})
	if !strings.Contains(string(subs.Body), sub["subscriptionId"].(string)) {
		t.Fatalf("the customer does not see the subscription: %s", subs.Body)
	}
	r = do("POST", "/product-keys/redemptions", map[string]any{"key": keys[0], "customer": map[string]any{"customerId": plain}})
	expectProblem(t, r, 409, admin.CodeProductKeyRedeemed, "")
	inv = do("GET", "/product-keys?state=redeemed", nil)
	if items := inv.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["customerId"] != plain || items[0].(map[string]any)["subscriptionId"] != sub["subscriptionId"] {
		t.Fatalf("redeemed keys %s", inv.Body)
	}

	// The same redemption again under its Idempotency-Key is a replay; another body is refused.
	idem := map[string]string{"Idempotency-Key": "redeem-1"}
	redeem := req{method: "POST", path: "/product-keys/redemptions", body: map[string]any{"key": keys[1], "customer": map[string]any{"customerId": plain}}, headers: idem}
	first := e.do(caller{token: tok}, redeem)
	expectStatus(t, first, 201, "redeem with a key")
	again := e.do(caller{token: tok}, redeem)
	if again.Status != 201 || again.Headers["Idempotent-Replayed"] != "true" ||
		again.json(t)["subscription"].(map[string]any)["subscriptionId"] != first.json(t)["subscription"].(map[string]any)["subscriptionId"] {
		t.Fatalf("redeem replay: %d %s", again.Status, again.Body)
	}
	redeem.body = map[string]any{"key": keys[1], "customer": map[string]any{"customerId": plain}, "delegatedAdmin": map[string]any{"scope": "limited"}}
	expectProblem(t, e.do(caller{token: tok}, redeem), 422, admin.CodeIdempotencyKeyReused, "")

	// A new organization with a delegated-admin offer: its admin gets the temporary password and
	// the offer by email, signs in, must change the password, and accepts the offer.
	n := 300000 + e.seq.Add(1)
	body := newOrgBody(n, keys[2])
	body["delegatedAdmin"] = map[string]any{"scope": "limited", "durationDays": 90}
	r = do("POST", "/product-keys/redemptions", body)
	expectStatus(t, r, 201, "redeem for a new organization")
	m = r.json(t)
	cust := m["customer"].(map[string]any)
	offer := m["delegatedAdminOffer"].(map[string]any)
	if cust["new"] != true || cust["domainPrefix"] != fmt.Sprintf("keyed%d", n) || offer["url"] == "" {
		t.Fatalf("new organization %v", m)
	}
	// Targeted at the new customer, the offer expires unless accepted within 90 days.
	if exp, err := time.Parse(time.RFC3339Nano, fmt.Sprint(offer["expiresAt"])); err != nil || exp.After(e.now().Add(90*24*time.Hour)) || exp.Before(e.now().Add(89*24*time.Hour)) {
		t.Errorf("the offer expires at %v (%v), want 90 days from now", offer["expiresAt"], err)
	}
	adminEmail := fmt.Sprintf("kim@keyed%d.example", n)
	var temp string
	offers := 0
	for _, it := range e.outbox(t) {
		to := it["to"].([]any)
		if len(to) != 1 || to[0] != adminEmail {
			continue
		}
		switch it["template"] {
		case "delegated_admin_offer":
			offers++
		case "customer_admin_account":
			raw, rawJSON := e.rawItem(t, it["PK"].(string), "OUTBOX")
			var item store.OutboxItem
			if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
				t.Fatal(err)
			}
			facts, err := item.Facts(e.deps.CustomerUsers.Store.(*store.Store).Sealer)
			if err != nil {
				t.Fatal(err)
			}
			temp = facts["temporaryPassword"]
			if temp == "" || strings.Contains(rawJSON, temp) {
				t.Fatalf("the temporary password is missing or stored in plaintext: %s", rawJSON)
			}
			msg, err := email.Render(item.Template, facts)
			if err != nil || !strings.Contains(msg.Text, temp) || !strings.Contains(msg.Text, adminEmail) || !strings.Contains(msg.Text, "25 × Microsoft 365 Business Premium") {
				t.Fatalf("the email: %v\n%s", err, msg.Text)
			}
		}
	}
	if temp == "" || offers != 1 {
		t.Fatalf("emails to the new admin: password %v, offers %d", temp != "", offers)
	}
	signIn := e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": adminEmail, "password": temp}})
	expectStatus(t, signIn, 200, "sign in with the temporary password")
	if signIn.json(t)["passwordChangeRequired"] != true {
		t.Fatalf("sign-in %s", signIn.Body)
	}
	newTok := signIn.json(t)["accessToken"].(string)
	expectProblem(t, e.do(caller{token: newTok}, req{method: "GET", path: "/tenant/subscriptions"}), 403, admin.CodePasswordChangeNeeded, "")
	changed := e.do(caller{token: newTok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": temp, "newPassword": "Keyed-Customer-Passphrase-9"}})
	expectStatus(t, changed, 200, "change the temporary password")
	newTok = changed.json(t)["accessToken"].(string)
	subs = e.do(caller{token: newTok}, req{method: "GET", path: "/tenant/subscriptions"})
	if !strings.Contains(string(subs.Body), `"partnerOfRecord":"`+pid+`"`) {
		t.Fatalf("the new customer's subscriptions: %s", subs.Body)
	}
	accepted := e.accept(t, pagePath(t, offer), url2form(map[string]string{"mode": "signin", "email": adminEmail, "password": "Keyed-Customer-Passphrase-9", "delegatedAdmin": "accept"}))
	expectStatus(t, accepted, 200, "the admin accepts the offer")
	expectStatus(t, do("GET", "/customers/"+cust["customerId"].(string), nil), 200, "the partner inside the new customer")

	// A delegated-admin offer with a redemption for an existing customer goes to its admins.
	more := e.issueKeys(t, pid, "teams-essentials", 10, 4, map[string]any{"expiresAt": e.now().Add(time.Hour)})
	r = do("POST", "/product-keys/redemptions", map[string]any{"key": more[0], "customer": map[string]any{"customerId": plain},
		"delegatedAdmin": map[string]any{"scope": "full", "durationDays": 30}})
	expectStatus(t, r, 201, "redeem with an offer for an existing customer")
	found := false
	for _, it := range e.outbox(t) {
		if to := it["to"].([]any); it["template"] == "delegated_admin_offer" && len(to) == 1 && to[0] == plainAdmin {
			found = true
		}
	}
	if !found {
		t.Fatal("the existing customer's admin got no offer")
	}

	// Every refusal with its code; nothing is redeemed by them.
	stranger, _ := e.newCustomer(t, vianet, "", 0)
	taken := newOrgBody(n, more[1])
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		code   admin.Code
		field  string
	}{
		{"malformed", map[string]any{"key": "ABCDE-ABCDE", "customer": map[string]any{"customerId": plain}}, 422, admin.CodeMalformedProductKey, "key"},
		{"typo", map[string]any{"key": string(typo), "customer": map[string]any{"customerId": plain}}, 422, admin.CodeMalformedProductKey, "key"},
		{"unknown", map[string]any{"key": unknown, "customer": map[string]any{"customerId": plain}}, 404, admin.CodeNotFound, ""},
		{"another partner's", map[string]any{"key": foreign, "customer": map[string]any{"customerId": plain}}, 404, admin.CodeNotFound, ""},
		{"another cloud's", map[string]any{"key": otherCloud, "customer": map[string]any{"customerId": plain}}, 404, admin.CodeNotFound, ""},
		{"not in the customer's catalog", map[string]any{"key": notInCatalog, "customer": map[string]any{"customerId": plain}}, 409, admin.CodeProductNotAvailable, ""},
		{"not this partner's customer", map[string]any{"key": more[1], "customer": map[string]any{"customerId": stranger}}, 404, admin.CodeNotFound, ""},
		{"unknown customer", map[string]any{"key": more[1], "customer": map[string]any{"customerId": "cus_01jtgd00000000000000000099"}}, 404, admin.CodeNotFound, ""},
		{"no customer", map[string]any{"key": more[1]}, 422, admin.CodeValidation, "customer"},
		{"both customers", map[string]any{"key": more[1], "customer": map[string]any{"customerId": plain, "organization": "X"}}, 422, admin.CodeValidation, "customer"},
		{"domain prefix taken", taken, 422, admin.CodeValidation, "customer.domainPrefix"},
		{"offer scope", map[string]any{"key": more[1], "customer": map[string]any{"customerId": plain}, "delegatedAdmin": map[string]any{"scope": "owner"}}, 422, admin.CodeValidation, "delegatedAdmin.scope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			expectProblem(t, do("POST", "/product-keys/redemptions", c.body), c.status, c.code, c.field)
		})
	}
	taken["customer"].(map[string]any)["domainPrefix"] = fmt.Sprintf("other%d", n)
	expectProblem(t, do("POST", "/product-keys/redemptions", taken), 409, admin.CodeEmailTaken, "")

	// Revocation (operator): once; a redeemed key not at all; then the key is refused.
	id := e.keyIDOf(t, tok, more[1])
	expectStatus(t, e.do(operatorCaller, req{method: "DELETE", path: "/operator/product-keys/" + id}), 204, "revoke")
	expectStatus(t, e.do(operatorCaller, req{method: "DELETE", path: "/operator/product-keys/" + id}), 204, "revoke again")
	expectProblem(t, do("POST", "/product-keys/redemptions", map[string]any{"key": more[1], "customer": map[string]any{"customerId": plain}}), 409, admin.CodeProductKeyRevoked, "")
	expectProblem(t, e.do(operatorCaller, req{method: "DELETE", path: "/operator/product-keys/" + e.keyIDOf(t, tok, keys[0])}), 409, admin.CodeProductKeyRedeemed, "")
	expectProblem(t, e.do(operatorCaller, req{method: "DELETE", path: "/operator/product-keys/pky_01jtgd00000000000000000099"}), 404, admin.CodeNotFound, "")
	expectProblem(t, e.do(caller{token: tok}, req{method: "DELETE", path: "/operator/product-keys/" + id}), 403, admin.CodeForbidden, "")

	// Expiry: at the second it is due.
	e.advance(time.Hour)
	_, tok = e.user(pid, admin.RoleGlobalAdmin, admin.AccessNone)
	expectProblem(t, do("POST", "/product-keys/redemptions", map[string]any{"key": more[2], "customer": map[string]any{"customerId": plain}}), 409, admin.CodeProductKeyExpired, "")
	inv = do("GET", "/product-keys?state=expired&productId=teams-essentials", nil)
	if items := inv.json(t)["items"].([]any); len(items) != 2 {
		t.Fatalf("expired keys: %s", inv.Body)
	}
	if p := do("POST", "/product-keys/preview", map[string]string{"key": more[3]}); p.json(t)["state"] != "expired" {
		t.Fatalf("preview of an expired key: %s", p.Body)
	}
}

func url2form(m map[string]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range m {
		out[k] = []string{v}
	}
	return out
}

// TestProductKeyRace: 50 concurrent redemptions of one key, each for a new organization of its
// own: exactly one succeeds, every other is product_key_redeemed, and exactly one customer and one
// subscription exist.
func TestProductKeyRace(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	key := e.issueKeys(t, pid, "m365-e3", 10, 1, nil)[0]
	before, _ := e.store.Partner(t0(), pid)
	const n = 50
	base := 400000 + e.seq.Add(n)
	statuses := make([]int, n)
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do(caller{token: tok}, req{method: "POST", path: "/product-keys/redemptions", body: newOrgBody(base+int64(i), key)})
			statuses[i] = r.Status
			if r.Status != 201 {
				codes[i] = string(r.problem(t).Code)
			}
		}()
	}
	wg.Wait()
	won := 0
	for i := range n {
		switch {
		case statuses[i] == 201:
			won++
		case statuses[i] != http.StatusConflict || codes[i] != string(admin.CodeProductKeyRedeemed):
			t.Errorf("redemption %d: %d %s", i, statuses[i], codes[i])
		}
	}
	if won != 1 {
		t.Fatalf("%d redemptions succeeded, want exactly 1", won)
	}
	after, _ := e.store.Partner(t0(), pid)
	if after.CustomerCount != before.CustomerCount+1 {
		t.Fatalf("customers %d → %d, want exactly one new", before.CustomerCount, after.CustomerCount)
	}
	inv := e.do(caller{token: tok}, req{method: "GET", path: "/product-keys?state=redeemed"})
	items := inv.json(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("redeemed keys: %s", inv.Body)
	}
	cid := items[0].(map[string]any)["customerId"].(string)
	subs := e.do(caller{token: tok}, req{method: "GET", path: "/customers/" + cid})
	if subs.Status != http.StatusForbidden { // no delegated administration: the partner is POR only
		t.Fatalf("inside the customer: %d", subs.Status)
	}
	page, err := e.store.Subscriptions(t0(), cid, admin.PageRequest{Limit: 10})
	if err != nil || len(page.Items) != 1 || page.Items[0].PartnerOfRecord != pid {
		t.Fatalf("subscriptions of the winner: %+v %v", page.Items, err)
	}
}

// TestProductKeyGates: the partner's authorization × the user's company role and customer access
// on the three partner routes (reading: the global admin role or any customer access; redeeming:
// the global admin role or full access). A request that passes the gate here meets a malformed
// key (422), so nothing is read or written.
func TestProductKeyGates(t *testing.T) {
	e := newEnv(t)
	advisor := e.partner("global").PartnerID
	r := e.do(operatorCaller, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "No Advisor Ltd", "cloud": "global",
		"authorizations": []string{"delegated_admin", "service_provider"}, "email": "hello@noadvisor.example",
		"firstAdmin": map[string]any{"email": "first@noadvisor.example", "displayName": "First"}}})
	expectStatus(t, r, 201, "onboard a partner without subscription_advisor")
	other := r.json(t)["partner"].(map[string]any)["partnerId"].(string)
	expectProblem(t, e.do(operatorCaller, req{method: "POST", path: "/operator/partners/" + other + "/product-keys",
		body: map[string]any{"productId": "m365-e3", "licenses": 1, "count": 1}}), 403, admin.CodeFeatureNotAuthorized, "")
	for _, pid := range []string{advisor, other} {
		for _, role := range []admin.CompanyRole{admin.RoleGlobalAdmin, admin.RoleUserAdmin, admin.RoleNone} {
			for _, access := range admin.CustomerAccesses {
				_, tok := e.user(pid, role, access)
				name := fmt.Sprintf("%s/%s/%s", map[bool]string{true: "advisor", false: "other"}[pid == advisor], role, access)
				t.Run(name, func(t *testing.T) {
					read := role == admin.RoleGlobalAdmin || access != admin.AccessNone
					redeem := role == admin.RoleGlobalAdmin || access == admin.AccessFull
					for _, c := range []struct {
						req  req
						ok   int
						code admin.Code
						may  bool
					}{
						{req{method: "GET", path: "/product-keys"}, 200, "", read},
						{req{method: "POST", path: "/product-keys/preview", body: map[string]string{"key": "NOT-A-KEY"}}, 422, admin.CodeMalformedProductKey, read},
						{req{method: "POST", path: "/product-keys/redemptions", body: map[string]any{"key": "NOT-A-KEY", "customer": map[string]any{"customerId": "cus_01jtgd00000000000000000099"}}}, 422, admin.CodeMalformedProductKey, redeem},
					} {
						got := e.do(caller{token: tok}, c.req)
						switch {
						case pid != advisor:
							expectProblem(t, got, 403, admin.CodeFeatureNotAuthorized, "")
						case !c.may:
							expectProblem(t, got, 403, admin.CodeForbidden, "")
						case c.code != "":
							expectProblem(t, got, c.ok, c.code, "key")
						default:
							expectStatus(t, got, c.ok, c.req.path)
						}
					}
				})
			}
		}
	}
	// A customer admin's token is refused; no token is unauthenticated.
	_, custAdmin := e.newCustomer(t, advisor, "", 0)
	expectProblem(t, e.do(caller{token: e.signInCustomer(t, custAdmin)}, req{method: "GET", path: "/product-keys"}), 403, admin.CodeForbidden, "")
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/product-keys/preview", body: map[string]string{"key": "x"}}), 401, admin.CodeUnauthenticated, "")
	// An offer with a redemption needs delegated_admin_offers as well.
	r = e.do(operatorCaller, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "Advisor Only Ltd", "cloud": "global",
		"authorizations": []string{"subscription_advisor"}, "email": "hello@advisoronly.example",
		"firstAdmin": map[string]any{"email": "first@advisoronly.example", "displayName": "First"}}})
	expectStatus(t, r, 201, "onboard an advisor only")
	only := r.json(t)["partner"].(map[string]any)["partnerId"].(string)
	key := e.issueKeys(t, only, "m365-e3", 1, 1, nil)[0]
	_, tok := e.user(only, admin.RoleGlobalAdmin, admin.AccessFull)
	expectProblem(t, e.do(caller{token: tok}, req{method: "POST", path: "/product-keys/redemptions", body: map[string]any{"key": key,
		"customer": map[string]any{"customerId": "cus_01jtgd00000000000000000099"}, "delegatedAdmin": map[string]any{"scope": "limited"}}}), 403, admin.CodeFeatureNotAuthorized, "")
}

// TestProductKeyBadInput: malformed requests to the product key routes get their problem, never a 500.
func TestProductKeyBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	u := caller{token: tok}
	issue := "/operator/partners/" + pid + "/product-keys"
	valid := func() map[string]any { return map[string]any{"productId": "m365-e3", "licenses": 5, "count": 1} }
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	without := func(m map[string]any, k string) map[string]any { delete(m, k); return m }
	cid := "cus_01jtgd00000000000000000099"
	redeem := func() map[string]any {
		return map[string]any{"key": "ABCDE", "customer": map[string]any{"customerId": cid}}
	}
	cases := []struct {
		name   string
		c      caller
		req    req
		status int
		code   admin.Code
		field  string
	}{
		{"issue malformed", operatorCaller, req{method: "POST", path: issue, body: `{"productId":`}, 400, admin.CodeMalformedJSON, ""},
		{"issue unknown field", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "cloud", "global")}, 400, admin.CodeUnknownField, "cloud"},
		{"issue wrong type", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "count", "5")}, 400, admin.CodeMalformedJSON, "count"},
		{"issue missing product", operatorCaller, req{method: "POST", path: issue, body: without(valid(), "productId")}, 422, admin.CodeValidation, "productId"},
		{"issue missing count", operatorCaller, req{method: "POST", path: issue, body: without(valid(), "count")}, 422, admin.CodeValidation, "count"},
		{"issue too many", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "count", 501)}, 422, admin.CodeValidation, "count"},
		{"issue licenses", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "licenses", 0)}, 422, admin.CodeValidation, "licenses"},
		{"issue unknown product", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "productId", strings.Repeat("x", 300))}, 422, admin.CodeValidation, "productId"},
		{"issue expiry past", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "expiresAt", "2020-01-01T00:00:00Z")}, 422, admin.CodeValidation, "expiresAt"},
		{"issue expiry not a time", operatorCaller, req{method: "POST", path: issue, body: with(valid(), "expiresAt", "tomorrow")}, 400, admin.CodeMalformedJSON, ""},
		{"issue bad idempotency key", operatorCaller, req{method: "POST", path: issue, body: valid(), headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 300)}}, 400, admin.CodeInvalidIdempotencyKey, "Idempotency-Key"},
		{"issue huge", operatorCaller, req{method: "POST", path: issue, body: huge()}, 413, admin.CodePayloadTooLarge, ""},
		{"issue unknown partner", operatorCaller, req{method: "POST", path: "/operator/partners/ptn_x/product-keys", body: valid()}, 404, admin.CodeNotFound, ""},
		{"issue query", operatorCaller, req{method: "POST", path: issue + "?count=5", body: valid()}, 400, admin.CodeInvalidQuery, "count"},
		{"revoke bad id", operatorCaller, req{method: "DELETE", path: "/operator/product-keys/nope"}, 404, admin.CodeNotFound, ""},
		{"list bad state", u, req{method: "GET", path: "/product-keys?state=used"}, 400, admin.CodeInvalidQuery, "state"},
		{"list unknown product", u, req{method: "GET", path: "/product-keys?productId=o365-e1-21v"}, 400, admin.CodeInvalidQuery, "productId"},
		{"list unknown parameter", u, req{method: "GET", path: "/product-keys?customer=x"}, 400, admin.CodeInvalidQuery, "customer"},
		{"list bad limit", u, req{method: "GET", path: "/product-keys?limit=0"}, 400, admin.CodeInvalidQuery, "limit"},
		{"list bad cursor", u, req{method: "GET", path: "/product-keys?cursor=bm9wZQ"}, 400, admin.CodeInvalidCursor, "cursor"},
		{"preview missing key", u, req{method: "POST", path: "/product-keys/preview", body: map[string]any{}}, 422, admin.CodeValidation, "key"},
		{"preview wrong type", u, req{method: "POST", path: "/product-keys/preview", body: map[string]any{"key": 7}}, 400, admin.CodeMalformedJSON, "key"},
		{"preview unknown field", u, req{method: "POST", path: "/product-keys/preview", body: map[string]any{"key": "x", "customerId": cid}}, 400, admin.CodeUnknownField, "customerId"},
		{"preview too long", u, req{method: "POST", path: "/product-keys/preview", body: map[string]any{"key": strings.Repeat("A", 5000)}}, 422, admin.CodeMalformedProductKey, "key"},
		{"preview not json", u, req{method: "POST", path: "/product-keys/preview", body: "key=x", headers: map[string]string{"content-type": "text/plain"}}, 415, admin.CodeUnsupportedMediaType, ""},
		{"redeem missing key", u, req{method: "POST", path: "/product-keys/redemptions", body: without(redeem(), "key")}, 422, admin.CodeValidation, "key"},
		{"redeem wrong type", u, req{method: "POST", path: "/product-keys/redemptions", body: with(redeem(), "customer", "cus_1")}, 400, admin.CodeMalformedJSON, "customer"},
		{"redeem unknown field", u, req{method: "POST", path: "/product-keys/redemptions", body: with(redeem(), "licenses", 5)}, 400, admin.CodeUnknownField, "licenses"},
		{"redeem unknown customer field", u, req{method: "POST", path: "/product-keys/redemptions", body: with(redeem(), "customer", map[string]any{"id": cid})}, 400, admin.CodeUnknownField, "customer.id"},
		{"redeem offer wrong type", u, req{method: "POST", path: "/product-keys/redemptions", body: with(redeem(), "delegatedAdmin", map[string]any{"durationDays": "30"})}, 400, admin.CodeMalformedJSON, "delegatedAdmin.durationDays"},
		{"redeem bad idempotency key", u, req{method: "POST", path: "/product-keys/redemptions", body: redeem(), headers: map[string]string{"Idempotency-Key": "a b"}}, 400, admin.CodeInvalidIdempotencyKey, "Idempotency-Key"},
		{"redeem huge", u, req{method: "POST", path: "/product-keys/redemptions", body: huge()}, 413, admin.CodePayloadTooLarge, ""},
		{"redeem name too long", u, req{method: "POST", path: "/product-keys/redemptions", body: with(newOrgBody(1, "x"), "key", e.issueKeys(t, pid, "m365-e3", 1, 1, nil)[0])}, 0, "", ""},
	}
	long := cases[len(cases)-1].req.body.(map[string]any)
	long["customer"].(map[string]any)["organization"] = strings.Repeat("n", 201)
	cases[len(cases)-1].status, cases[len(cases)-1].code, cases[len(cases)-1].field = 422, admin.CodeValidation, "customer.organization"
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblem(t, e.do(c.c, c.req), c.status, c.code, c.field)
		})
	}
}
