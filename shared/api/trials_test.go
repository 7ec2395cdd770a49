package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/store"
)

func init() {
	// The matrix's customer admin converts its own trial; every other caller is refused first.
	matrixCases = append(matrixCases, matrixCase{route: "POST /tenant/subscriptions/{subscriptionId}/convert", ok: 200, who: customers,
		build: func(e *env, _ string) req {
			sid := appNewID("sub")
			if e.lastCustomerAdmin != "" {
				subs, err := e.store.Subscriptions(t0(), customerOf(e.t, e, e.lastCustomerAdmin), admin.PageRequest{})
				if err != nil || len(subs.Items) != 1 {
					e.t.Fatalf("the matrix customer's subscriptions: %+v, %v", subs, err)
				}
				sid = subs.Items[0].ID
			}
			return req{method: "POST", path: "/tenant/subscriptions/" + sid + "/convert", body: map[string]any{"licenses": 5}}
		}})
}

// trialCustomer signs a new customer up through a trial invitation of the partner and returns
// the admin's email and the trial's subscription id.
func (e *env) trialCustomer(t *testing.T, pid string) (string, string) {
	t.Helper()
	n := e.seq.Add(1) + 700000
	link := e.newLink(t, pid, admin.LinkTrial, trialBody(false))
	expectStatus(t, e.accept(t, pagePath(t, link), signUpForm(n, nil)), 200, "accept the trial")
	email := fmt.Sprintf("alex@cust%d.example", n)
	subs := e.do(caller{token: e.signInCustomer(t, email)}, req{method: "GET", path: "/tenant/subscriptions"}).json(t)
	items := subs["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["status"] != "trial" {
		t.Fatalf("subscriptions %v", subs)
	}
	return email, items[0].(map[string]any)["subscriptionId"].(string)
}

