package api_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// outbox returns the pending outbox items of the test's table (template → recipients).
func (e *env) outbox(t *testing.T) []map[string]any {
	t.Helper()
	res, err := e.db.Query(context.Background(), &dynamodb.QueryInput{TableName: &e.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "OUTBOX#pending"}}})
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

func countTemplate(items []map[string]any, name string) int {
	n := 0
	for _, it := range items {
		if it["template"] == name {
			n++
		}
	}
	return n
}

func (e *env) signInCustomer(t *testing.T, email string) string {
	t.Helper()
	r := e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": email, "password": "Sunny-Meadow-Lantern-42"}})
	expectStatus(t, r, 200, "customer sign-in")
	return r.json(t)["accessToken"].(string)
}

func TestTrialJourney(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	link := e.newLink(t, pid, admin.LinkTrial, trialBody(true))
	path := pagePath(t, link)
	if !strings.HasPrefix(path, "/trial/") || len(strings.TrimPrefix(path, "/trial/")) != 26 || link["state"] != "active" {
		t.Fatalf("link %v", link)
	}

	// Opening the link (mail scanners do) changes nothing, however often.
	before, _ := e.store.Partner(t0(), pid)
	for range 100 {
		page, token := e.open(t, path)
		expectStatus(t, page, 200, "open")
		if token == "" || page.Headers["Referrer-Policy"] != "no-referrer" || !strings.Contains(string(page.Body), "Microsoft 365 Business Premium") ||
			!strings.Contains(string(page.Body), "contact@contoso-partners.example") || !strings.Contains(string(page.Body), "end it at any time") {
			t.Fatalf("page: %v %s", page.Headers, page.Body)
		}
	}
	after, _ := e.store.Partner(t0(), pid)
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	got := e.do(caller{token: tok}, req{method: "GET", path: "/trial-invitations/" + link["linkId"].(string)}).json(t)
	if after.CustomerCount != before.CustomerCount || got["uses"].(float64) != 0 || got["version"].(float64) != 1 || len(e.outbox(t)) != 0 {
		t.Fatalf("GET changed something: %v", got)
	}

	// A new customer signs up and accepts the trial and delegated administration.
	done := e.accept(t, path, signUpForm(1, map[string]string{"delegatedAdmin": "accept"}))
	expectStatus(t, done, 200, "accept")
	if !strings.Contains(string(done.Body), "Thank you") || !strings.Contains(string(done.Body), "Delegated administration") {
		t.Fatalf("confirmation: %s", done.Body)
	}
	p, _ := e.store.Partner(t0(), pid)
	ov := e.do(caller{token: tok}, req{method: "GET", path: "/overview"}).json(t)
	if p.CustomerCount != before.CustomerCount+1 || int(ov["customerCount"].(float64)) != p.CustomerCount {
		t.Fatalf("customer count %d, overview %v", p.CustomerCount, ov["customerCount"])
	}
	used := e.do(caller{token: tok}, req{method: "GET", path: "/trial-invitations/" + link["linkId"].(string)}).json(t)
	usedBy := used["usedBy"].([]any)
	if used["uses"].(float64) != 1 || len(usedBy) != 1 || usedBy[0].(map[string]any)["customerName"] != "Customer 1 Ltd" ||
		usedBy[0].(map[string]any)["delegatedAdmin"] != "accepted" {
		t.Fatalf("link after use: %v", used)
	}
	out := e.outbox(t)
	if countTemplate(out, "customer_welcome") != 1 || countTemplate(out, "partner_answer") != 1 {
		t.Fatalf("outbox %v", out)
	}

	// The customer admin signs in and sees the trial, the POR and the delegated administration.
	ctok := e.signInCustomer(t, "alex@cust1.example")
	cc := caller{token: ctok}
	tenant := e.do(cc, req{method: "GET", path: "/tenant"}).json(t)
	if tenant["domainPrefix"] != "cust1" || tenant["cloud"] != "global" {
		t.Fatalf("tenant %v", tenant)
	}
	subs := e.do(cc, req{method: "GET", path: "/tenant/subscriptions"}).json(t)["items"].([]any)
	sub := subs[0].(map[string]any)
	ends, _ := time.Parse(time.RFC3339, sub["trialEndsAt"].(string))
	if len(subs) != 1 || sub["status"] != "trial" || sub["licenses"].(float64) != 25 || sub["partnerOfRecord"] != pid ||
		time.Until(ends) < 29*24*time.Hour || time.Until(ends) > 30*24*time.Hour+time.Minute {
		t.Fatalf("subscriptions %v", subs)
	}
	partners := e.do(cc, req{method: "GET", path: "/tenant/partners"}).json(t)["items"].([]any)
	da := partners[0].(map[string]any)["delegatedAdmin"].(map[string]any)
	daEnds, _ := time.Parse(time.RFC3339, da["endsAt"].(string))
	if len(partners) != 1 || da["scope"] != "full" || da["status"] != "active" || time.Until(daEnds) < 364*24*time.Hour {
		t.Fatalf("partners %v", partners)
	}
	// Partner and customer tokens are confined to their own routes.
	expectProblem(t, e.do(caller{token: tok}, req{method: "GET", path: "/tenant"}), 403, admin.CodeForbidden, "")
	expectProblem(t, e.do(cc, req{method: "GET", path: "/overview"}), 403, admin.CodeForbidden, "")

	// The customer ends delegated administration at once; the partner is emailed.
	expectStatus(t, e.do(cc, req{method: "DELETE", path: "/tenant/partners/" + pid + "/delegated-admin"}), 204, "end")
	expectProblem(t, e.do(cc, req{method: "DELETE", path: "/tenant/partners/" + pid + "/delegated-admin"}), 404, admin.CodeNotFound, "")
	expectProblem(t, e.do(cc, req{method: "DELETE", path: "/tenant/partners/ptn_01jdzzzzzzzzzzzzzzzzzzzzzz/delegated-admin"}), 404, admin.CodeNotFound, "")
	ended := e.do(cc, req{method: "GET", path: "/tenant/partners"}).json(t)["items"].([]any)[0].(map[string]any)["delegatedAdmin"].(map[string]any)
	if ended["status"] != "ended" || ended["endedAt"] == nil || countTemplate(e.outbox(t), "delegated_admin_ended") != 1 {
		t.Fatalf("after ending: %v", ended)
	}
}

