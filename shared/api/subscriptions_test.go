package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

const unknownSub = "sub_01jdzzzzzzzzzzzzzzzzzzzzzz"

func init() {
	customerCases = append(customerCases,
		customerCase{route: "GET /customers/{customerId}/subscriptions", right: admin.RightReadCustomer, ok: 200, inside: true,
			build: func(_ *env, _ customerWorld, cid string) req {
				return req{method: "GET", path: "/customers/" + cid + "/subscriptions"}
			}},
		// The matrix calls this for many callers in a row: each call reads the current version and
		// toggles the trial's licenses between 24 and 25, so every success is a real change.
		customerCase{route: "PATCH /customers/{customerId}/subscriptions/{subscriptionId}", right: admin.RightManageSubscriptions, ok: 200, inside: true,
			build: func(e *env, _ customerWorld, cid string) req {
				sid, body := unknownSub, map[string]any{"licenses": 24, "version": 1}
				if subs := e.subscriptions(cid); len(subs) > 0 {
					s := subs[0]
					n := 24
					if s.Licenses == 24 {
						n = 25
					}
					sid, body = s.ID, map[string]any{"licenses": n, "version": s.Version}
				}
				return req{method: "PATCH", path: "/customers/" + cid + "/subscriptions/" + sid, body: body}
			}},
	)
}

// subscriptions reads a customer's subscriptions from the store (none for an unknown id).
func (e *env) subscriptions(cid string) []admin.Subscription {
	e.t.Helper()
	p, err := e.store.Subscriptions(t0(), cid, admin.PageRequest{Limit: admin.MaxPageSize})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Items
}

// subscription reads one subscription of a customer from the store.
func (e *env) subscription(cid, sid string) admin.Subscription {
	e.t.Helper()
	for _, s := range e.subscriptions(cid) {
		if s.ID == sid {
			return s
		}
	}
	e.t.Fatalf("no subscription %s of %s", sid, cid)
	return admin.Subscription{}
}

// buyingCustomer is a new customer of pid under a year's full delegated administration with a
// trial (m365-business-premium, 25 licenses), which then buys every product of the global
// catalog times times through one purchase offer (signing in): 6 × times active subscriptions.
func (e *env) buyingCustomer(t *testing.T, pid string, times int) (cid, adminEmail string) {
	t.Helper()
	cid, adminEmail = e.newCustomer(t, pid, admin.AccessFull, 365)
	var lines []map[string]any
	for _, p := range admin.Catalog(admin.CloudGlobal) {
		lines = append(lines, map[string]any{"productId": p.ID, "licenses": 10})
	}
	path := pagePath(t, e.newLink(t, pid, admin.LinkOffer, map[string]any{"lines": lines, "maxUses": times}))
	for range times {
		expectStatus(t, e.accept(t, path, url.Values{"mode": {"signin"}, "email": {adminEmail}, "password": {"Sunny-Meadow-Lantern-42"}}), 200, "buy")
	}
	return cid, adminEmail
}

