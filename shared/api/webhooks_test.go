package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/webhook"
)

// hookReceiver is a webhook receiver on 127.0.0.1: it verifies every request's signature as a
// partner's receiver would, and answers 500 while failing.
type hookReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	secret  string
	failing bool
	got     []webhook.Event // verified requests, in arrival order
	bad     int             // requests whose signature did not verify
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		var ev webhook.Event
		if webhook.Verify(h.secret, r.Header.Get(webhook.HeaderSignature), body, time.Now(), webhook.Tolerance) != nil ||
			json.Unmarshal(body, &ev) != nil || ev.ID != r.Header.Get(webhook.HeaderID) {
			h.bad++
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if h.failing {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.got = append(h.got, ev)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) set(secret string, failing bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secret, h.failing = secret, failing
}

// received returns the ids of the verified events received so far, and the count of bad ones.
func (h *hookReceiver) received() ([]string, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, len(h.got))
	for i, e := range h.got {
		ids[i] = e.ID
	}
	return ids, h.bad
}

// hookEvent is the tiny driver of these tests: the n-th change (version n) of a subscription, as
// the notifier would publish it.
func hookEvent(pid, sid string, n int, kind admin.EventKind, at time.Time) admin.SubscriptionEvent {
	sub := admin.Subscription{ID: sid, CustomerID: "cus_01jtgd00000000000000000001", ProductID: "m365-e3", ProductName: "Microsoft 365 E3",
		Licenses: 10 + n, Status: admin.SubscriptionActive, PartnerOfRecord: pid, Version: n, CreatedAt: at}
	return admin.SubscriptionEvent{ID: fmt.Sprintf("evt_%s_%d", sid, n), Kind: kind, At: at, PartnerID: pid, Cloud: admin.CloudGlobal,
		CustomerID: sub.CustomerID, CustomerName: "Litware Inc", Subscription: sub}
}