// TestConvertTrial: a customer admin converts a trial before its end and an expired one within 30
// days after it (same id, active, licenses, version + 1, entries in both logs); the window, the
// product's limits, the states and the gates; every bad input is its problem.
func TestConvertTrial(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	convert := func(token, sid string, body any) result {
		return e.do(caller{token: token}, req{method: "POST", path: "/tenant/subscriptions/" + sid + "/convert", body: body})
	}

	// Before its end.
	email, sid := e.trialCustomer(t, pid)
	tok := e.signInCustomer(t, email)
	r := convert(tok, sid, map[string]any{"licenses": 40}) // above the trial's cap of 25: a paid subscription's limits apply
	expectStatus(t, r, 200, "convert")
	if s := r.json(t); s["subscriptionId"] != sid || s["status"] != "active" || s["licenses"].(float64) != 40 || s["version"].(float64) != 2 ||
		purchasedAt(s).IsZero() || purchasedAt(s).After(e.now()) || e.now().Sub(purchasedAt(s)) > time.Minute { // a conversion is a purchase: the cancellation window opens
		t.Errorf("converted %v", s)
	}
	expectProblem(t, convert(tok, sid, map[string]any{"licenses": 40}), 409, admin.CodeInvalidTransition, "")
	acts := e.do(caller{token: tok}, req{method: "GET", path: "/tenant/activity"}).json(t)["items"].([]any)
	if a := acts[0].(map[string]any); a["action"] != "subscription.trial_converted" {
		t.Errorf("customer log %v", a)
	}
	_, ptok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	pacts := e.do(caller{token: ptok}, req{method: "GET", path: "/activity"}).json(t)["items"].([]any)
	logged := false
	for _, a := range pacts {
		logged = logged || a.(map[string]any)["action"] == "subscription.trial_converted"
	}
	if !logged {
		t.Errorf("the Partner of Record's log lacks the conversion: %v", pacts)
	}

	// Bad input and gates, on a second trial.
	email2, sid2 := e.trialCustomer(t, pid)
	tok2 := e.signInCustomer(t, email2)
	path := "/tenant/subscriptions/" + sid2 + "/convert"
	for _, c := range []badInput{
		{name: "no licenses", req: req{method: "POST", path: path, body: map[string]any{}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "licenses wrong type", req: req{method: "POST", path: path, body: map[string]any{"licenses": "ten"}}, status: 400, code: admin.CodeMalformedJSON, field: "licenses"},
		{name: "licenses fraction", req: req{method: "POST", path: path, body: `{"licenses":2.5}`}, status: 400, code: admin.CodeMalformedJSON, field: "licenses"},
		{name: "licenses zero", req: req{method: "POST", path: path, body: map[string]any{"licenses": 0}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "licenses above the product", req: req{method: "POST", path: path, body: map[string]any{"licenses": 301}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "unknown field", req: req{method: "POST", path: path, body: map[string]any{"licenses": 5, "version": 1}}, status: 400, code: admin.CodeUnknownField, field: "version"},
		{name: "malformed", req: req{method: "POST", path: path, body: `{"licenses":`}, status: 400, code: admin.CodeMalformedJSON},
		{name: "too large", req: req{method: "POST", path: path, body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "query", req: req{method: "POST", path: path + "?x=1", body: map[string]any{"licenses": 5}}, status: 400, code: admin.CodeInvalidQuery},
		{name: "malformed id", req: req{method: "POST", path: "/tenant/subscriptions/SUB%23x/convert", body: map[string]any{"licenses": 5}}, status: 404, code: admin.CodeNotFound},
		{name: "unknown id", req: req{method: "POST", path: "/tenant/subscriptions/" + appNewID("sub") + "/convert", body: map[string]any{"licenses": 5}}, status: 404, code: admin.CodeNotFound},
		{name: "another customer's trial", req: req{method: "POST", path: "/tenant/subscriptions/" + sid + "/convert", body: map[string]any{"licenses": 5}}, status: 404, code: admin.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) { expectProblem(t, e.do(caller{token: tok2}, c.req), c.status, c.code, c.field) })
	}
	expectProblem(t, convert("", sid2, map[string]any{"licenses": 5}), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, convert(ptok, sid2, map[string]any{"licenses": 5}), 403, admin.CodeForbidden, "")
	if s, err := store.TrialsOf(e.store).TenantSubscription(t0(), customerOf(t, e, email2), sid2); err != nil || s.Status != admin.SubscriptionTrial || s.Version != 1 {
		t.Fatalf("the refused requests changed the trial: %+v, %v", s, err)
	}

	// The window: 35 days later the clock has expired it; it still converts. 61 days after the
	// end it no longer does.
	email3, sid3 := e.trialCustomer(t, pid)
	e.advance(35 * 24 * time.Hour)
	clk := &admin.ClockService{Env: admin.Env{Now: func() time.Time { return e.now() }, NewID: app.NewID}, Store: store.NewClock(e.store)}
	if rep, err := clk.Run(t0(), admin.ClockTrial, func() bool { return false }); err != nil || rep.Expired != 2 {
		t.Fatalf("clock %+v, %v", rep, err)
	}
	tok2, tok3 := e.signInCustomer(t, email2), e.signInCustomer(t, email3)
	r = convert(tok3, sid3, map[string]any{"licenses": 10})
	expectStatus(t, r, 200, "convert an expired trial")
	if s := r.json(t); s["status"] != "active" || s["version"].(float64) != 3 {
		t.Errorf("converted expired trial %v", s)
	}
	e.advance(26 * 24 * time.Hour) // 61 days after the trials' start: 31 days after their end
	tok2 = e.signInCustomer(t, email2)
	expectProblem(t, convert(tok2, sid2, map[string]any{"licenses": 5}), 422, admin.CodeConversionWindowClosed, "")
}

// customerOf reads the customer id of a customer admin.
func customerOf(t *testing.T, e *env, email string) string {
	t.Helper()
	l, err := e.store.Login(t0(), email)
	if err != nil {
		t.Fatal(err)
	}
	return l.OrgID
}

// purchasedAt reads a subscription answer's purchasedAt (zero when absent or malformed).
func purchasedAt(s map[string]any) time.Time {
	v, _ := s["purchasedAt"].(string)
	at, _ := time.Parse(time.RFC3339Nano, v)
	return at
}
