package api_test

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/partner-admin-center/pac/shared/admin"
)

// race accepts a link from n new customers at once and returns how many succeeded.
func race(t *testing.T, e *env, path string, n int, base int64, extra map[string]string) int {
	t.Helper()
	_, token := e.open(t, path)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f := signUpForm(base+int64(i), extra)
			f.Set("csrf", token)
			r := e.do(caller{}, req{method: "POST", path: path, form: f, cookies: []string{"pac_csrf=" + token}})
			switch r.Status {
			case 200:
				ok.Add(1)
			case 404, 409:
			default:
				t.Errorf("accept: %d %s", r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	return int(ok.Load())
}

func TestLinkRaces(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	t.Run("maxUses 1, 200 at once", func(t *testing.T) {
		e.t = t
		b := trialBody(true)
		b["maxUses"] = 1
		link := e.newLink(t, pid, admin.LinkTrial, b)
		if got := race(t, e, pagePath(t, link), 200, 1000, map[string]string{"delegatedAdmin": "accept"}); got != 1 {
			t.Fatalf("%d acceptances, want exactly 1", got)
		}
		p, _ := e.store.Partner(t0(), pid)
		out := e.outbox(t)
		if p.CustomerCount != 1 || countTemplate(out, "customer_welcome") != 1 || countTemplate(out, "partner_answer") != 1 {
			t.Fatalf("customers %d, outbox %d/%d", p.CustomerCount, countTemplate(out, "customer_welcome"), countTemplate(out, "partner_answer"))
		}
	})
	t.Run("maxUses 10, 100 at once", func(t *testing.T) {
		e.t = t
		b := trialBody(false)
		b["maxUses"] = 10
		link := e.newLink(t, pid, admin.LinkTrial, b)
		if got := race(t, e, pagePath(t, link), 100, 2000, nil); got != 10 {
			t.Fatalf("%d acceptances, want exactly 10", got)
		}
		_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		l := e.do(caller{token: tok}, req{method: "GET", path: "/trial-invitations/" + link["linkId"].(string)}).json(t)
		if l["uses"].(float64) != 10 || l["state"] != "used_up" {
			t.Fatalf("link %v", l)
		}
	})
}

func TestLinkValidity(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	invalid := func(t *testing.T, path string) string {
		t.Helper()
		r, _ := e.open(t, path)
		expectStatus(t, r, 404, "invalid link")
		return string(r.Body)
	}
	unknown := invalid(t, "/trial/aaaaaaaaaaaaaaaaaaaaaaaaaa")

	t.Run("expiry one second before and after", func(t *testing.T) {
		e.t = t
		exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		b := trialBody(false)
		b["expiresAt"] = exp.Format(time.RFC3339)
		path := pagePath(t, e.newLink(t, pid, admin.LinkTrial, b))
		e.now = func() time.Time { return exp.Add(-time.Second) }
		expectStatus(t, e.accept(t, path, signUpForm(31, nil)), 200, "one second before")
		e.now = func() time.Time { return exp.Add(time.Second) }
		if got := invalid(t, path); got != unknown {
			t.Fatal("an expired link's page differs from an unknown one")
		}
		expectStatus(t, e.accept(t, path, signUpForm(32, nil)), 404, "one second after")
		e.now = time.Now
	})
	t.Run("revoked", func(t *testing.T) {
		e.t = t
		link := e.newLink(t, pid, admin.LinkOffer, map[string]any{"lines": []map[string]any{{"productId": "m365-e3", "licenses": 3}}})
		path := pagePath(t, link)
		page, token := e.open(t, path)
		expectStatus(t, page, 200, "before revoke")
		_, tok := e.user(pid, admin.RoleNone, admin.AccessLimited)
		expectStatus(t, e.do(caller{token: tok}, req{method: "DELETE", path: "/purchase-offers/" + link["linkId"].(string)}), 204, "revoke")
		expectStatus(t, e.do(caller{token: tok}, req{method: "DELETE", path: "/purchase-offers/" + link["linkId"].(string)}), 204, "revoke again")
		f := signUpForm(33, nil)
		f.Set("csrf", token)
		r := e.do(caller{}, req{method: "POST", path: path, form: f, cookies: []string{"pac_csrf=" + token}})
		if r.Status != 404 || string(r.Body) != unknown {
			t.Fatalf("accept after revoke: %d", r.Status)
		}
		got := e.do(caller{token: tok}, req{method: "GET", path: "/purchase-offers/" + link["linkId"].(string)}).json(t)
		if got["state"] != "revoked" || got["uses"].(float64) != 0 {
			t.Fatalf("revoked link %v", got)
		}
		expectProblem(t, e.do(caller{token: tok}, req{method: "POST", path: "/purchase-offers/" + link["linkId"].(string) + "/emails",
			body: map[string]any{"recipients": []string{"x@y.example"}}}), 422, admin.CodeValidation, "")
	})
	t.Run("used up", func(t *testing.T) {
		e.t = t
		b := trialBody(false)
		b["maxUses"] = 1
		path := pagePath(t, e.newLink(t, pid, admin.LinkTrial, b))
		expectStatus(t, e.accept(t, path, signUpForm(34, nil)), 200, "the one use")
		if invalid(t, path) != unknown {
			t.Fatal("a used-up link's page differs from an unknown one")
		}
	})
	t.Run("guessing codes is limited per address", func(t *testing.T) {
		e.t = t
		statuses := map[int]int{}
		first429 := -1
		for i := range 500 {
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			code := strings.ToLower(strings.TrimRight(fmt.Sprintf("%x", b), "="))[:26]
			code = strings.NewReplacer("0", "a", "1", "b", "8", "c", "9", "d").Replace(code)
			r := e.do(caller{}, req{method: "GET", path: "/delegated-admin/" + code, sourceIP: "203.0.113.9"})
			statuses[r.Status]++
			if r.Status == 429 && first429 < 0 {
				first429 = i
				if r.Headers["Retry-After"] == "" {
					t.Fatal("429 without Retry-After")
				}
			}
			if r.Status == 404 && string(r.Body) != unknown {
				t.Fatal("a guessed code got a different page")
			}
		}
		if statuses[404] != admin.MaxInvalidCodes || statuses[429] != 500-admin.MaxInvalidCodes || first429 != admin.MaxInvalidCodes {
			t.Fatalf("statuses %v, first 429 at %d", statuses, first429)
		}
		// Another address is not affected, and valid links still open for everyone.
		r, _ := e.open(t, "/trial/aaaaaaaaaaaaaaaaaaaaaaaaab")
		expectStatus(t, r, 404, "another address")
	})
	t.Run("forms need their CSRF token and our origin", func(t *testing.T) {
		e.t = t
		path := pagePath(t, e.newLink(t, pid, admin.LinkTrial, trialBody(false)))
		_, token := e.open(t, path)
		f := signUpForm(35, nil)
		f.Set("csrf", token)
		expectStatus(t, e.do(caller{}, req{method: "POST", path: path, form: f}), 403, "no cookie")
		expectStatus(t, e.do(caller{}, req{method: "POST", path: path, form: f, cookies: []string{"pac_csrf=" + token + "x"}}), 403, "other cookie")
		expectStatus(t, e.do(caller{}, req{method: "POST", path: path, form: f, cookies: []string{"pac_csrf=" + token},
			headers: map[string]string{"Origin": "https://evil.example"}}), 403, "foreign origin")
		expectStatus(t, e.do(caller{}, req{method: "POST", path: path, form: f, cookies: []string{"pac_csrf=" + token},
			headers: map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}}), 403, "opaque origin from another site")
		expectStatus(t, e.do(caller{}, req{method: "POST", path: path, form: f, cookies: []string{"pac_csrf=" + token},
			headers: map[string]string{"Origin": "https://admin.example.com"}}), 200, "our origin")
		// Under Referrer-Policy: no-referrer a browser posts our own form with Origin: null.
		g := signUpForm(36, nil)
		g.Set("csrf", token)
		expectStatus(t, e.do(caller{}, req{method: "POST", path: path, form: g, cookies: []string{"pac_csrf=" + token},
			headers: map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}}), 200, "opaque origin, same site")
	})
}