// TestWebhooks: registration (secret once, listing, roles), the signed test event, publishing
// (idempotent by event id), delivery in order per subscription to a receiver that fails for a
// while, refusal of non-public addresses at registration and at send time, tenant isolation,
// the endpoint limit, idempotent registration, and the delivery worker's least privilege.
func TestWebhooks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.deps.Webhooks
	local := &webhook.Client{AllowLoopback: true}
	svc.Sender = local
	worker := &webhook.Worker{Service: svc, Function: "deliver-webhooks", Metrics: observed, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	deliver := func() {
		t.Helper()
		if err := worker.HandleSchedule(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatalf("delivery round: %v", err)
		}
	}
	pid := e.partner("global").PartnerID
	admin1, _ := e.user(pid, admin.RoleGlobalAdmin, admin.AccessNone)
	ga := func() caller { return caller{token: e.token(admin1)} } // re-issued: the tests move the clock
	rcv := newHookReceiver(t)

	// Only global admins manage webhooks.
	for _, role := range []admin.CompanyRole{admin.RoleUserAdmin, admin.RoleServiceAdmin, admin.RoleNone} {
		_, tok := e.user(pid, role, admin.AccessFull)
		expectProblem(t, e.do(caller{token: tok}, req{method: "GET", path: "/webhooks"}), 403, admin.CodeForbidden, "")
		expectProblem(t, e.do(caller{token: tok}, req{method: "POST", path: "/webhooks", body: map[string]any{"url": rcv.srv.URL}}), 403, admin.CodeForbidden, "")
	}

	// Registration answers the secret once; the listing never shows it.
	created := e.do(ga(), req{method: "POST", path: "/webhooks", body: map[string]any{"url": rcv.srv.URL + "/hook", "description": "CRM sync"}})
	expectStatus(t, created, 201, "register")
	hook := created.json(t)
	hid, secret := hook["webhookId"].(string), hook["secret"].(string)
	if !strings.HasPrefix(secret, webhook.SecretPrefix) || hook["status"] != "active" || hook["url"] != rcv.srv.URL+"/hook" {
		t.Fatalf("registered %v", hook)
	}
	rcv.set(secret, false)
	list := e.do(ga(), req{method: "GET", path: "/webhooks"})
	expectStatus(t, list, 200, "list")
	if strings.Contains(string(list.Body), secret) || strings.Contains(string(list.Body), `"secret"`) || !strings.Contains(string(list.Body), hid) {
		t.Fatalf("listing %s", list.Body)
	}

	// The test event arrives signed; its attempt is answered and logged.
	test := e.do(ga(), req{method: "POST", path: "/webhooks/" + hid + "/test"})
	expectStatus(t, test, 200, "test")
	if a := test.json(t); a["outcome"] != "delivered" || a["statusCode"] != float64(204) || a["type"] != admin.TestEventKind {
		t.Fatalf("test attempt %v", a)
	}
	if ids, bad := rcv.received(); len(ids) != 1 || bad != 0 || !strings.HasPrefix(ids[0], "evt_") {
		t.Fatalf("receiver got %v (bad %d)", ids, bad)
	}

	// A receiver that fails for a while: the first event is attempted and backs off, the later
	// events of the same subscription wait behind it; a repeated Publish adds nothing.
	rcv.set(secret, true)
	now := e.now()
	sid := "sub_01jtgd0000000000000000hook"
	kinds := []admin.EventKind{admin.EventSubscriptionCreated, admin.EventLicensesChanged, admin.EventSuspended, admin.EventReactivated, admin.EventCancelled}
	for n, k := range kinds {
		if err := svc.Publish(ctx, hookEvent(pid, sid, n+1, k, now)); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Publish(ctx, hookEvent(pid, sid, 1, kinds[0], now)); err != nil {
		t.Fatal(err)
	}
	logPage := e.do(ga(), req{method: "GET", path: "/webhooks/" + hid + "/deliveries"})
	expectStatus(t, logPage, 200, "log")
	var log struct {
		Items []map[string]any `json:"items"`
	}
	_ = json.Unmarshal(logPage.Body, &log)
	if len(log.Items) != 2 || log.Items[0]["outcome"] != "retrying" || log.Items[0]["statusCode"] != float64(500) || log.Items[0]["eventId"] != sid2evt(sid, 1) {
		t.Fatalf("log after the failing publish (want one retrying attempt of the first event above the test): %s", logPage.Body)
	}
	deliver() // nothing due yet but the waiting events: they are deferred behind the first
	if ids, _ := rcv.received(); len(ids) != 1 {
		t.Fatalf("events were delivered while the first one waits: %v", ids)
	}
	rcv.set(secret, false)
	e.advance(admin.WebhookBackoff(1))
	deliver()
	ids, bad := rcv.received()
	want := []string{ids[0]}
	for n := range kinds {
		want = append(want, sid2evt(sid, n+1))
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") || bad != 0 {
		t.Fatalf("receiver got %v (bad %d), want %v: every event once, in order", ids, bad, want)
	}
	deliver()
	if again, _ := rcv.received(); len(again) != len(want) {
		t.Fatalf("a later round sent again: %v", again)
	}

	// Non-public addresses are refused at registration with the local allowance off...
	svc.Sender = &webhook.Client{}
	for _, u := range []string{rcv.srv.URL, "https://127.0.0.1/hook", "https://[::1]/hook", "https://10.1.2.3/hook", "https://192.168.0.10/hook",
		"https://169.254.169.254/latest/meta-data", "https://100.64.0.1/hook", "https://[fd00:ec2::254]/hook", "https://localhost/hook"} {
		r := e.do(ga(), req{method: "POST", path: "/webhooks", body: map[string]any{"url": u}})
		expectProblem(t, r, 422, admin.CodeValidation, "url")
	}
	expectProblem(t, e.do(ga(), req{method: "POST", path: "/webhooks", body: map[string]any{"url": "http://hooks.example.com/x"}}), 422, admin.CodeValidation, "url")
	// ... and at send time: the registered loopback endpoint is not reached once it is off.
	test = e.do(ga(), req{method: "POST", path: "/webhooks/" + hid + "/test"})
	expectStatus(t, test, 200, "test without the allowance")
	if a := test.json(t); a["outcome"] != "failed" || a["statusCode"] != nil || !strings.Contains(a["error"].(string), "refused") {
		t.Fatalf("send-time refusal: %v", a)
	}
	if err := svc.Publish(ctx, hookEvent(pid, "sub_01jtgd000000000000000other", 1, kinds[0], e.now())); err != nil {
		t.Fatal(err)
	}
	if after, _ := rcv.received(); len(after) != len(want) {
		t.Fatalf("the receiver was reached without the allowance: %v", after)
	}
	svc.Sender = local

	// Another partner's users never reach this endpoint; its own list is its own.
	pid2 := e.partner("21vianet").PartnerID
	other, _ := e.user(pid2, admin.RoleGlobalAdmin, admin.AccessNone)
	oc := caller{token: e.token(other)}
	for _, r := range []req{{method: "DELETE", path: "/webhooks/" + hid}, {method: "POST", path: "/webhooks/" + hid + "/test"},
		{method: "GET", path: "/webhooks/" + hid + "/deliveries"}, {method: "DELETE", path: "/webhooks/whk_nope"}} {
		expectProblem(t, e.do(oc, r), 404, admin.CodeNotFound, "")
	}
	if l := e.do(oc, req{method: "GET", path: "/webhooks"}); strings.Contains(string(l.Body), hid) {
		t.Fatalf("another partner lists %s", l.Body)
	}

	// At most 10 endpoints; an Idempotency-Key replays the registration without the secret.
	var theirs []string
	for i := range admin.MaxWebhooks {
		h := map[string]string{}
		if i == 0 {
			h["Idempotency-Key"] = "hook-1"
		}
		r := e.do(oc, req{method: "POST", path: "/webhooks", body: map[string]any{"url": rcv.srv.URL + "/p2"}, headers: h})
		expectStatus(t, r, 201, "register")
		theirs = append(theirs, r.json(t)["webhookId"].(string))
	}
	replay := e.do(oc, req{method: "POST", path: "/webhooks", body: map[string]any{"url": rcv.srv.URL + "/p2"}, headers: map[string]string{"Idempotency-Key": "hook-1"}})
	expectStatus(t, replay, 201, "replay")
	if b := replay.json(t); replay.Headers["Idempotent-Replayed"] != "true" || b["webhookId"] != theirs[0] || b["secret"] != nil {
		t.Fatalf("replay %v %v", replay.Headers, b)
	}
	expectProblem(t, e.do(oc, req{method: "POST", path: "/webhooks", body: map[string]any{"url": rcv.srv.URL + "/p2"}}), 409, admin.CodeWebhookLimit, "")
	for _, id := range theirs {
		expectStatus(t, e.do(oc, req{method: "DELETE", path: "/webhooks/" + id}), 204, "delete")
	}
	expectStatus(t, e.do(oc, req{method: "POST", path: "/webhooks", body: map[string]any{"url": rcv.srv.URL + "/p2"}}), 201, "register after deleting")

	// An endpoint failing for 24 hours is disabled and the global admins are emailed; its pending
	// events are given up; a deleted endpoint's deliveries are given up too.
	expectStatus(t, e.do(ga(), req{method: "DELETE", path: "/webhooks/" + hid}), 204, "delete")
	expectProblem(t, e.do(ga(), req{method: "GET", path: "/webhooks/" + hid + "/deliveries"}), 404, admin.CodeNotFound, "")
	deliver() // the other subscription's delivery to the deleted endpoint: given up
	dying := newHookReceiver(t)
	r := e.do(ga(), req{method: "POST", path: "/webhooks", body: map[string]any{"url": dying.srv.URL}})
	expectStatus(t, r, 201, "register")
	dead := r.json(t)
	dying.set(dead["secret"].(string), true)
	sub3 := "sub_01jtgd000000000000000dying"
	for n := 1; n <= 2; n++ {
		if err := svc.Publish(ctx, hookEvent(pid, sub3, n, admin.EventLicensesChanged, e.now())); err != nil {
			t.Fatal(err)
		}
	}
	start := e.now()
	disabled := false
	for range 40 {
		e.advance(time.Hour)
		deliver()
		l := e.do(ga(), req{method: "GET", path: "/webhooks"})
		if strings.Contains(string(l.Body), `"status":"disabled"`) {
			disabled = true
			break
		}
	}
	took := e.now().Sub(start)
	if !disabled || took < admin.WebhookDisableAfter || took > admin.WebhookDisableAfter+2*time.Hour {
		t.Fatalf("disabled = %v after %v; want disabled once 24 hours of failures passed", disabled, took)
	}
	emails := 0
	for _, it := range e.outbox(t) {
		if it["template"] == "webhook_disabled" && it["orgId"] == pid {
			emails++
			data, _ := it["data"].(map[string]any)
			to := fmt.Sprint(it["to"])
			if data["webhookId"] != dead["webhookId"] || !strings.Contains(to, admin1.Email) {
				t.Fatalf("email %v", it)
			}
		}
	}
	if emails != 1 {
		t.Fatalf("%d webhook_disabled emails, want 1", emails)
	}
	deliver()
	page := e.do(ga(), req{method: "GET", path: "/webhooks/" + dead["webhookId"].(string) + "/deliveries?limit=100"})
	expectStatus(t, page, 200, "log of the disabled endpoint")
	if !strings.Contains(string(page.Body), `"outcome":"failed"`) || strings.Contains(string(page.Body), sid2evt(sub3, 2)) {
		t.Fatalf("log: the first event ends failed, the second is never sent: %s", page.Body)
	}
	if ids, _ := dying.received(); len(ids) != 0 {
		t.Fatalf("the failing receiver recorded %v", ids)
	}

	// The delivery worker did exactly what its policy grants.
	if problems := deploycheck.LeastPrivilege(filepath.Join(repoRoot(), "template.yaml"),
		map[string]string{"DeliverWebhooksFunction": "deliver-webhooks"}, observed); len(problems) > 0 {
		t.Fatalf("least privilege of the delivery worker:\n  %s", strings.Join(problems, "\n  "))
	}
}

func sid2evt(sid string, n int) string { return fmt.Sprintf("evt_%s_%d", sid, n) }

// TestWebhookBadInput: every malformed request to the webhook routes gets its problem.
func TestWebhookBadInput(t *testing.T) {
	e := newEnv(t)
	e.deps.Webhooks.Sender = &webhook.Client{AllowLoopback: true}
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessNone)
	c := caller{token: tok}
	r := e.do(c, req{method: "POST", path: "/webhooks", body: map[string]any{"url": "http://127.0.0.1:9/hook"}})
	expectStatus(t, r, 201, "register")
	hid := r.json(t)["webhookId"].(string)
	cases := []badInput{
		{name: "malformed", req: req{method: "POST", path: "/webhooks", body: `{"url":`}, status: 400, code: admin.CodeMalformedJSON},
		{name: "unknown field", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": "https://x.example", "events": []string{}}}, status: 400, code: admin.CodeUnknownField, field: "events"},
		{name: "wrong type", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": 7}}, status: 400, code: admin.CodeMalformedJSON, field: "url"},
		{name: "missing url", req: req{method: "POST", path: "/webhooks", body: map[string]any{"description": "x"}}, status: 422, code: admin.CodeValidation, field: "url"},
		{name: "url too long", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": "https://hooks.example.com/" + strings.Repeat("a", 2048)}}, status: 422, code: admin.CodeValidation, field: "url"},
		{name: "url not a URL", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": "not a url"}}, status: 422, code: admin.CodeValidation, field: "url"},
		{name: "url with credentials", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": "https://a:b@hooks.example.com/"}}, status: 422, code: admin.CodeValidation, field: "url"},
		{name: "description too long", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": "http://127.0.0.1:9/", "description": strings.Repeat("d", 201)}}, status: 422, code: admin.CodeValidation, field: "description"},
		{name: "description not UTF-8", req: req{method: "POST", path: "/webhooks", body: notText(map[string]any{"url": "http://127.0.0.1:9/"}, notUTF8, "description")}, status: 400, code: admin.CodeMalformedJSON, field: "description"},
		{name: "huge", req: req{method: "POST", path: "/webhooks", body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "not json", req: req{method: "POST", path: "/webhooks", body: "url=x", headers: map[string]string{"content-type": "text/plain"}}, status: 415, code: admin.CodeUnsupportedMediaType},
		{name: "bad idempotency key", req: req{method: "POST", path: "/webhooks", body: map[string]any{"url": "http://127.0.0.1:9/"}, headers: map[string]string{"Idempotency-Key": "a b"}}, status: 400, code: admin.CodeInvalidIdempotencyKey},
		{name: "list with query", req: req{method: "GET", path: "/webhooks?limit=5"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "log bad cursor", req: req{method: "GET", path: "/webhooks/" + hid + "/deliveries?cursor=bm9wZQ"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "log limit too big", req: req{method: "GET", path: "/webhooks/" + hid + "/deliveries?limit=1000"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "log limit not a number", req: req{method: "GET", path: "/webhooks/" + hid + "/deliveries?limit=x"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "log unknown query", req: req{method: "GET", path: "/webhooks/" + hid + "/deliveries?status=x"}, status: 400, code: admin.CodeInvalidQuery, field: "status"},
		{name: "test with query", req: req{method: "POST", path: "/webhooks/" + hid + "/test?now=1"}, status: 400, code: admin.CodeInvalidQuery, field: "now"},
		{name: "delete malformed id", req: req{method: "DELETE", path: "/webhooks/nope"}, status: 404, code: admin.CodeNotFound},
		{name: "test unknown id", req: req{method: "POST", path: "/webhooks/whk_01jtgd00000000000000000000/test"}, status: 404, code: admin.CodeNotFound},
		{name: "log unknown id", req: req{method: "GET", path: "/webhooks/whk_01jtgd00000000000000000000/deliveries"}, status: 404, code: admin.CodeNotFound},
		{name: "no token", req: req{method: "GET", path: "/webhooks"}, status: 401, code: admin.CodeUnauthenticated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			who := c
			if tc.name == "no token" {
				who = caller{}
			}
			expectProblem(t, e.do(who, tc.req), tc.status, tc.code, tc.field)
		})
	}
}

// The webhook routes in the permission matrix: global admins only. Each id route gets an
// endpoint of its own, registered by a global admin; the endpoints a refused DELETE left behind
// are removed first, so the partner stays under the endpoint limit.
var hookLeftovers = map[*env][]string{}

func matrixHook(e *env, pid string) string {
	e.deps.Webhooks.Sender = &webhook.Client{AllowLoopback: true}
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessNone)
	for _, id := range hookLeftovers[e] {
		e.do(caller{token: tok}, req{method: "DELETE", path: "/webhooks/" + id})
	}
	r := e.do(caller{token: tok}, req{method: "POST", path: "/webhooks", body: map[string]any{"url": "http://127.0.0.1:9/hook"}})
	expectStatus(e.t, r, 201, "register for the matrix")
	id := r.json(e.t)["webhookId"].(string)
	hookLeftovers[e] = []string{id}
	return id
}

func init() {
	global := []admin.CompanyRole{admin.RoleGlobalAdmin}
	matrixCases = append(matrixCases,
		matrixCase{route: "GET /webhooks", ok: 200, allowed: global, build: func(*env, string) req { return req{method: "GET", path: "/webhooks"} }},
		matrixCase{route: "POST /webhooks", ok: 201, allowed: global, build: func(e *env, pid string) req {
			matrixHook(e, pid) // clears what the previous case left
			return req{method: "POST", path: "/webhooks", body: map[string]any{"url": "http://127.0.0.1:9/new"}}
		}},
		matrixCase{route: "DELETE /webhooks/{webhookId}", ok: 204, allowed: global, build: func(e *env, pid string) req {
			return req{method: "DELETE", path: "/webhooks/" + matrixHook(e, pid)}
		}},
		matrixCase{route: "POST /webhooks/{webhookId}/test", ok: 200, allowed: global, build: func(e *env, pid string) req {
			return req{method: "POST", path: "/webhooks/" + matrixHook(e, pid) + "/test"}
		}},
		matrixCase{route: "GET /webhooks/{webhookId}/deliveries", ok: 200, allowed: global, build: func(e *env, pid string) req {
			return req{method: "GET", path: "/webhooks/" + matrixHook(e, pid) + "/deliveries"}
		}},
	)
}
