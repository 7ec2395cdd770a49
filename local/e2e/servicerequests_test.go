package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/inbox"
	"github.com/partner-admin-center/pac/local/testenv"
)

// supportDeskGlobal is the template's default SupportDeskEmailGlobal, which the local runtime uses.
const supportDeskGlobal = "support-desk@partner-admin-center.example"

// serviceRequestEmails walks a service request through the whole stack: a customer signs up
// through the partner's trial link granting full delegated administration, the partner sends a
// request for it, the support desk asks a question (needsPartner): the desk's email and the
// contact's (with the CC address) arrive in the SES emulator's store, sent by the mailer from the
// outbox. ga is the partner's global admin, op the operator.
func serviceRequestEmails(t *testing.T, api string, ga, op testenv.Client) {
	t.Helper()
	since := time.Now().Add(-time.Second)
	tag := fmt.Sprintf("sr%d", time.Now().UnixNano()%1_000_000_000)
	link := ga.Must(201, "POST", "/trial-invitations", map[string]any{"productId": "m365-business-premium",
		"delegatedAdmin": map[string]any{"scope": "full", "durationDays": 365}}).Body
	u, err := url.Parse(testenv.Str(link, "url"))
	if err != nil {
		t.Fatal(err)
	}
	// The link page: its CSRF cookie, then the sign-up with delegated administration accepted.
	page, err := http.Get(api + u.Path)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	var csrf string
	for _, c := range page.Cookies() {
		if c.Name == "pac_csrf" {
			csrf = c.Value
		}
	}
	adminEmail := "alex@" + tag + ".example"
	form := url.Values{"mode": {"signup"}, "organization": {"E2E " + tag + " Ltd"}, "domainPrefix": {tag}, "country": {"DE"},
		"adminName": {"Alex Admin"}, "email": {adminEmail}, "password": {"Sunny-Meadow-Lantern-42"}, "delegatedAdmin": {"accept"}, "csrf": {csrf}}
	post, err := http.NewRequest("POST", api+u.Path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.AddCookie(&http.Cookie{Name: "pac_csrf", Value: csrf})
	resp, err := http.DefaultClient.Do(post)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sign-up through the link: %d %s", resp.StatusCode, body)
	}
	anon := testenv.Client{T: t, Base: api}
	custTok := anon.Must(200, "POST", "/auth/sign-in", map[string]string{"email": adminEmail, "password": "Sunny-Meadow-Lantern-42"}).Body
	cust := testenv.Client{T: t, Base: api, Token: testenv.Str(custTok, "accessToken")}
	cid := testenv.Str(cust.Must(200, "GET", "/tenant", nil).Body, "customerId")

	contact, cc := "cara@"+tag+".example", "it@"+tag+".example"
	title := "E2E " + tag + ": mail does not arrive"
	sr := ga.Must(201, "POST", "/customers/"+cid+"/service-requests", map[string]any{"title": title, "description": "Since Monday\nno mail.",
		"severity": "critical", "topic": "exchange-online", "contact": map[string]any{"name": "Cara", "email": contact}, "cc": []string{cc}, "send": true}).Body
	rid := testenv.Str(sr, "requestId")
	op.Must(201, "POST", "/operator/service-requests/"+rid+"/notes", map[string]any{"text": "Which mailbox? " + tag, "needsPartner": true})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mine := func(emails []inbox.Email) (desk, attention []inbox.Email) {
		for _, e := range emails {
			switch {
			case strings.Contains(e.Subject, title) && slices.Contains(e.Destination.To, supportDeskGlobal):
				desk = append(desk, e)
			case strings.Contains(e.Subject, title):
				attention = append(attention, e)
			}
		}
		return desk, attention
	}
	emails, err := inbox.Wait(ctx, testenv.SESEndpoint(t), since, func(es []inbox.Email) bool {
		d, a := mine(es)
		return len(d) == 1 && len(a) == 1
	})
	if err != nil {
		t.Fatalf("service request emails: %v (have %d emails)", err, len(emails))
	}
	desk, attention := mine(emails)
	if d := desk[0]; !strings.Contains(d.Body.Text, rid) || !strings.Contains(d.Body.Text, "critical") || !strings.Contains(d.Body.Text, contact) {
		t.Fatalf("the desk's email:\n%s", d.Body.Text)
	}
	if a := attention[0]; !slices.Equal(a.Destination.To, []string{contact, cc}) || !strings.Contains(a.Body.Text, "Which mailbox? "+tag) ||
		a.Subject != "Your answer is needed: "+title {
		t.Fatalf("the contact's email: %v %q\n%s", a.Destination.To, a.Subject, a.Body.Text)
	}
	if got := ga.Must(200, "GET", "/service-requests?status=attention_needed", nil).Body; !strings.Contains(fmt.Sprint(got["items"]), rid) {
		t.Fatalf("the partner's attention queue: %v", got)
	}
}
