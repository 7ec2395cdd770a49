package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// supportDesks are the support desks' addresses of the test functions (the template's defaults).
var supportDesks = map[admin.Cloud]string{admin.CloudGlobal: "support-desk@partner-admin-center.example",
	admin.Cloud21Vianet: "support-desk-21vianet@partner-admin-center.example"}

// storedRequest writes a request of partner pid in customer cid directly (any customer state):
// the matrices need one behind every id-taking route.
func (e *env) storedRequest(t *testing.T, pid, cid string, st admin.RequestStatus) admin.ServiceRequest {
	t.Helper()
	now := e.now()
	r := admin.ServiceRequest{ID: appNewID("srq"), CustomerID: cid, CustomerName: "Stored Customer", CustomerDomain: "stored", PartnerID: pid,
		PartnerName: "Stored Partner", Cloud: admin.CloudGlobal, Title: "Stored request", Description: "Stored.", Severity: admin.SeverityMinimal,
		TopicID: "other", Contact: admin.RequestContact{Name: "Cara", Email: "cara@stored.example"}, CC: []string{}, Status: st,
		CreatedBy: "usr_01jdzzzzzzzzzzzzzzzzzzzzzz", CreatedAt: now, UpdatedAt: now, LastActivityAt: now, Version: 1}
	if st != admin.RequestDraft {
		r.SentAt = now
	}
	if err := e.store.WriteServiceRequest(context.Background(), admin.RequestWrite{Request: r}); err != nil {
		t.Fatalf("store a request: %v", err)
	}
	return r
}

// requestBody is a valid POST body.
func requestBody(send bool) map[string]any {
	return map[string]any{"title": "Mail does not arrive", "description": "Since Monday\nno external mail arrives.", "severity": "moderate",
		"topic": "exchange-online", "contact": map[string]any{"name": "Cara Customer", "email": "cara@litware.example", "phone": "+1 555 0100"},
		"cc": []string{"it@litware.example", "ops@litware.example"}, "send": send}
}

func srPath(cid string) string { return "/customers/" + cid + "/service-requests" }

func init() {
	inside := func(st admin.RequestStatus, method, suffix string, body any) func(*env, customerWorld, string) req {
		return func(e *env, w customerWorld, cid string) req {
			r := e.storedRequest(e.t, w.pid, cid, st)
			return req{method: method, path: srPath(cid) + "/" + r.ID + suffix, body: body}
		}
	}
	customerCases = append(customerCases,
		customerCase{route: "GET /customers/{customerId}/service-requests", right: admin.RightReadCustomer, ok: 200, inside: true,
			build: func(_ *env, _ customerWorld, cid string) req { return req{method: "GET", path: srPath(cid)} }},
		customerCase{route: "POST /customers/{customerId}/service-requests", right: admin.RightManageServiceRequests, ok: 201, inside: true,
			build: func(_ *env, _ customerWorld, cid string) req {
				return req{method: "POST", path: srPath(cid), body: requestBody(true)}
			}},
		customerCase{route: "GET /customers/{customerId}/service-requests/{requestId}", right: admin.RightReadCustomer, ok: 200, inside: true,
			build: inside(admin.RequestOpen, "GET", "", nil)},
		customerCase{route: "PATCH /customers/{customerId}/service-requests/{requestId}", right: admin.RightManageServiceRequests, ok: 200, inside: true,
			build: inside(admin.RequestOpen, "PATCH", "", map[string]any{"version": 1, "status": "closed"})},
		customerCase{route: "POST /customers/{customerId}/service-requests/{requestId}/notes", right: admin.RightManageServiceRequests, ok: 201, inside: true,
			build: inside(admin.RequestAttentionNeeded, "POST", "/notes", map[string]any{"text": "Here is the header."})},
		customerCase{route: "GET /service-requests", right: admin.RightReadCustomer, ok: 200,
			build: func(*env, customerWorld, string) req {
				return req{method: "GET", path: "/service-requests?status=attention_needed"}
			}},
	)
	desk := func(st admin.RequestStatus, method, suffix string, body any) func(*env, string) req {
		return func(e *env, pid string) req {
			r := e.storedRequest(e.t, pid, "cus_01jdzzzzzzzzzzzzzzzzzzzzz1", st)
			return req{method: method, path: "/operator/service-requests/" + r.ID + suffix, body: body}
		}
	}
	none := []admin.CompanyRole{}
	matrixCases = append(matrixCases,
		matrixCase{route: "GET /operator/service-requests", ok: 200, allowed: none,
			build: func(*env, string) req {
				return req{method: "GET", path: "/operator/service-requests?status=open&cloud=global"}
			}},
		matrixCase{route: "GET /operator/service-requests/{requestId}", ok: 200, allowed: none, build: desk(admin.RequestOpen, "GET", "", nil)},
		matrixCase{route: "POST /operator/service-requests/{requestId}/notes", ok: 201, allowed: none,
			build: desk(admin.RequestOpen, "POST", "/notes", map[string]any{"text": "Which mailbox?", "needsPartner": true})},
		matrixCase{route: "PATCH /operator/service-requests/{requestId}", ok: 200, allowed: none,
			build: desk(admin.RequestOpen, "PATCH", "", map[string]any{"version": 1, "status": "closed"})},
	)
}