func TestLinkEmailsAndCreates(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	c := caller{token: tok}
	for _, kind := range admin.LinkKinds {
		t.Run(string(kind), func(t *testing.T) {
			e.t = t
			body := map[string]any{}
			switch kind {
			case admin.LinkTrial:
				body = trialBody(true)
			case admin.LinkOffer:
				body = map[string]any{"lines": []map[string]any{{"productId": "m365-business-standard", "licenses": 12}}}
			}
			key := map[string]string{"Idempotency-Key": "create-" + string(kind)}
			first := e.do(c, req{method: "POST", path: linkPath[kind], body: body, headers: key})
			expectStatus(t, first, 201, "create")
			again := e.do(c, req{method: "POST", path: linkPath[kind], body: body, headers: key})
			if again.Status != 201 || again.Headers["Idempotent-Replayed"] != "true" || again.json(t)["linkId"] != first.json(t)["linkId"] ||
				again.json(t)["url"] != first.json(t)["url"] {
				t.Fatalf("replay %d %s", again.Status, again.Body)
			}
			id := first.json(t)["linkId"].(string)
			list := e.do(c, req{method: "GET", path: linkPath[kind] + "?limit=10"}).json(t)["items"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["linkId"] != id {
				t.Fatalf("list %v", list)
			}
			r := e.do(c, req{method: "POST", path: linkPath[kind] + "/" + id + "/emails", body: map[string]any{
				"recipients": []string{"A@One.example", "a@one.example", "b@two.example"}, "message": "Hello,\nhere is our offer.\nKind regards"}})
			expectStatus(t, r, 202, "email")
			if r.json(t)["queued"].(float64) != 2 {
				t.Fatalf("queued %v", r.json(t))
			}
			sent := 0
			for _, it := range e.outbox(t) {
				if d := it["data"].(map[string]any); d["link"] == first.json(t)["url"] && strings.Contains(d["message"].(string), "\nhere is our offer.") {
					sent++
				}
			}
			if sent != 2 {
				t.Fatalf("%d outbox emails carry the link and message, want 2", sent)
			}
		})
	}
	bad := func(body map[string]any, field string) {
		t.Helper()
		link := e.newLink(t, pid, admin.LinkTrial, trialBody(false))
		expectProblem(t, e.do(c, req{method: "POST", path: "/trial-invitations/" + link["linkId"].(string) + "/emails", body: body}), 422, admin.CodeValidation, field)
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@x.example", i)
	}
	e.t = t
	bad(map[string]any{"recipients": many}, "recipients")
	bad(map[string]any{"recipients": []string{"not an address"}}, "recipients[0]")
	bad(map[string]any{"recipients": []string{"a@b.example"}, "message": "bell\a"}, "message")
	bad(map[string]any{"recipients": []string{}}, "recipients")
}

func TestCatalogAndClouds(t *testing.T) {
	e := newEnv(t)
	global, china := e.partner("global").PartnerID, e.partner("21vianet").PartnerID
	_, gt := e.user(global, admin.RoleNone, admin.AccessFull)
	_, ct := e.user(china, admin.RoleNone, admin.AccessFull)
	gc := e.do(caller{token: gt}, req{method: "GET", path: "/catalog"}).json(t)
	cc := e.do(caller{token: ct}, req{method: "GET", path: "/catalog"}).json(t)
	ids := func(m map[string]any) string {
		var out []string
		for _, p := range m["products"].([]any) {
			out = append(out, p.(map[string]any)["id"].(string))
		}
		return strings.Join(out, ",")
	}
	if gc["cloud"] != "global" || cc["cloud"] != "21vianet" || strings.Contains(ids(gc), "21v") || !strings.Contains(ids(cc), "o365-e1-21v") || strings.Contains(ids(cc), "m365-e3") {
		t.Fatalf("catalogs: %s | %s", ids(gc), ids(cc))
	}
	// A 21Vianet partner cannot invite into the global catalog; its pages show its wording.
	expectProblem(t, e.do(caller{token: ct}, req{method: "POST", path: "/trial-invitations", body: map[string]any{"productId": "m365-e3"}}),
		422, admin.CodeValidation, "productId")
	cl := e.newLink(t, china, admin.LinkTrial, map[string]any{"productId": "o365-e3-21v", "delegatedAdmin": map[string]any{}})
	page, _ := e.open(t, pagePath(t, cl))
	if !strings.Contains(string(page.Body), "operated by 21Vianet") || !strings.Contains(string(page.Body), ".partner.onmschina.cn") {
		t.Fatalf("21Vianet page %s", page.Body)
	}
	// A global customer cannot accept a 21Vianet link (nor the other way round).
	gl := e.newLink(t, global, admin.LinkTrial, trialBody(false))
	expectStatus(t, e.accept(t, pagePath(t, gl), signUpForm(41, nil)), 200, "global customer")
	r := e.accept(t, pagePath(t, cl), url.Values{"mode": {"signin"}, "email": {"alex@cust41.example"}, "password": {"Sunny-Meadow-Lantern-42"}, "delegatedAdmin": {"accept"}})
	if r.Status != 403 || !strings.Contains(string(r.Body), "another cloud") {
		t.Fatalf("cross-cloud accept: %d %s", r.Status, r.Body)
	}
	// The same domain prefix may exist once per cloud.
	expectStatus(t, e.accept(t, pagePath(t, cl), signUpForm(41, map[string]string{"email": "other@cust41.example", "delegatedAdmin": "decline"})), 200, "same prefix, other cloud")
	chinaAnswers := 0
	for _, it := range e.outbox(t) {
		if d := it["data"].(map[string]any); it["template"] == "partner_answer" && d["cloud"] == "21vianet" {
			chinaAnswers++
		}
	}
	if chinaAnswers != 1 {
		t.Fatalf("%d partner answers in 21Vianet wording, want 1", chinaAnswers)
	}
	dup := e.accept(t, pagePath(t, gl), signUpForm(41, map[string]string{"email": "third@cust41.example"}))
	if dup.Status != 422 || !strings.Contains(string(dup.Body), "is taken") {
		t.Fatalf("duplicate prefix: %d", dup.Status)
	}
	taken := e.accept(t, pagePath(t, gl), signUpForm(42, map[string]string{"email": "alex@cust41.example"}))
	if taken.Status != 409 || !strings.Contains(string(taken.Body), "sign in below instead") {
		t.Fatalf("email taken: %d", taken.Status)
	}
}

// TestPagesEveryPath takes every path of every kind's two page functions: an unknown code
// (counted against the source), a new organization signing up, and a returning customer
// signing in.
func TestPagesEveryPath(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	trial := e.newLink(t, pid, admin.LinkTrial, trialBody(false))
	expectStatus(t, e.accept(t, pagePath(t, trial), signUpForm(51, nil)), 200, "an existing customer")
	bodies := map[admin.LinkKind]map[string]any{
		admin.LinkTrial:          trialBody(true),
		admin.LinkOffer:          {"lines": []map[string]any{{"productId": "m365-e3", "licenses": 2}}, "delegatedAdmin": map[string]any{"scope": "limited"}},
		admin.LinkDelegatedAdmin: {},
	}
	for i, kind := range admin.LinkKinds {
		t.Run(string(kind), func(t *testing.T) {
			e.t = t
			unknown := kind.Path() + "zzzzzzzzzzzzzzzzzzzzzzzzzz"
			r, _ := e.open(t, unknown)
			expectStatus(t, r, 404, "open an unknown code")
			expectStatus(t, e.accept(t, unknown, signUpForm(60, nil)), 404, "accept an unknown code")
			path := pagePath(t, e.newLink(t, pid, kind, bodies[kind]))
			expectStatus(t, e.accept(t, path, signUpForm(int64(70+i), map[string]string{"delegatedAdmin": "accept"})), 200, "sign up")
			in := url.Values{"mode": {"signin"}, "email": {"alex@cust51.example"}, "password": {"Sunny-Meadow-Lantern-42"}, "delegatedAdmin": {"decline"}}
			expectStatus(t, e.accept(t, path, in), 200, "sign in")
		})
	}
}

func TestPageFormHardening(t *testing.T) {
	e := newEnv(t)
	path := pagePath(t, e.newLink(t, e.partner("global").PartnerID, admin.LinkTrial, trialBody(false)))
	page, _ := e.open(t, path)
	if c := strings.Join(page.Cookies, ";"); !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") || !strings.Contains(c, "Secure") {
		t.Fatalf("CSRF cookie %q (the public base URL is https)", c)
	}
	expectStatus(t, e.accept(t, path, signUpForm(81, map[string]string{"isAdmin": "true"})), 400, "unknown form field")
	f := signUpForm(82, nil)
	f.Add("email", "second@cust82.example")
	expectStatus(t, e.accept(t, path, f), 400, "repeated form field")
	expectStatus(t, e.accept(t, path, signUpForm(83, nil)), 200, "a clean form")

	// Form names and values that are not UTF-8 are refused, never stored: the page again with a
	// field error (the value not echoed), or a 400 for a name or a hidden field's value.
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		anchor string // the input the page's error summary links to ("" if the page has none)
	}{
		{"organization", signUpForm(84, map[string]string{"organization": "Customer \xff\xfe Ltd"}), 422, "organization"},
		{"admin name, UTF-8-encoded surrogate", signUpForm(84, map[string]string{"adminName": "Alex \xed\xa0\x80"}), 422, "adminName"},
		{"password", signUpForm(84, map[string]string{"password": "Sunny-Meadow-\xff-Lantern-42"}), 422, "password"},
		{"sign-in email", url.Values{"mode": {"signin"}, "email": {"alex\xff@cust83.example"}, "password": {"Sunny-Meadow-Lantern-42"}}, 422, "signinEmail"},
		{"delegated admin", signUpForm(84, map[string]string{"delegatedAdmin": "accept\xff"}), 422, ""},
		{"licenses", signUpForm(84, map[string]string{"licenses.m365-business-premium": "2\xff"}), 422, ""},
		{"field name", signUpForm(84, map[string]string{"licenses.m365\xff": "2"}), 400, ""},
		{"hidden field", signUpForm(84, map[string]string{"mode": "sign\xffup"}), 400, ""},
	} {
		t.Run("not UTF-8: "+c.name, func(t *testing.T) {
			e.t = t
			r := e.accept(t, path, c.form)
			expectStatus(t, r, c.status, c.name)
			body := string(r.Body)
			if !utf8.ValidString(body) || !strings.Contains(r.Headers["Content-Type"], "text/html") {
				t.Fatalf("the page is not UTF-8 HTML: %q", body)
			}
			if c.status == 422 && (!strings.Contains(body, "not UTF-8 text") || (c.anchor != "" && !strings.Contains(body, `href="#`+c.anchor+`"`))) {
				t.Fatalf("no error for %s on the page:\n%s", c.name, body)
			}
		})
	}
	e.t = t
	// Nothing of those was stored: the same organization signs up cleanly.
	expectStatus(t, e.accept(t, path, signUpForm(84, nil)), 200, "the same organization, clean")
}

