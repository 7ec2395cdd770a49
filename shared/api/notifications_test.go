package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// onboardWith onboards a partner of cloud with the authorizations and returns its id.
func (e *env) onboardWith(t *testing.T, cloud string, auths ...string) string {
	t.Helper()
	n := e.seq.Add(1)
	r := e.do(caller{operator: true}, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": fmt.Sprintf("Partner %d", n),
		"cloud": cloud, "authorizations": append([]string{}, auths...), "email": fmt.Sprintf("c%d@partner.example", n),
		"firstAdmin": map[string]string{"email": fmt.Sprintf("first%d@partner.example", n), "displayName": "First"}}})
	expectStatus(t, r, 201, "onboard")
	return r.json(t)["partner"].(map[string]any)["partnerId"].(string)
}

// TestChangePartnerOfRecord: the customer admin's change of a Partner of Record — the gates, one
// 404 for every partner that cannot be named, the bad-input table, and a change that ends the
// current period, starts the new one and is logged in the customer's and both partners' logs.
func TestChangePartnerOfRecord(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, adminEmail := e.newCustomer(t, pid, "", 0)
	otherCID, _ := e.newCustomer(t, pid, "", 0)
	sub := e.subscriptions(cid)[0]
	otherSub := e.subscriptions(otherCID)[0]
	ctok := e.signInCustomer(t, adminEmail)
	advisor := e.onboardWith(t, "global", "subscription_advisor")
	notAdvisor := e.onboardWith(t, "global", "delegated_admin", "service_provider")
	vianet := e.partner("21vianet").PartnerID
	path := "/tenant/subscriptions/" + sub.ID + "/partner-of-record"
	put := func(c caller, p string, body any) result { return e.do(c, req{method: "PUT", path: p, body: body}) }
	valid := func() map[string]any { return map[string]any{"partnerId": advisor, "version": sub.Version} }
	with := func(k string, v any) map[string]any { m := valid(); m[k] = v; return m }
	without := func(k string) map[string]any { m := valid(); delete(m, k); return m }

	// Gates: no token, a partner user's, a customer user who is not an admin.
	expectProblem(t, put(caller{}, path, valid()), 401, admin.CodeUnauthenticated, "")
	_, ptok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	expectProblem(t, put(caller{token: ptok}, path, valid()), 403, admin.CodeForbidden, "")
	member := e.customerUser(cid, admin.CustomerRoleUser)
	mtok, _ := e.signIn(t, member.Email, customerPassword)
	expectProblem(t, put(caller{token: mtok}, path, valid()), 403, admin.CodeForbidden, "")

	cases := []struct {
		name   string
		path   string
		body   any
		status int
		code   admin.Code
		field  string
	}{
		{"not an advisor", path, with("partnerId", notAdvisor), 404, admin.CodeNotFound, ""},
		{"other cloud", path, with("partnerId", vianet), 404, admin.CodeNotFound, ""},
		{"unknown partner", path, with("partnerId", "ptn_01jdzzzzzzzzzzzzzzzzzzzzzz"), 404, admin.CodeNotFound, ""},
		{"another customer's subscription", "/tenant/subscriptions/" + otherSub.ID + "/partner-of-record", valid(), 404, admin.CodeNotFound, ""},
		{"unknown subscription", "/tenant/subscriptions/" + unknownSub + "/partner-of-record", valid(), 404, admin.CodeNotFound, ""},
		{"malformed subscription", "/tenant/subscriptions/nope/partner-of-record", valid(), 404, admin.CodeNotFound, ""},
		{"missing partner", path, without("partnerId"), 422, admin.CodeValidation, "partnerId"},
		{"partner wrong type", path, with("partnerId", 7), 400, admin.CodeMalformedJSON, "partnerId"},
		{"partner malformed", path, with("partnerId", "contoso"), 422, admin.CodeValidation, "partnerId"},
		{"partner too long", path, with("partnerId", "ptn_"+strings.Repeat("a", 300)), 422, admin.CodeValidation, "partnerId"},
		{"unknown field", path, with("partnerOfRecord", advisor), 400, admin.CodeUnknownField, "partnerOfRecord"},
		{"missing version", path, without("version"), 422, admin.CodeValidation, "version"},
		{"version string", path, with("version", "1"), 400, admin.CodeMalformedJSON, "version"},
		{"stale version", path, with("version", sub.Version+5), 409, admin.CodeVersionConflict, ""},
		{"not JSON", path, "partnerId=x", 400, admin.CodeMalformedJSON, ""},
		{"huge", path, huge(), 413, admin.CodePayloadTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblem(t, put(caller{token: ctok}, c.path, c.body), c.status, c.code, c.field)
		})
	}
	if got := e.subscription(cid, sub.ID); got.PartnerOfRecord != pid || got.Version != sub.Version {
		t.Fatalf("a refused change wrote: %+v", got)
	}

	r := put(caller{token: ctok}, path, valid())
	expectStatus(t, r, 200, "change partner of record")
	body := r.json(t)
	hist := body["porHistory"].([]any)
	first, second := hist[0].(map[string]any), hist[1].(map[string]any)
	if body["partnerOfRecord"] != advisor || len(hist) != 2 || first["partnerId"] != pid || first["to"] == nil || second["partnerId"] != advisor ||
		second["to"] != nil || first["to"] != second["from"] {
		t.Fatalf("changed subscription %s", r.Body)
	}
	for _, org := range []string{cid, pid, advisor} {
		found := false
		for _, a := range e.activitiesOf(t, org, sub.ID) {
			found = found || a["action"] == "subscription.partner_of_record_changed"
		}
		if !found {
			t.Errorf("no activity entry in %s's log", org)
		}
	}
	// Naming the current one again changes nothing; the old version is now stale.
	r = put(caller{token: ctok}, path, map[string]any{"partnerId": advisor, "version": sub.Version + 1})
	expectStatus(t, r, 200, "same partner")
	if r.json(t)["version"] != float64(sub.Version+1) {
		t.Errorf("naming the current partner changed the version: %s", r.Body)
	}
	expectProblem(t, put(caller{token: ctok}, path, valid()), 409, admin.CodeVersionConflict, "")
}