// customerLog reads a customer's activity log (newest first) straight from the table.
func (e *env) customerLog(t *testing.T, cid string) []map[string]any {
	t.Helper()
	res, err := e.db.Query(context.Background(), &dynamodb.QueryInput{TableName: &e.table, ScanIndexForward: aws.Bool(false),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :act)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "CUSTOMER#" + cid},
			":act": &types.AttributeValueMemberS{Value: "ACT#"}}})
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

// emailsOf returns the pending outbox items of a template that carry the request id.
func emailsOf(items []map[string]any, template, requestID string) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if d, _ := it["data"].(map[string]any); it["template"] == template && d["requestId"] == requestID {
			out = append(out, it)
		}
	}
	return out
}

func recipients(it map[string]any) []string {
	var out []string
	for _, a := range it["to"].([]any) {
		out = append(out, a.(string))
	}
	return out
}

// TestServiceRequestJourney: a request from draft to closed with a support-desk question in
// between: every status, every email (the outbox items), the queues, the activity logs, the
// reopen window, and the delegated administration's end.
func TestServiceRequestJourney(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, custAdmin := e.newCustomer(t, pid, admin.AccessFull, 365)
	u, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	ga := caller{token: tok}
	op := caller{operator: true}
	base := srPath(cid)

	// A draft: no email, not in the desk's queue, in the partner's drafts.
	r := e.do(ga, req{method: "POST", path: base, body: requestBody(false), headers: map[string]string{"Idempotency-Key": "journey-create"}})
	expectStatus(t, r, 201, "create draft")
	d := r.json(t)
	rid := d["requestId"].(string)
	if d["status"] != "draft" || d["sentAt"] != nil || d["customerName"] == "" || d["topicName"] != "Exchange Online and Outlook" || len(d["cc"].([]any)) != 2 {
		t.Fatalf("draft %v", d)
	}
	replay := e.do(ga, req{method: "POST", path: base, body: requestBody(false), headers: map[string]string{"Idempotency-Key": "journey-create"}})
	if replay.Status != 201 || replay.Headers["Idempotent-Replayed"] != "true" || replay.json(t)["requestId"] != rid {
		t.Fatalf("replay: %d %v %s", replay.Status, replay.Headers, replay.Body)
	}
	if n := len(emailsOf(e.outbox(t), "service_request_sent", rid)); n != 0 {
		t.Fatalf("a draft emailed the desk %d times", n)
	}
	expectProblem(t, e.do(op, req{method: "GET", path: "/operator/service-requests/" + rid}), 404, admin.CodeNotFound, "")
	queue := func(who caller, path string) []string {
		t.Helper()
		r := e.do(who, req{method: "GET", path: path})
		expectStatus(t, r, 200, path)
		var ids []string
		for _, it := range r.json(t)["items"].([]any) {
			ids = append(ids, it.(map[string]any)["requestId"].(string))
		}
		return ids
	}
	if !slices.Contains(queue(ga, "/service-requests?status=draft"), rid) || slices.Contains(queue(op, "/operator/service-requests"), rid) {
		t.Fatal("the draft is not where it belongs")
	}

	// Edit the draft and send it: the support desk of the cloud is emailed once.
	r = e.do(ga, req{method: "PATCH", path: base + "/" + rid, body: map[string]any{"version": 1, "severity": "critical", "status": "open"}})
	expectStatus(t, r, 200, "send")
	if s := r.json(t); s["status"] != "open" || s["severity"] != "critical" || s["sentAt"] == nil || s["version"].(float64) != 2 {
		t.Fatalf("sent %v", s)
	}
	sent := emailsOf(e.outbox(t), "service_request_sent", rid)
	if len(sent) != 1 || !slices.Equal(recipients(sent[0]), []string{supportDesks[admin.CloudGlobal]}) {
		t.Fatalf("desk emails %v", sent)
	}
	if data := sent[0]["data"].(map[string]any); data["severity"] != "critical" || data["contactEmail"] != "cara@litware.example" ||
		data["cc"] != `["it@litware.example","ops@litware.example"]` || data["description"] != "Since Monday\nno external mail arrives." {
		t.Fatalf("desk email facts %v", data)
	}
	if !slices.Contains(queue(op, "/operator/service-requests?status=open&cloud=global"), rid) ||
		slices.Contains(queue(op, "/operator/service-requests?cloud=21vianet"), rid) {
		t.Fatal("the desk's queue")
	}

	// The desk asks: attention_needed, the contact and CC addresses are emailed (one email).
	r = e.do(op, req{method: "POST", path: "/operator/service-requests/" + rid + "/notes", body: map[string]any{"text": "Which mailbox?\nPlease send a header.", "needsPartner": true},
		headers: map[string]string{"Idempotency-Key": "desk-q1"}})
	expectStatus(t, r, 201, "desk note")
	if s := r.json(t); s["status"] != "attention_needed" || len(s["notes"].([]any)) != 1 {
		t.Fatalf("after the desk note %v", s)
	}
	note := r.json(t)["notes"].([]any)[0].(map[string]any)
	if note["side"] != "support" || note["author"].(map[string]any)["type"] != "support" || strings.Contains(string(r.Body), "arn:aws") {
		t.Fatalf("the support note shows %v", note)
	}
	att := emailsOf(e.outbox(t), "service_request_attention", rid)
	if len(att) != 1 || !slices.Equal(recipients(att[0]), []string{"cara@litware.example", "it@litware.example", "ops@litware.example"}) ||
		att[0]["data"].(map[string]any)["note"] != "Which mailbox?\nPlease send a header." {
		t.Fatalf("attention emails %v", att)
	}
	again := e.do(op, req{method: "POST", path: "/operator/service-requests/" + rid + "/notes", body: map[string]any{"text": "Which mailbox?\nPlease send a header.", "needsPartner": true},
		headers: map[string]string{"Idempotency-Key": "desk-q1"}})
	if again.Status != 201 || again.Headers["Idempotent-Replayed"] != "true" || len(emailsOf(e.outbox(t), "service_request_attention", rid)) != 1 {
		t.Fatalf("desk note replay: %d %s", again.Status, again.Body)
	}
	if q := queue(ga, "/service-requests?status=attention_needed"); !slices.Contains(q, rid) {
		t.Fatalf("the partner's attention queue %v", q)
	}
	expectProblem(t, e.do(ga, req{method: "PATCH", path: base + "/" + rid, body: map[string]any{"version": 3, "status": "open"}}), 409, admin.CodeInvalidTransition, "")

	// The partner answers with a note: open again; nobody else is emailed.
	before := len(e.outbox(t))
	r = e.do(ga, req{method: "POST", path: base + "/" + rid + "/notes", body: map[string]any{"text": "The mailbox is cara@litware.example."},
		headers: map[string]string{"Idempotency-Key": "answer-1"}})
	expectStatus(t, r, 201, "partner note")
	if s := r.json(t); s["status"] != "open" || s["noteCount"].(float64) != 2 || len(e.outbox(t)) != before {
		t.Fatalf("after the answer %v", s)
	}
	if q := queue(ga, "/service-requests?status=attention_needed"); slices.Contains(q, rid) {
		t.Fatal("answered, still in the attention queue")
	}
	got := e.do(ga, req{method: "GET", path: base + "/" + rid}).json(t)
	notes := got["notes"].([]any)
	if len(notes) != 2 || notes[1].(map[string]any)["author"].(map[string]any)["email"] != u.Email {
		t.Fatalf("notes %v", notes)
	}

	// Close, reopen within 14 days, close again; after 14 days a reopen is refused.
	version := got["version"].(float64)
	patch := func(status string, want int) map[string]any {
		t.Helper()
		r := e.do(ga, req{method: "PATCH", path: base + "/" + rid, body: map[string]any{"version": version, "status": status}})
		expectStatus(t, r, want, status)
		if want != 200 {
			return nil
		}
		version++
		return r.json(t)
	}
	if c := patch("closed", 200); c["closedAt"] == nil || c["reopenableUntil"] == nil {
		t.Fatalf("closed %v", c)
	}
	e.advance(13 * 24 * time.Hour)
	ga.token = e.token(u)
	if o := patch("open", 200); o["status"] != "open" || o["closedAt"] != nil {
		t.Fatalf("reopened %v", o)
	}
	patch("closed", 200)
	e.advance(admin.ReopenWithin)
	ga.token = e.token(u)
	expectProblem(t, e.do(ga, req{method: "PATCH", path: base + "/" + rid, body: map[string]any{"version": version, "status": "open"}}), 409, admin.CodeInvalidTransition, "")
	if n := openRequests(t, e, ga, cid); n != 0 {
		t.Fatalf("open service requests on the customer's page: %v, want 0", n)
	}

	// Every step is in the customer's log and the partner's, naming the partner.
	var actions []string
	for _, a := range e.customerLog(t, cid) {
		if a["targetId"] == rid {
			actions = append(actions, a["action"].(string))
			if a["partnerId"] != pid {
				t.Fatalf("customer log entry without the partner: %v", a)
			}
		}
	}
	want := []string{"service_request.closed", "service_request.reopened", "service_request.closed", "service_request.note_added",
		"service_request.note_added", "service_request.sent", "service_request.created"}
	if !slices.Equal(actions, want) {
		t.Fatalf("customer log %v, want %v", actions, want)
	}

	// The customer ends delegated administration: the queue still lists the request, opening it
	// is refused.
	expectStatus(t, e.do(caller{token: e.signInCustomer(t, custAdmin)}, req{method: "DELETE", path: "/tenant/partners/" + pid + "/delegated-admin"}), 204, "end")
	if q := queue(ga, "/service-requests?status=closed"); !slices.Contains(q, rid) {
		t.Fatalf("the queue lost the request of an ended customer: %v", q)
	}
	expectProblem(t, e.do(ga, req{method: "GET", path: base + "/" + rid}), 403, admin.CodeDelegatedAdminRequired, "")
}