// TestLinkBadInput: strings that are not Unicode text (bytes that are not UTF-8, escaped lone
// surrogates, in values and in keys) are refused by every link route that takes a body — create
// and email, for each kind — and nothing is queued; the customer's tenant routes refuse such
// query parameters and path ids.
func TestLinkBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	creates := map[admin.LinkKind][]badInput{
		admin.LinkTrial: {
			{name: "product not UTF-8", req: req{body: "{\"productId\":\"m365-business-premium\xff\"}"}, field: "productId"},
			{name: "scope lone surrogate", req: req{body: `{"productId":"m365-business-premium","delegatedAdmin":{"scope":"full\ud800"}}`}, field: "delegatedAdmin.scope"},
			{name: "expiry not UTF-8", req: req{body: "{\"productId\":\"m365-business-premium\",\"expiresAt\":\"2030-01-01T00:00:00Z\xfe\"}"}, field: "expiresAt"},
		},
		admin.LinkOffer: {
			{name: "line product not UTF-8", req: req{body: "{\"lines\":[{\"productId\":\"m365-e3\",\"licenses\":3},{\"productId\":\"m365-\xff\xfe\",\"licenses\":1}]}"}, field: "lines[1].productId"},
			{name: "line key not UTF-8", req: req{body: "{\"lines\":[{\"productId\":\"m365-e3\",\"lic\xffenses\":3}]}"}, field: "lines[0].lic\uFFFDenses"},
		},
		admin.LinkDelegatedAdmin: {
			{name: "target customer lone surrogate", req: req{body: `{"targetCustomerId":"cus_\udc00"}`}, field: "targetCustomerId"},
			{name: "key not UTF-8", req: req{body: "{\"delegatedAdmin\":{\"sc\xffope\":\"full\"}}"}, field: "delegatedAdmin.sc\uFFFDope"},
		},
	}
	before := len(e.outbox(t))
	for _, kind := range admin.LinkKinds {
		link := e.newLink(t, pid, kind, map[admin.LinkKind]map[string]any{admin.LinkTrial: trialBody(false),
			admin.LinkOffer: {"lines": []map[string]any{{"productId": "m365-e3", "licenses": 3}}}, admin.LinkDelegatedAdmin: {}}[kind])
		emails := linkPath[kind] + "/" + link["linkId"].(string) + "/emails"
		cases := append(creates[kind],
			badInput{name: "email recipient not UTF-8", req: req{path: emails, body: "{\"recipients\":[\"ok@x.example\",\"b\xff\xfe@x.example\"]}"}, field: "recipients[1]"},
			badInput{name: "email message not UTF-8", req: req{path: emails, body: notText(map[string]any{"recipients": []string{"a@x.example"}}, "Hello \xff\xfe", "message")}, field: "message"},
			badInput{name: "email message lone surrogate", req: req{path: emails, body: notText(map[string]any{"recipients": []string{"a@x.example"}}, `Hello \ud83d!`, "message")}, field: "message"},
			badInput{name: "email key not UTF-8", req: req{path: emails, body: "{\"recipients\":[\"a@x.example\"],\"mess\xffage\":\"hi\"}"}, field: "mess\uFFFDage"},
		)
		for _, c := range cases {
			t.Run(string(kind)+" "+c.name, func(t *testing.T) {
				e.t = t
				c.req.method = "POST"
				if c.req.path == "" {
					c.req.path = linkPath[kind]
				}
				expectProblem(t, e.do(caller{token: tok}, c.req), 400, admin.CodeMalformedJSON, c.field)
			})
		}
		e.t = t
		got := e.do(caller{token: tok}, req{method: "GET", path: linkPath[kind] + "?limit=100"}).json(t)["items"].([]any)
		if len(got) != 1 {
			t.Fatalf("%s: %d links, want only the valid one", kind, len(got))
		}
	}
	if n := len(e.outbox(t)); n != before {
		t.Fatalf("%d emails queued by bodies that were refused", n-before)
	}

	// The tenant routes take no body: their query parameters and path ids get the same rule.
	path := pagePath(t, e.newLink(t, pid, admin.LinkTrial, trialBody(true)))
	expectStatus(t, e.accept(t, path, signUpForm(91, map[string]string{"delegatedAdmin": "accept"})), 200, "a customer")
	ctok := e.signInCustomer(t, "alex@cust91.example")
	for _, c := range []badInput{
		{name: "tenant query name", req: req{method: "GET", path: "/tenant?\xff=1"}, status: 400, code: admin.CodeInvalidQuery, field: "\uFFFD"},
		{name: "subscriptions cursor", req: req{method: "GET", path: "/tenant/subscriptions?cursor=\xff\xfe"}, status: 400, code: admin.CodeInvalidQuery, field: "cursor"},
		{name: "partners limit", req: req{method: "GET", path: "/tenant/partners?limit=1\xff"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "end delegated admin id", req: req{method: "DELETE", path: "/tenant/partners/" + pid + "\xff/delegated-admin"}, status: 404, code: admin.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			expectProblem(t, e.do(caller{token: ctok}, c.req), c.status, c.code, c.field)
		})
	}
	e.t = t
	// The delegated administration the bad id did not end is still active.
	rel := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant/partners"}).json(t)["items"].([]any)[0].(map[string]any)
	if rel["delegatedAdmin"].(map[string]any)["status"] != "active" {
		t.Fatalf("relationship %v", rel)
	}
}