func TestOfferJourneyExistingCustomer(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	// An existing customer of the partner (from a trial).
	trial := e.newLink(t, pid, admin.LinkTrial, trialBody(false))
	expectStatus(t, e.accept(t, pagePath(t, trial), signUpForm(7, nil)), 200, "trial")
	offer := e.newLink(t, pid, admin.LinkOffer, map[string]any{
		"lines":          []map[string]any{{"productId": "m365-business-basic", "licenses": 2}, {"productId": "teams-essentials", "licenses": 5}},
		"delegatedAdmin": map[string]any{"scope": "limited"}, "maxUses": 5})
	path := pagePath(t, offer)
	page, _ := e.open(t, path)
	if !strings.Contains(string(page.Body), "Microsoft Teams Essentials") || !strings.Contains(string(page.Body), "limited administration") {
		t.Fatalf("offer page %s", page.Body)
	}
	signIn := func(extra map[string]string) url.Values {
		f := url.Values{"mode": {"signin"}, "email": {"alex@cust7.example"}, "password": {"Sunny-Meadow-Lantern-42"}}
		for k, v := range extra {
			f.Set(k, v)
		}
		return f
	}
	// Out-of-range counts and a missing answer re-render the form with the errors (nothing bought).
	bad := e.accept(t, path, signIn(map[string]string{"licenses.m365-business-basic": "301", "licenses.teams-essentials": "5"}))
	if bad.Status != 422 || !strings.Contains(string(bad.Body), "must be from 1 to 300") || !strings.Contains(string(bad.Body), "accept or decline") {
		t.Fatalf("bad counts: %d %s", bad.Status, bad.Body)
	}
	wrong := e.accept(t, path, url.Values{"mode": {"signin"}, "email": {"alex@cust7.example"}, "password": {"Wrong-Password-99"}, "delegatedAdmin": {"decline"}})
	if wrong.Status != 401 || !strings.Contains(string(wrong.Body), "email or password is wrong") {
		t.Fatalf("wrong password: %d %s", wrong.Status, wrong.Body)
	}
	ok := e.accept(t, path, signIn(map[string]string{"licenses.m365-business-basic": "10", "licenses.teams-essentials": "5", "delegatedAdmin": "decline"}))
	expectStatus(t, ok, 200, "buy")
	if !strings.Contains(string(ok.Body), "You declined delegated administration") {
		t.Fatalf("confirmation %s", ok.Body)
	}
	ctok := e.signInCustomer(t, "alex@cust7.example")
	subs := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant/subscriptions"}).json(t)["items"].([]any)
	licenses := map[string]float64{}
	for _, s := range subs {
		m := s.(map[string]any)
		licenses[m["productId"].(string)] = m["licenses"].(float64)
		if m["partnerOfRecord"] != pid {
			t.Fatalf("POR %v", m)
		}
	}
	if len(subs) != 3 || licenses["m365-business-basic"] != 10 || licenses["teams-essentials"] != 5 {
		t.Fatalf("subscriptions %v", subs)
	}
	p, _ := e.store.Partner(t0(), pid)
	if p.CustomerCount != 1 {
		t.Fatalf("a returning customer counted twice: %d", p.CustomerCount)
	}
	if rel := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant/partners"}).json(t)["items"].([]any)[0].(map[string]any); rel["delegatedAdmin"] != nil {
		t.Fatalf("declined delegated admin was granted: %v", rel)
	}
}