// notify puts an event of a subscription change into partner pid's inbox, as the notifier does.
func (e *env) notify(t *testing.T, pid, cid string, kind admin.EventKind, at time.Time) string {
	t.Helper()
	n := e.seq.Add(1)
	sub := admin.Subscription{ID: fmt.Sprintf("sub_01jdnotify%016d", n), CustomerID: cid, ProductID: "m365-e3", ProductName: "Microsoft 365 E3",
		Licenses: 5, Status: admin.SubscriptionActive, PartnerOfRecord: pid, Version: 1}
	ev := admin.SubscriptionEvent{ID: admin.EventID(sub.ID, 1, pid), Kind: kind, At: at, PartnerID: pid, Cloud: admin.CloudGlobal,
		CustomerID: cid, CustomerName: "Customer " + cid[len(cid)-4:], Subscription: sub}
	if err := store.InboxOf(e.store).Notify(t0(), ev, nil, at); err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

// TestNotificationRoutes: the inbox routes (unread first, the filters, paging, the unread
// count, marking read) and the email settings, their bad-input tables, and tenant isolation.
func TestNotificationRoutes(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	other := e.partner("21vianet").PartnerID
	const c1, c2 = "cus_01jdnotifycustomer000000c1", "cus_01jdnotifycustomer000000c2"
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i, k := range []admin.EventKind{admin.EventSubscriptionCreated, admin.EventSuspended, admin.EventCancelled, admin.EventSuspended} {
		ids = append(ids, e.notify(t, pid, []string{c1, c2}[i%2], k, at.Add(time.Duration(i)*time.Minute)))
	}
	foreign := e.notify(t, other, c1, admin.EventSuspended, at)
	_, tok := e.user(pid, admin.RoleNone, admin.AccessNone) // any user of the partner reads the inbox
	_, otok := e.user(other, admin.RoleGlobalAdmin, admin.AccessFull)
	list := func(c caller, q string) result { return e.do(c, req{method: "GET", path: "/notifications" + q}) }
	idsOf := func(r result) []string {
		var out []string
		for _, it := range r.json(t)["items"].([]any) {
			out = append(out, it.(map[string]any)["notificationId"].(string))
		}
		return out
	}

	r := list(caller{token: tok}, "?limit=3")
	expectStatus(t, r, 200, "list")
	m := r.json(t)
	if got := idsOf(r); fmt.Sprint(got) != fmt.Sprint([]string{ids[3], ids[2], ids[1]}) || m["unreadCount"] != float64(4) || m["nextCursor"] == nil {
		t.Fatalf("first page %s", r.Body)
	}
	r2 := list(caller{token: tok}, "?limit=3&cursor="+m["nextCursor"].(string))
	if got := idsOf(r2); fmt.Sprint(got) != fmt.Sprint([]string{ids[0]}) || r2.json(t)["nextCursor"] != nil {
		t.Fatalf("second page %s", r2.Body)
	}
	if got := idsOf(list(caller{token: tok}, "?kind=subscription.suspended")); fmt.Sprint(got) != fmt.Sprint([]string{ids[3], ids[1]}) {
		t.Errorf("by kind %v", got)
	}
	if got := idsOf(list(caller{token: tok}, "?customerId="+c1)); fmt.Sprint(got) != fmt.Sprint([]string{ids[2], ids[0]}) {
		t.Errorf("by customer %v", got)
	}
	if got := idsOf(list(caller{token: tok}, "?customerId="+c2+"&kind=subscription.suspended")); fmt.Sprint(got) != fmt.Sprint([]string{ids[3], ids[1]}) {
		t.Errorf("by customer and kind %v", got)
	}

	// Marking read: the read one goes last; again is no change; another partner's is not found.
	read := func(c caller, id string) result {
		return e.do(c, req{method: "POST", path: "/notifications/" + id + "/read"})
	}
	expectStatus(t, read(caller{token: tok}, ids[3]), 204, "read")
	expectStatus(t, read(caller{token: tok}, ids[3]), 204, "read again")
	r = list(caller{token: tok}, "")
	items := r.json(t)["items"].([]any)
	if got := idsOf(r); fmt.Sprint(got) != fmt.Sprint([]string{ids[2], ids[1], ids[0], ids[3]}) || r.json(t)["unreadCount"] != float64(3) ||
		items[3].(map[string]any)["read"] != true || items[0].(map[string]any)["read"] != false {
		t.Fatalf("after reading one %s", r.Body)
	}
	expectProblem(t, read(caller{token: tok}, foreign), 404, admin.CodeNotFound, "")
	expectProblem(t, read(caller{token: otok}, ids[0]), 404, admin.CodeNotFound, "")
	expectProblem(t, read(caller{token: tok}, "evt_01jdzzzzzzzzzzzzzzzzzzzzzz"), 404, admin.CodeNotFound, "")
	expectProblem(t, read(caller{token: tok}, "not-an-id"), 404, admin.CodeNotFound, "")
	if got := idsOf(list(caller{token: otok}, "")); fmt.Sprint(got) != fmt.Sprint([]string{foreign}) {
		t.Errorf("the other partner's inbox %v", got)
	}
	if got := idsOf(list(caller{token: otok}, "?customerId="+c1)); fmt.Sprint(got) != fmt.Sprint([]string{foreign}) {
		t.Errorf("the other partner's inbox by customer %v", got)
	}

	all := e.do(caller{token: tok}, req{method: "POST", path: "/notifications/read"})
	expectStatus(t, all, 200, "read all")
	if b := all.json(t); b["marked"] != float64(3) || b["unreadCount"] != float64(0) {
		t.Errorf("read all %s", all.Body)
	}
	if r := list(caller{token: otok}, ""); r.json(t)["unreadCount"] != float64(1) {
		t.Errorf("reading all read another partner's: %s", r.Body)
	}

	// Email settings: the default, a choice, the version guard.
	_, gatok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessNone)
	settings := func(c caller) result { return e.do(c, req{method: "GET", path: "/me/notification-settings"}) }
	r = settings(caller{token: gatok})
	expectStatus(t, r, 200, "settings")
	if b := r.json(t); b["email"] != true || len(b["kinds"].([]any)) != len(admin.EventKinds) || b["default"] != true || b["version"] != float64(0) {
		t.Errorf("a global admin's default %s", r.Body)
	}
	if b := settings(caller{token: tok}).json(t); b["email"] != false || len(b["kinds"].([]any)) != 0 {
		t.Errorf("a member's default %v", b)
	}
	putSettings := func(c caller, body any) result {
		return e.do(c, req{method: "PUT", path: "/me/notification-settings", body: body})
	}
	r = putSettings(caller{token: tok}, map[string]any{"email": true, "kinds": []string{"subscription.cancelled", "subscription.created", "subscription.cancelled"}, "version": 0})
	expectStatus(t, r, 200, "choose")
	if b := r.json(t); fmt.Sprint(b["kinds"]) != "[subscription.created subscription.cancelled]" || b["version"] != float64(1) || b["default"] != false {
		t.Errorf("chosen %s", r.Body)
	}
	if b := settings(caller{token: tok}).json(t); b["email"] != true || b["version"] != float64(1) {
		t.Errorf("read back %v", b)
	}

	ctok := e.signInCustomer(t, func() string { _, email := e.newCustomer(t, pid, "", 0); return email }())
	valid := func() map[string]any { return map[string]any{"email": false, "kinds": []string{}, "version": 1} }
	with := func(k string, v any) map[string]any { m := valid(); m[k] = v; return m }
	without := func(k string) map[string]any { m := valid(); delete(m, k); return m }
	bad := []struct {
		name   string
		c      caller
		req    req
		status int
		code   admin.Code
		field  string
	}{
		{"list no token", caller{}, req{method: "GET", path: "/notifications"}, 401, admin.CodeUnauthenticated, ""},
		{"list customer token", caller{token: ctok}, req{method: "GET", path: "/notifications"}, 403, admin.CodeForbidden, ""},
		{"list bad kind", caller{token: tok}, req{method: "GET", path: "/notifications?kind=subscription.renamed"}, 400, admin.CodeInvalidQuery, "kind"},
		{"list bad customer", caller{token: tok}, req{method: "GET", path: "/notifications?customerId=" + strings.Repeat("x", 100)}, 400, admin.CodeInvalidQuery, "customerId"},
		{"list limit 0", caller{token: tok}, req{method: "GET", path: "/notifications?limit=0"}, 400, admin.CodeInvalidQuery, "limit"},
		{"list limit word", caller{token: tok}, req{method: "GET", path: "/notifications?limit=ten"}, 400, admin.CodeInvalidQuery, "limit"},
		{"list bad cursor", caller{token: tok}, req{method: "GET", path: "/notifications?cursor=bm90LW91cnM"}, 400, admin.CodeInvalidCursor, "cursor"},
		{"list unknown parameter", caller{token: tok}, req{method: "GET", path: "/notifications?unread=true"}, 400, admin.CodeInvalidQuery, "unread"},
		{"read no token", caller{}, req{method: "POST", path: "/notifications/" + ids[0] + "/read"}, 401, admin.CodeUnauthenticated, ""},
		{"read customer token", caller{token: ctok}, req{method: "POST", path: "/notifications/" + ids[0] + "/read"}, 403, admin.CodeForbidden, ""},
		{"read query", caller{token: tok}, req{method: "POST", path: "/notifications/" + ids[0] + "/read?all=1"}, 400, admin.CodeInvalidQuery, "all"},
		{"read all customer token", caller{token: ctok}, req{method: "POST", path: "/notifications/read"}, 403, admin.CodeForbidden, ""},
		{"settings customer token", caller{token: ctok}, req{method: "GET", path: "/me/notification-settings"}, 403, admin.CodeForbidden, ""},
		{"put settings customer token", caller{token: ctok}, req{method: "PUT", path: "/me/notification-settings", body: valid()}, 403, admin.CodeForbidden, ""},
		{"settings missing email", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: without("email")}, 422, admin.CodeValidation, "email"},
		{"settings email string", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: with("email", "yes")}, 400, admin.CodeMalformedJSON, "email"},
		{"settings missing kinds", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: without("kinds")}, 422, admin.CodeValidation, "kinds"},
		{"settings kinds not a list", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: with("kinds", "subscription.created")}, 400, admin.CodeMalformedJSON, "kinds"},
		{"settings unknown kind", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: with("kinds", []string{"subscription.created", strings.Repeat("k", 300)})}, 422, admin.CodeValidation, "kinds[1]"},
		{"settings unknown field", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: with("webhook", true)}, 400, admin.CodeUnknownField, "webhook"},
		{"settings missing version", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: without("version")}, 422, admin.CodeValidation, "version"},
		{"settings version string", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: with("version", "1")}, 400, admin.CodeMalformedJSON, "version"},
		{"settings stale version", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: with("version", 0)}, 409, admin.CodeVersionConflict, ""},
		{"settings huge", caller{token: tok}, req{method: "PUT", path: "/me/notification-settings", body: huge()}, 413, admin.CodePayloadTooLarge, ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) { expectProblem(t, e.do(c.c, c.req), c.status, c.code, c.field) })
	}
}