// activities returns the activity entries of an organization's log (partner or customer
// partition) about a subscription, read from the table.
func (e *env) activitiesOf(t *testing.T, orgID, sid string) []map[string]any {
	t.Helper()
	prefix := "PARTNER#"
	if strings.HasPrefix(orgID, "cus_") {
		prefix = "CUSTOMER#"
	}
	var out []map[string]any
	in := &dynamodb.QueryInput{TableName: &e.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :act)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: prefix + orgID},
			":act": &types.AttributeValueMemberS{Value: "ACT#"}}}
	for {
		res, err := e.db.Query(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it["targetId"] == sid {
				out = append(out, it)
			}
		}
		if res.LastEvaluatedKey == nil {
			return out
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// trips sends a request and returns its result and the DynamoDB round trips of its EMF line.
func (e *env) trips(t *testing.T, c caller, r req) (result, int) {
	t.Helper()
	var buf bytes.Buffer
	apigw.MetricsOut = io.MultiWriter(&buf, observed)
	defer func() { apigw.MetricsOut = observed }()
	got := e.do(c, r)
	var line struct {
		Trips int `json:"DynamoDBRoundTrips"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("EMF line: %v: %q", err, buf.String())
	}
	return got, line.Trips
}

func subPath(cid, sid string) string { return "/customers/" + cid + "/subscriptions/" + sid }

// TestSubscriptionJourney: a partner user lowers a subscription's licenses, suspends it,
// reactivates it and cancels it within the window; the customer admin sees each state; a trial is
// neither suspended nor cancelled; after 7 days cancelling is refused; both logs hold every change.
func TestSubscriptionJourney(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, adminEmail := e.buyingCustomer(t, pid, 1)
	u, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	partner := caller{token: tok}
	customer := caller{token: e.signInCustomer(t, adminEmail)}

	list, listTrips := e.trips(t, partner, req{method: "GET", path: "/customers/" + cid + "/subscriptions"})
	expectStatus(t, list, 200, "list")
	items := list.json(t)["items"].([]any)
	if len(items) != 7 || listTrips != 3 {
		t.Fatalf("%d subscriptions in %d round trips, want 7 in 3 (authenticate, enter the customer, list)", len(items), listTrips)
	}
	byProduct := map[string]map[string]any{}
	for _, it := range items {
		m := it.(map[string]any)
		byProduct[m["productId"].(string)] = m
		if m["version"].(float64) != 1 {
			t.Fatalf("no version in %v", m)
		}
	}
	basic := byProduct["m365-business-basic"]["subscriptionId"].(string)
	teams := byProduct["teams-essentials"]["subscriptionId"].(string)
	trial := ""
	for _, it := range items {
		if m := it.(map[string]any); m["status"] == "trial" {
			trial = m["subscriptionId"].(string)
		}
	}

	step := func(sid string, body map[string]any, status int, code admin.Code) map[string]any {
		t.Helper()
		r, trips := e.trips(t, partner, req{method: "PATCH", path: subPath(cid, sid), body: body})
		if code != "" {
			expectProblem(t, r, status, code, "")
			return nil
		}
		expectStatus(t, r, status, fmt.Sprint(body))
		if trips > 3 {
			t.Fatalf("PATCH %v: %d round trips, budget 3", body, trips)
		}
		return r.json(t)
	}
	v := 1
	if got := step(basic, map[string]any{"licenses": 6, "version": v}, 200, ""); got["licenses"].(float64) != 6 || got["version"].(float64) != 2 {
		t.Fatalf("lowered: %v", got)
	}
	v++
	step(basic, map[string]any{"licenses": 6, "version": v}, 200, "") // the current count: nothing changes
	step(basic, map[string]any{"status": "suspended", "version": v}, 200, "")
	v++
	step(basic, map[string]any{"licenses": 7, "version": v}, 409, admin.CodeInvalidTransition)
	step(basic, map[string]any{"status": "suspended", "version": v}, 409, admin.CodeInvalidTransition)
	seen := e.do(customer, req{method: "GET", path: "/tenant/subscriptions"})
	if !strings.Contains(string(seen.Body), `"subscriptionId":"`+basic+`","productId":"m365-business-basic","productName":"Microsoft 365 Business Basic","licenses":6,"status":"suspended"`) {
		t.Fatalf("the customer does not see the suspension: %s", seen.Body)
	}
	step(basic, map[string]any{"status": "active", "version": v}, 200, "")
	v++
	step(basic, map[string]any{"status": "active", "version": v}, 409, admin.CodeInvalidTransition)
	step(basic, map[string]any{"status": "cancelled", "version": v - 1}, 409, admin.CodeVersionConflict)
	step(basic, map[string]any{"status": "cancelled", "version": v}, 200, "")
	v++
	step(basic, map[string]any{"status": "active", "version": v}, 409, admin.CodeInvalidTransition)
	step(basic, map[string]any{"licenses": 5, "version": v}, 409, admin.CodeInvalidTransition)

	// A trial: licenses within its cap; neither suspended nor cancelled.
	step(trial, map[string]any{"licenses": 26, "version": 1}, 422, admin.CodeValidation)
	step(trial, map[string]any{"licenses": 20, "version": 1}, 200, "")
	step(trial, map[string]any{"status": "suspended", "version": 2}, 409, admin.CodeInvalidTransition)
	step(trial, map[string]any{"status": "cancelled", "version": 2}, 422, admin.CodeCancellationWindowClosed)

	subs := map[string]map[string]any{}
	for _, it := range e.do(customer, req{method: "GET", path: "/tenant/subscriptions"}).json(t)["items"].([]any) {
		m := it.(map[string]any)
		subs[m["subscriptionId"].(string)] = m
	}
	if b := subs[basic]; b["status"] != "cancelled" || b["licenses"].(float64) != 6 || b["version"].(float64) != 5 {
		t.Fatalf("customer's view of the cancelled subscription: %v", b)
	}
	if tr := subs[trial]; tr["status"] != "trial" || tr["licenses"].(float64) != 20 {
		t.Fatalf("customer's view of the trial: %v", tr)
	}

	// Both logs: every change once, in order, naming the partner, with before and after.
	want := []string{"subscription.licenses_changed", "subscription.suspended", "subscription.reactivated", "subscription.cancelled"}
	for _, org := range []string{pid, cid} {
		acts := e.activitiesOf(t, org, basic)
		if len(acts) != len(want) {
			t.Fatalf("%s's log has %d entries about %s, want %d: %v", org, len(acts), basic, len(want), acts)
		}
		for i, a := range acts {
			if a["action"] != want[i] || a["partnerId"] != pid || a["customerId"] != cid || a["actorId"] != u.ID {
				t.Fatalf("%s's entry %d: %v", org, i, a)
			}
		}
		if b, a := acts[0]["before"].(map[string]any), acts[0]["after"].(map[string]any); b["licenses"] != 10.0 || a["licenses"] != 6.0 {
			t.Fatalf("licenses before/after: %v → %v", b, a)
		}
		if b, a := acts[3]["before"].(map[string]any), acts[3]["after"].(map[string]any); b["status"] != "active" || a["status"] != "cancelled" {
			t.Fatalf("status before/after: %v → %v", b, a)
		}
	}

	// Seven days after the purchase the window is closed; a trial past its end takes no change.
	e.advance(7 * 24 * time.Hour)
	partner = caller{token: e.token(u)}
	expectProblem(t, e.do(partner, req{method: "PATCH", path: subPath(cid, teams), body: map[string]any{"status": "cancelled", "version": 1}}),
		422, admin.CodeCancellationWindowClosed, "status")
	expectStatus(t, e.do(partner, req{method: "PATCH", path: subPath(cid, teams), body: map[string]any{"status": "suspended", "version": 1}}), 200, "suspend later")
	expectProblem(t, e.do(partner, req{method: "PATCH", path: subPath(cid, teams), body: map[string]any{"status": "cancelled", "version": 2}}),
		422, admin.CodeCancellationWindowClosed, "status")
	e.advance(30 * 24 * time.Hour)
	partner = caller{token: e.token(u)}
	expectProblem(t, e.do(partner, req{method: "PATCH", path: subPath(cid, trial), body: map[string]any{"licenses": 10, "version": 2}}),
		409, admin.CodeInvalidTransition, "licenses")
	if got := e.subscription(cid, teams); got.Status != admin.SubscriptionSuspended || got.Version != 2 {
		t.Fatalf("teams after the refusals: %+v", got)
	}
}

// TestSubscriptionBadInput: malformed requests to both routes get their problem, and none of
// them changes the subscription.
func TestSubscriptionBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, _ := e.newCustomer(t, pid, admin.AccessFull, 365)
	other, _ := e.newCustomer(t, pid, admin.AccessFull, 365) // another customer of the same partner
	_, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	sub := e.subscriptions(cid)[0] // a trial: 1..25 licenses
	otherSub := e.subscriptions(other)[0]
	p := subPath(cid, sub.ID)
	list := "/customers/" + cid + "/subscriptions"
	v := sub.Version
	cursor := func(sk string) string { return base64.RawURLEncoding.EncodeToString([]byte(sk)) }
	cases := []badInput{
		{name: "missing version", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "version zero", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": 0}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "negative version", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": -1}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "version string", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": "1"}}, status: 400, code: admin.CodeMalformedJSON, field: "version"},
		{name: "version fractional", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": 1.5}}, status: 400, code: admin.CodeMalformedJSON, field: "version"},
		{name: "stale version", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": v + 7}}, status: 409, code: admin.CodeVersionConflict},
		{name: "licenses string", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": "20", "version": v}}, status: 400, code: admin.CodeMalformedJSON, field: "licenses"},
		{name: "licenses fractional", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 2.5, "version": v}}, status: 400, code: admin.CodeMalformedJSON, field: "licenses"},
		{name: "licenses overflow", req: req{method: "PATCH", path: p, body: `{"licenses":99999999999999999999999,"version":1}`}, status: 400, code: admin.CodeMalformedJSON, field: "licenses"},
		{name: "licenses zero", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 0, "version": v}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "licenses negative", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": -3, "version": v}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "licenses over the trial cap", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 26, "version": v}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "licenses over the product", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 100001, "version": v}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "status number", req: req{method: "PATCH", path: p, body: map[string]any{"status": 1, "version": v}}, status: 400, code: admin.CodeMalformedJSON, field: "status"},
		{name: "status unknown", req: req{method: "PATCH", path: p, body: map[string]any{"status": "paused", "version": v}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "status trial", req: req{method: "PATCH", path: p, body: map[string]any{"status": "trial", "version": v}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "status empty", req: req{method: "PATCH", path: p, body: map[string]any{"status": "", "version": v}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "status upper case", req: req{method: "PATCH", path: p, body: map[string]any{"status": "SUSPENDED", "version": v}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "status not UTF-8", req: req{method: "PATCH", path: p, body: notText(map[string]any{"version": v}, notUTF8, "status")}, status: 400, code: admin.CodeMalformedJSON, field: "status"},
		{name: "both", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "status": "suspended", "version": v}}, status: 422, code: admin.CodeValidation, field: "status"},
		{name: "neither", req: req{method: "PATCH", path: p, body: map[string]any{"version": v}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "null status", req: req{method: "PATCH", path: p, body: map[string]any{"status": nil, "version": v}}, status: 422, code: admin.CodeValidation, field: "licenses"},
		{name: "unknown field", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": v, "productId": "m365-e3"}}, status: 400, code: admin.CodeUnknownField, field: "productId"},
		{name: "mass assignment", req: req{method: "PATCH", path: p, body: map[string]any{"licenses": 20, "version": v, "partnerOfRecord": "ptn_x"}}, status: 400, code: admin.CodeUnknownField, field: "partnerOfRecord"},
		{name: "empty body", req: req{method: "PATCH", path: p, body: ""}, status: 400, code: admin.CodeMalformedJSON},
		{name: "array body", req: req{method: "PATCH", path: p, body: "[]"}, status: 400, code: admin.CodeMalformedJSON},
		{name: "huge", req: req{method: "PATCH", path: p, body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "not JSON", req: req{method: "PATCH", path: p, body: "licenses=3", headers: map[string]string{"content-type": "text/plain"}}, status: 415, code: admin.CodeUnsupportedMediaType},
		{name: "query", req: req{method: "PATCH", path: p + "?force=1", body: map[string]any{"licenses": 20, "version": v}}, status: 400, code: admin.CodeInvalidQuery, field: "force"},
		{name: "malformed subscription id", req: req{method: "PATCH", path: subPath(cid, "sub_'OR'1'='1"), body: map[string]any{"licenses": 20, "version": v}}, status: 404, code: admin.CodeNotFound},
		{name: "traversal subscription id", req: req{method: "PATCH", path: subPath(cid, "..%2F..%2Fetc"), body: map[string]any{"licenses": 20, "version": v}}, status: 404, code: admin.CodeNotFound},
		{name: "unknown subscription", req: req{method: "PATCH", path: subPath(cid, unknownSub), body: map[string]any{"licenses": 20, "version": v}}, status: 404, code: admin.CodeNotFound},
		{name: "another customer's subscription", req: req{method: "PATCH", path: subPath(cid, otherSub.ID), body: map[string]any{"licenses": 20, "version": otherSub.Version}}, status: 404, code: admin.CodeNotFound},
		{name: "a user id as subscription", req: req{method: "PATCH", path: subPath(cid, "usr_01jdzzzzzzzzzzzzzzzzzzzzzz"), body: map[string]any{"licenses": 20, "version": v}}, status: 404, code: admin.CodeNotFound},
		{name: "malformed customer id", req: req{method: "PATCH", path: subPath("cus_x", sub.ID), body: map[string]any{"licenses": 20, "version": v}}, status: 404, code: admin.CodeNotFound},
		{name: "subscription under another customer", req: req{method: "PATCH", path: subPath(other, sub.ID), body: map[string]any{"licenses": 20, "version": v}}, status: 404, code: admin.CodeNotFound},
		// GET /customers/{customerId}/subscriptions
		{name: "list limit zero", req: req{method: "GET", path: list + "?limit=0"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "list limit huge", req: req{method: "GET", path: list + "?limit=1000000"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "list limit text", req: req{method: "GET", path: list + "?limit=ten"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "list unknown param", req: req{method: "GET", path: list + "?status=active"}, status: 400, code: admin.CodeInvalidQuery, field: "status"},
		{name: "list garbage cursor", req: req{method: "GET", path: list + "?cursor=%%%"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "list cursor of another listing", req: req{method: "GET", path: list + "?cursor=" + cursor("USER#usr_01jdzzzzzzzzzzzzzzzzzzzzzz")}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "list cursor of the relationship", req: req{method: "GET", path: list + "?cursor=" + cursor("PARTNER#"+pid)}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "list malformed customer", req: req{method: "GET", path: "/customers/cus_'1'/subscriptions"}, status: 404, code: admin.CodeNotFound},
		{name: "list unknown customer", req: req{method: "GET", path: "/customers/cus_01jdzzzzzzzzzzzzzzzzzzzzzz/subscriptions"}, status: 404, code: admin.CodeNotFound},
	}
	var notFound string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			got := e.do(caller{token: tok}, c.req)
			expectProblem(t, got, c.status, c.code, c.field)
			// Every 404 of a subscription says the same, whatever the id was.
			if c.code == admin.CodeNotFound && c.req.method == "PATCH" && !strings.Contains(c.req.path, "cus_x") {
				if d := got.problem(t).Detail; notFound == "" {
					notFound = d
				} else if d != notFound {
					t.Fatalf("404 detail %q differs from %q", d, notFound)
				}
			}
		})
	}
	e.t = t
	for _, s := range []admin.Subscription{sub, otherSub} {
		if got := e.subscription(s.CustomerID, s.ID); got.Version != s.Version || got.Licenses != s.Licenses {
			t.Fatalf("bad input changed %s: %+v", s.ID, got)
		}
	}
	if n := len(e.activitiesOf(t, cid, sub.ID)) + len(e.activitiesOf(t, pid, sub.ID)); n != 0 {
		t.Fatalf("bad input wrote %d activity entries", n)
	}
	// A valid page through every subscription with a real cursor.
	first := e.do(caller{token: tok}, req{method: "GET", path: list + "?limit=1"}).json(t)
	next, _ := first["nextCursor"].(string)
	if len(first["items"].([]any)) != 1 || next != "" {
		t.Fatalf("one subscription, one page: %v", first)
	}
}

// TestSubscriptionRaces: 100 changes of one subscription with one version give exactly one
// success; a customer ending delegated administration while 50 partner writes are in flight
// lets none land after the end.
func TestSubscriptionRaces(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, adminEmail := e.buyingCustomer(t, pid, 9) // 1 trial + 54 active subscriptions
	_, tok := e.user(pid, admin.RoleNone, admin.AccessFull)
	partner := caller{token: tok}
	var active []admin.Subscription
	for _, s := range e.subscriptions(cid) {
		if s.Status == admin.SubscriptionActive {
			active = append(active, s)
		}
	}
	if len(active) != 54 {
		t.Fatalf("%d active subscriptions", len(active))
	}

	t.Run("100 license changes with one version", func(t *testing.T) {
		e.t = t
		target := active[0]
		res := make([]result, 100)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range res {
			wg.Go(func() {
				<-start
				res[i] = e.do(partner, req{method: "PATCH", path: subPath(cid, target.ID), body: map[string]any{"licenses": 101 + i, "version": target.Version}})
			})
		}
		close(start)
		wg.Wait()
		winner, conflicts := -1, 0
		for i, r := range res {
			switch {
			case r.Status == 200 && winner < 0:
				winner = i
			case r.Status == 409 && r.problem(t).Code == admin.CodeVersionConflict:
				conflicts++
			default:
				t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
			}
		}
		if winner < 0 || conflicts != 99 {
			t.Fatalf("winner %d, %d version conflicts; want one winner and 99", winner, conflicts)
		}
		if got := e.subscription(cid, target.ID); got.Licenses != 101+winner || got.Version != target.Version+1 {
			t.Fatalf("stored %+v, want the winner's %d licenses at version %d", got, 101+winner, target.Version+1)
		}
		for _, org := range []string{pid, cid} {
			acts := e.activitiesOf(t, org, target.ID)
			if len(acts) != 1 || acts[0]["after"].(map[string]any)["licenses"] != float64(101+winner) {
				t.Fatalf("%s's log: %v, want the winner's one entry", org, acts)
			}
		}
	})

	t.Run("the customer ends delegated administration during 50 writes", func(t *testing.T) {
		e.t = t
		writes := active[1:51] // one write each
		const racing = 50
		type outcome struct {
			sub     admin.Subscription
			res     result
			started time.Time
		}
		out := make([]outcome, racing)
		ctok := e.signInCustomer(t, adminEmail)
		var wg sync.WaitGroup
		start := make(chan struct{})
		firstDone := make(chan struct{})
		var once sync.Once
		var endedAt time.Time
		var end result
		for i := range racing {
			s := writes[i]
			wg.Go(func() {
				<-start
				if i >= racing/2 {
					<-firstDone // the second half starts together with the end
				}
				out[i].sub, out[i].started = s, time.Now()
				out[i].res = e.do(partner, req{method: "PATCH", path: subPath(cid, s.ID), body: map[string]any{"licenses": 2, "version": s.Version}})
				once.Do(func() { close(firstDone) })
			})
		}
		wg.Go(func() {
			<-firstDone // the end lands while the other writes are in flight
			end = e.do(caller{token: ctok}, req{method: "DELETE", path: "/tenant/partners/" + pid + "/delegated-admin"})
			endedAt = time.Now()
		})
		close(start)
		wg.Wait()
		expectStatus(t, end, 204, "end delegated administration")
		rel, err := e.store.Relationship(t0(), cid, pid)
		if err != nil || rel.DelegatedAdmin == nil || rel.DelegatedAdmin.Status != "ended" {
			t.Fatalf("relationship %+v %v", rel, err)
		}
		// A write that succeeded has its change and its two entries; a refused one neither. A
		// write the end overtook between its read and its write is decided again from a fresh
		// read: refused like a write that started after the end.
		succeeded := map[string]int{}
		landed, refused := 0, 0
		for i, o := range out {
			switch o.res.Status {
			case 200:
				succeeded[o.sub.ID]++
				landed++
			case 403:
				expectProblem(t, o.res, 403, admin.CodeDelegatedAdminRequired, "")
				refused++
			default:
				t.Fatalf("write %d: %d %s", i, o.res.Status, o.res.Body)
			}
			if o.started.After(endedAt) && o.res.Status != 403 {
				t.Fatalf("write %d started after the end's answer but got %d %s", i, o.res.Status, o.res.Body)
			}
		}
		for _, s := range writes {
			got := e.subscription(cid, s.ID)
			entries := len(e.activitiesOf(t, pid, s.ID)) + len(e.activitiesOf(t, cid, s.ID))
			switch succeeded[s.ID] {
			case 0:
				if got.Licenses != s.Licenses || got.Version != s.Version || entries != 0 {
					t.Fatalf("%s: no write succeeded, but it is %+v with %d activity entries", s.ID, got, entries)
				}
			case 1:
				if got.Licenses != 2 || got.Version != s.Version+1 || entries != 2 {
					t.Fatalf("%s: one write succeeded, but it is %+v with %d activity entries (want 2)", s.ID, got, entries)
				}
			default:
				t.Fatalf("%s: %d writes succeeded", s.ID, succeeded[s.ID])
			}
		}
		t.Logf("%d writes landed before the end, %d refused", landed, refused)
		// Every write after the end's answer is refused, and writes nothing.
		late := active[51]
		for range 3 {
			expectProblem(t, e.do(partner, req{method: "PATCH", path: subPath(cid, late.ID), body: map[string]any{"licenses": 3, "version": late.Version}}),
				403, admin.CodeDelegatedAdminRequired, "")
		}
		if got := e.subscription(cid, late.ID); got.Version != late.Version || len(e.activitiesOf(t, cid, late.ID)) != 0 {
			t.Fatalf("a write after the end landed: %+v", got)
		}
	})
}