// TestServiceRequestRules: the desk's own status changes, the create-and-send path, paging of the
// customer's listing, another partner of the same customer, and the catalog's support topics.
func TestServiceRequestRules(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, _ := e.newCustomer(t, pid, admin.AccessFull, 365)
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	ga, op := caller{token: tok}, caller{operator: true}

	// Sent at once: open, the desk emailed, counted open.
	r := e.do(ga, req{method: "POST", path: srPath(cid), body: requestBody(true)})
	expectStatus(t, r, 201, "create and send")
	rid := r.json(t)["requestId"].(string)
	if r.json(t)["status"] != "open" || len(emailsOf(e.outbox(t), "service_request_sent", rid)) != 1 {
		t.Fatalf("sent at once %s", r.Body)
	}
	if n := openRequests(t, e, ga, cid); n != 1 {
		t.Fatalf("open service requests on the customer's page: %v, want 1", n)
	}
	// The desk closes and reopens; attention_needed only with a note.
	expectProblem(t, e.do(op, req{method: "PATCH", path: "/operator/service-requests/" + rid, body: map[string]any{"version": 1, "status": "attention_needed"}}), 422, admin.CodeValidation, "status")
	c := e.do(op, req{method: "PATCH", path: "/operator/service-requests/" + rid, body: map[string]any{"version": 1, "status": "closed"}})
	expectStatus(t, c, 200, "desk close")
	o := e.do(op, req{method: "PATCH", path: "/operator/service-requests/" + rid, body: map[string]any{"version": 2, "status": "open"}})
	if o.Status != 200 || o.json(t)["status"] != "open" {
		t.Fatalf("desk reopen %d %s", o.Status, o.Body)
	}
	if got := e.do(op, req{method: "GET", path: "/operator/service-requests/" + rid}).json(t); got["partnerId"] != pid || got["version"].(float64) != 3 {
		t.Fatalf("desk view %v", got)
	}

	// The customer's listing pages through every request once, newest first, without notes.
	for range 4 {
		expectStatus(t, e.do(ga, req{method: "POST", path: srPath(cid), body: requestBody(false)}), 201, "draft")
	}
	var ids []string
	cursor := ""
	for range 10 {
		path := srPath(cid) + "?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		p := e.do(ga, req{method: "GET", path: path}).json(t)
		for _, it := range p["items"].([]any) {
			ids = append(ids, it.(map[string]any)["requestId"].(string))
			if _, ok := it.(map[string]any)["description"]; ok {
				t.Fatal("the listing carries descriptions")
			}
		}
		if p["nextCursor"] == nil {
			break
		}
		cursor = p["nextCursor"].(string)
	}
	if len(ids) != 5 || ids[4] != rid || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 5 {
		t.Fatalf("listing %v", ids)
	}

	// Another partner of the same customer (with its own active delegated administration) sees
	// none of them, and gets the uniform 404 for their ids.
	neighbour := e.do(op, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "Neighbour", "cloud": "global",
		"authorizations": []string{"delegated_admin"}, "email": "n@neighbour.example",
		"firstAdmin": map[string]string{"email": "first@neighbour.example", "displayName": "First"}}})
	expectStatus(t, neighbour, 201, "onboard")
	other := neighbour.json(t)["partner"].(map[string]any)["partnerId"].(string)
	_, otherTok := e.user(other, admin.RoleGlobalAdmin, admin.AccessFull)
	expectProblem(t, e.do(caller{token: otherTok}, req{method: "GET", path: srPath(cid) + "/" + rid}), 404, admin.CodeNotFound, "")
	if q := e.do(caller{token: otherTok}, req{method: "GET", path: "/service-requests"}).json(t); len(q["items"].([]any)) != 0 {
		t.Fatalf("another partner's queue %v", q)
	}

	// The catalog lists the cloud's support topics.
	cat := e.do(ga, req{method: "GET", path: "/catalog"}).json(t)
	topics := cat["supportTopics"].([]any)
	if len(topics) != len(admin.SupportTopics(admin.CloudGlobal)) || topics[0].(map[string]any)["id"] == "" {
		t.Fatalf("support topics %v", topics)
	}
}