func init() {
	matrixCases = append(matrixCases,
		matrixCase{route: "GET /notifications", ok: 200, build: func(*env, string) req { return req{method: "GET", path: "/notifications"} }},
		matrixCase{route: "POST /notifications/{notificationId}/read", ok: 204, build: func(e *env, pid string) req {
			id := e.notify(e.t, pid, "cus_01jdnotifycustomer000000c1", admin.EventSuspended, time.Now())
			return req{method: "POST", path: "/notifications/" + id + "/read"}
		}},
		matrixCase{route: "POST /notifications/read", ok: 200, build: func(*env, string) req { return req{method: "POST", path: "/notifications/read"} }},
		matrixCase{route: "GET /me/notification-settings", ok: 200, build: func(*env, string) req { return req{method: "GET", path: "/me/notification-settings"} }},
		matrixCase{route: "PUT /me/notification-settings", ok: 200, build: func(*env, string) req {
			return req{method: "PUT", path: "/me/notification-settings", body: map[string]any{"email": true, "kinds": []string{"subscription.cancelled"}, "version": 0}}
		}},
		// The customer admin identity has just signed up (alex@cust<100000+n>.example, n the seq
		// before its requests): it names its subscription's current Partner of Record again (200,
		// no change).
		matrixCase{route: "PUT /tenant/subscriptions/{subscriptionId}/partner-of-record", ok: 200, who: customers, build: func(e *env, pid string) req {
			sid, version := unknownSub, 1
			for n := e.seq.Load(); n > e.seq.Load()-20 && sid == unknownSub; n-- { // requests since raised seq
				if l, err := e.store.Login(t0(), fmt.Sprintf("alex@cust%d.example", 100000+n)); err == nil {
					if subs := e.subscriptions(l.OrgID); len(subs) > 0 {
						sid, version = subs[0].ID, subs[0].Version
					}
				}
			}
			return req{method: "PUT", path: "/tenant/subscriptions/" + sid + "/partner-of-record", body: map[string]any{"partnerId": pid, "version": version}}
		}},
	)
}