func TestDelegatedAdminOffer(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	trial := e.newLink(t, pid, admin.LinkTrial, trialBody(false))
	expectStatus(t, e.accept(t, pagePath(t, trial), signUpForm(21, nil)), 200, "customer 21")
	expectStatus(t, e.accept(t, pagePath(t, trial), signUpForm(22, nil)), 200, "customer 22")
	ctok := e.signInCustomer(t, "alex@cust21.example")
	tenant := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant"}).json(t)
	cid := tenant["customerId"].(string)

	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	expectProblem(t, e.do(caller{token: tok}, req{method: "POST", path: "/delegated-admin-offers", body: map[string]any{
		"targetCustomerId": "cus_01jdzzzzzzzzzzzzzzzzzzzzzz"}}), 422, admin.CodeValidation, "targetCustomerId")
	// A full grant never extends itself (GDAP).
	expectProblem(t, e.do(caller{token: tok}, req{method: "POST", path: "/delegated-admin-offers", body: map[string]any{"targetCustomerId": cid,
		"delegatedAdmin": map[string]any{"scope": "full", "durationDays": 30, "autoExtend": true}}}), 422, admin.CodeValidation, "delegatedAdmin.autoExtend")
	link := e.newLink(t, pid, admin.LinkDelegatedAdmin, map[string]any{"targetCustomerId": cid,
		"delegatedAdmin": map[string]any{"scope": "limited", "durationDays": 30, "autoExtend": true}})
	if link["delegatedAdmin"].(map[string]any)["durationDays"].(float64) != 30 {
		t.Fatalf("link %v", link)
	}
	// Offered to one customer, it waits 90 days for the answer.
	if exp, err := time.Parse(time.RFC3339, link["expiresAt"].(string)); err != nil || exp.Sub(e.now()) < 89*24*time.Hour || exp.Sub(e.now()) > 90*24*time.Hour {
		t.Fatalf("targeted offer expires %v (%v)", link["expiresAt"], err)
	}
	path := pagePath(t, link)
	form := func(n int, answer string) url.Values {
		return url.Values{"mode": {"signin"}, "email": {"alex@cust" + strconv.Itoa(n) + ".example"}, "password": {"Sunny-Meadow-Lantern-42"}, "delegatedAdmin": {answer}}
	}
	// Offered to customer 21 only: to customer 22 it is as if the link did not exist.
	other := e.accept(t, path, form(22, "accept"))
	expectStatus(t, other, 404, "another customer")
	expectStatus(t, e.accept(t, path, form(21, "accept")), 200, "target accepts")
	rel := e.do(caller{token: ctok}, req{method: "GET", path: "/tenant/partners"}).json(t)["items"].([]any)[0].(map[string]any)
	da := rel["delegatedAdmin"].(map[string]any)
	if da["scope"] != "limited" || da["autoExtend"] != true {
		t.Fatalf("relationship %v", rel)
	}
	// A declined stand-alone offer tells the partner "declined".
	decline := e.newLink(t, pid, admin.LinkDelegatedAdmin, map[string]any{})
	expectStatus(t, e.accept(t, pagePath(t, decline), form(22, "decline")), 200, "decline")
	declined := 0
	for _, it := range e.outbox(t) {
		if it["template"] == "partner_answer" && it["data"].(map[string]any)["answer"] == "declined" {
			declined++
		}
	}
	if declined != 1 {
		t.Fatalf("%d declined answers to the partner, want 1", declined)
	}
}