// TestServiceRequestBadInput: a malformed request to every service request route gets its
// problem: status, stable code and offending field.
func TestServiceRequestBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, _ := e.newCustomer(t, pid, admin.AccessFull, 365)
	open := e.storedRequest(t, pid, cid, admin.RequestOpen)
	draft := e.storedRequest(t, pid, cid, admin.RequestDraft)
	base := srPath(cid)
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	without := func(m map[string]any, k string) map[string]any { delete(m, k); return m }
	ccs := make([]string, 11)
	for i := range ccs {
		ccs[i] = fmt.Sprintf("cc%d@litware.example", i)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	unknownID := "srq_01jdzzzzzzzzzzzzzzzzzzzzzz"
	idem := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	cases := []badInput{
		// POST /customers/{customerId}/service-requests
		{name: "create missing title", req: req{method: "POST", path: base, body: without(requestBody(false), "title")}, status: 422, code: admin.CodeValidation, field: "title"},
		{name: "create missing contact", req: req{method: "POST", path: base, body: without(requestBody(false), "contact")}, status: 422, code: admin.CodeValidation, field: "contact.name"},
		{name: "create wrong type", req: req{method: "POST", path: base, body: with(requestBody(false), "severity", 3)}, status: 400, code: admin.CodeMalformedJSON, field: "severity"},
		{name: "create send not bool", req: req{method: "POST", path: base, body: with(requestBody(false), "send", "yes")}, status: 400, code: admin.CodeMalformedJSON, field: "send"},
		{name: "create contact not object", req: req{method: "POST", path: base, body: with(requestBody(false), "contact", "cara")}, status: 400, code: admin.CodeMalformedJSON, field: "contact"},
		{name: "create unknown field", req: req{method: "POST", path: base, body: with(requestBody(false), "status", "closed")}, status: 400, code: admin.CodeUnknownField, field: "status"},
		{name: "create unknown nested", req: req{method: "POST", path: base, body: with(requestBody(false), "contact", map[string]any{"name": "C", "email": "c@x.example", "fax": "1"})}, status: 400, code: admin.CodeUnknownField, field: "contact.fax"},
		{name: "create title too long", req: req{method: "POST", path: base, body: with(requestBody(false), "title", long(256))}, status: 422, code: admin.CodeValidation, field: "title"},
		{name: "create description too long", req: req{method: "POST", path: base, body: with(requestBody(false), "description", long(10001))}, status: 422, code: admin.CodeValidation, field: "description"},
		{name: "create 11 CCs", req: req{method: "POST", path: base, body: with(requestBody(false), "cc", ccs)}, status: 422, code: admin.CodeValidation, field: "cc"},
		{name: "create bad CC", req: req{method: "POST", path: base, body: with(requestBody(false), "cc", []string{"not-an-address"})}, status: 422, code: admin.CodeValidation, field: "cc[0]"},
		{name: "create bad severity", req: req{method: "POST", path: base, body: with(requestBody(false), "severity", "urgent")}, status: 422, code: admin.CodeValidation, field: "severity"},
		{name: "create other cloud's topic", req: req{method: "POST", path: base, body: with(requestBody(false), "topic", "exchange-online-21v")}, status: 422, code: admin.CodeValidation, field: "topic"},
		{name: "create CRLF in title", req: req{method: "POST", path: base, body: with(requestBody(false), "title", "x\r\nBcc: y@z.example")}, status: 422, code: admin.CodeValidation, field: "title"},
		{name: "create title not UTF-8", req: req{method: "POST", path: base, body: notText(requestBody(false), notUTF8, "title")}, status: 400, code: admin.CodeMalformedJSON, field: "title"},
		{name: "create bad idempotency key", req: req{method: "POST", path: base, body: requestBody(false), headers: idem("has space")}, status: 400, code: admin.CodeInvalidIdempotencyKey, field: "Idempotency-Key"},
		{name: "create huge", req: req{method: "POST", path: base, body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "create malformed customer", req: req{method: "POST", path: "/customers/nope/service-requests", body: requestBody(false)}, status: 404, code: admin.CodeNotFound},
		// GET /customers/{customerId}/service-requests
		{name: "list forged cursor", req: req{method: "GET", path: base + "?cursor=UEFSVE5FUiNvdGhlcg"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "list garbage cursor", req: req{method: "GET", path: base + "?cursor=%%%"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "list limit zero", req: req{method: "GET", path: base + "?limit=0"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "list unknown param", req: req{method: "GET", path: base + "?status=open"}, status: 400, code: admin.CodeInvalidQuery, field: "status"},
		// GET /customers/{customerId}/service-requests/{requestId}
		{name: "get malformed id", req: req{method: "GET", path: base + "/srq_'OR'1'='1"}, status: 404, code: admin.CodeNotFound},
		{name: "get unknown id", req: req{method: "GET", path: base + "/" + unknownID}, status: 404, code: admin.CodeNotFound},
		{name: "get query", req: req{method: "GET", path: base + "/" + open.ID + "?x=1"}, status: 400, code: admin.CodeInvalidQuery, field: "x"},
		// PATCH /customers/{customerId}/service-requests/{requestId}
		{name: "patch missing version", req: req{method: "PATCH", path: base + "/" + open.ID, body: map[string]any{"status": "closed"}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "patch stale version", req: req{method: "PATCH", path: base + "/" + open.ID, body: map[string]any{"status": "closed", "version": 9}}, status: 409, code: admin.CodeVersionConflict},
		{name: "patch version string", req: req{method: "PATCH", path: base + "/" + open.ID, body: map[string]any{"status": "closed", "version": "1"}}, status: 400, code: admin.CodeMalformedJSON, field: "version"},
		{name: "patch bad status", req: req{method: "PATCH", path: base + "/" + open.ID, body: map[string]any{"status": "attention_needed", "version": 1}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "patch unknown field", req: req{method: "PATCH", path: base + "/" + open.ID, body: map[string]any{"partnerId": pid, "version": 1}}, status: 400, code: admin.CodeUnknownField, field: "partnerId"},
		{name: "patch sent request's fields", req: req{method: "PATCH", path: base + "/" + open.ID, body: map[string]any{"title": "new", "version": 1}}, status: 409, code: admin.CodeInvalidTransition},
		{name: "patch close a draft", req: req{method: "PATCH", path: base + "/" + draft.ID, body: map[string]any{"status": "closed", "version": 1}}, status: 409, code: admin.CodeInvalidTransition},
		{name: "patch title too long", req: req{method: "PATCH", path: base + "/" + draft.ID, body: map[string]any{"title": long(256), "version": 1}}, status: 422, code: admin.CodeValidation, field: "title"},
		{name: "patch 11 CCs", req: req{method: "PATCH", path: base + "/" + draft.ID, body: map[string]any{"cc": ccs, "version": 1}}, status: 422, code: admin.CodeValidation, field: "cc"},
		{name: "patch bad topic", req: req{method: "PATCH", path: base + "/" + draft.ID, body: map[string]any{"topic": "weather", "version": 1}}, status: 422, code: admin.CodeValidation, field: "topic"},
		{name: "patch unknown id", req: req{method: "PATCH", path: base + "/" + unknownID, body: map[string]any{"status": "closed", "version": 1}}, status: 404, code: admin.CodeNotFound},
		// POST /customers/{customerId}/service-requests/{requestId}/notes
		{name: "note missing text", req: req{method: "POST", path: base + "/" + open.ID + "/notes", body: map[string]any{}}, status: 422, code: admin.CodeValidation, field: "text"},
		{name: "note too long", req: req{method: "POST", path: base + "/" + open.ID + "/notes", body: map[string]any{"text": long(10001)}}, status: 422, code: admin.CodeValidation, field: "text"},
		{name: "note wrong type", req: req{method: "POST", path: base + "/" + open.ID + "/notes", body: map[string]any{"text": []string{"a"}}}, status: 400, code: admin.CodeMalformedJSON, field: "text"},
		{name: "note needsPartner from a partner", req: req{method: "POST", path: base + "/" + open.ID + "/notes", body: map[string]any{"text": "a", "needsPartner": true}}, status: 400, code: admin.CodeUnknownField, field: "needsPartner"},
		{name: "note on a draft", req: req{method: "POST", path: base + "/" + draft.ID + "/notes", body: map[string]any{"text": "a"}}, status: 409, code: admin.CodeInvalidTransition},
		{name: "note bad idempotency key", req: req{method: "POST", path: base + "/" + open.ID + "/notes", body: map[string]any{"text": "a"}, headers: idem(long(256))}, status: 400, code: admin.CodeInvalidIdempotencyKey, field: "Idempotency-Key"},
		// GET /service-requests
		{name: "queue bad status", req: req{method: "GET", path: "/service-requests?status=pending"}, status: 400, code: admin.CodeInvalidQuery, field: "status"},
		{name: "queue garbage cursor", req: req{method: "GET", path: "/service-requests?cursor=%%%"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "queue forged cursor", req: req{method: "GET", path: "/service-requests?cursor=U1IjcHRuX3gjc3JxX3k"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "queue limit huge", req: req{method: "GET", path: "/service-requests?limit=1000"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "queue unknown param", req: req{method: "GET", path: "/service-requests?cloud=global"}, status: 400, code: admin.CodeInvalidQuery, field: "cloud"},
	}
	desk := "/operator/service-requests/"
	opCases := []badInput{
		{name: "desk list draft", req: req{method: "GET", path: "/operator/service-requests?status=draft"}, status: 400, code: admin.CodeInvalidQuery, field: "status"},
		{name: "desk list bad cloud", req: req{method: "GET", path: "/operator/service-requests?cloud=moon"}, status: 400, code: admin.CodeInvalidQuery, field: "cloud"},
		{name: "desk list bad cursor", req: req{method: "GET", path: "/operator/service-requests?cursor=MDAx"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "desk list unknown param", req: req{method: "GET", path: "/operator/service-requests?partnerId=" + pid}, status: 400, code: admin.CodeInvalidQuery, field: "partnerId"},
		{name: "desk get unknown", req: req{method: "GET", path: desk + unknownID}, status: 404, code: admin.CodeNotFound},
		{name: "desk get draft", req: req{method: "GET", path: desk + draft.ID}, status: 404, code: admin.CodeNotFound},
		{name: "desk get malformed", req: req{method: "GET", path: desk + "srq_x"}, status: 404, code: admin.CodeNotFound},
		{name: "desk note missing text", req: req{method: "POST", path: desk + open.ID + "/notes", body: map[string]any{"needsPartner": true}}, status: 422, code: admin.CodeValidation, field: "text"},
		{name: "desk note too long", req: req{method: "POST", path: desk + open.ID + "/notes", body: map[string]any{"text": long(10001)}}, status: 422, code: admin.CodeValidation, field: "text"},
		{name: "desk note wrong type", req: req{method: "POST", path: desk + open.ID + "/notes", body: map[string]any{"text": "a", "needsPartner": "yes"}}, status: 400, code: admin.CodeMalformedJSON, field: "needsPartner"},
		{name: "desk note unknown field", req: req{method: "POST", path: desk + open.ID + "/notes", body: map[string]any{"text": "a", "status": "closed"}}, status: 400, code: admin.CodeUnknownField, field: "status"},
		{name: "desk note on a draft", req: req{method: "POST", path: desk + draft.ID + "/notes", body: map[string]any{"text": "a"}}, status: 404, code: admin.CodeNotFound},
		{name: "desk note bad idempotency key", req: req{method: "POST", path: desk + open.ID + "/notes", body: map[string]any{"text": "a"}, headers: idem("a b")}, status: 400, code: admin.CodeInvalidIdempotencyKey, field: "Idempotency-Key"},
		{name: "desk patch missing version", req: req{method: "PATCH", path: desk + open.ID, body: map[string]any{"status": "closed"}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "desk patch bad status", req: req{method: "PATCH", path: desk + open.ID, body: map[string]any{"status": "attention_needed", "version": 1}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "desk patch status wrong type", req: req{method: "PATCH", path: desk + open.ID, body: map[string]any{"status": 5, "version": 1}}, status: 400, code: admin.CodeMalformedJSON, field: "status"},
		{name: "desk patch stale", req: req{method: "PATCH", path: desk + open.ID, body: map[string]any{"status": "closed", "version": 4}}, status: 409, code: admin.CodeVersionConflict},
		{name: "desk patch unknown field", req: req{method: "PATCH", path: desk + open.ID, body: map[string]any{"status": "closed", "version": 1, "note": "x"}}, status: 400, code: admin.CodeUnknownField, field: "note"},
		{name: "desk patch huge", req: req{method: "PATCH", path: desk + open.ID, body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
	}
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			expectProblem(t, e.do(caller{token: tok}, c.req), c.status, c.code, c.field)
		})
	}
	for _, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			expectProblem(t, e.do(caller{operator: true}, c.req), c.status, c.code, c.field)
		})
	}
}

// openRequests is the count of open service requests on the customer's page (GET /customers/{id}).
func openRequests(t *testing.T, e *env, c caller, cid string) float64 {
	t.Helper()
	r := e.do(c, req{method: "GET", path: "/customers/" + cid})
	expectStatus(t, r, 200, "customer page")
	n, ok := r.json(t)["counts"].(map[string]any)["openServiceRequests"].(float64)
	if !ok {
		t.Fatalf("customer page without counts.openServiceRequests: %s", r.Body)
	}
	return n
}
