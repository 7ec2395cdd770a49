// Package browser walks the whole customer journey of a trial invitation in a real browser:
// the partner creates and emails an invitation over the API, headless Chromium (Debian's
// chromium, driven over the DevTools protocol with chromedp) opens the link taken from the SES
// emulator's inbox, signs a new customer up, accepts the trial and delegated administration and
// sees the confirmation; the partner then sees the customer and gets the answer email. On the
// way it also meets the form with errors, an expired form, a link that is not valid and too many
// of those: every link page it visits is checked with axe-core (local/node_modules, pinned in
// local/package.json) and must have exactly one h1. Screenshots are kept under
// test-artifacts/browser/.
package browser

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/local/testenv/builds"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// inboxWait bounds every wait for an email: outbox item -> table stream -> mailer -> SES. An
// email takes ~2 s (the mailer's 1 s batching window, its cold start); the limit is generous for
// a loaded machine, and an email that arrives ends the wait at once.
const inboxWait = 60 * time.Second

func TestCustomerJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey: builds and runs every function and drives headless Chromium (run without -short, as make test does)")
	}
	exe := findChromium(t)
	clearArtifacts(t)
	began := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), what) }

	// 1. The product, in-process, against the emulators of `pac-local env`.
	var logs testenv.LogBuffer
	rt, err := localrun.Start(context.Background(), localrun.Options{
		DataDir: t.TempDir(), Port: 0, InMemory: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		TableName: testenv.UniqueName("browser"), Log: &logs, StreamsFromNow: true,
		// Every function, built as localrun builds it, once for this source state and shared
		// with the other suite that starts the whole product (see local/testenv/builds).
		Bootstraps: builds.All(t),
	})
	if err != nil {
		t.Fatalf("start the local runtime: %v", err)
	}
	t.Cleanup(func() {
		rt.Close()
		if t.Failed() {
			os.Stderr.WriteString(logs.String())
		}
	})
	publicBaseURL := rt.APIURL // localrun sets the template's PublicBaseUrl to the gateway's URL
	phase("local runtime started at " + rt.APIURL)

	// The partner: the demo global admin of the global-cloud partner.
	anon := testenv.Client{T: t, Base: rt.APIURL}
	partner := testenv.Client{T: t, Base: rt.APIURL, Token: anon.SignIn("admin@contoso-partners.example", seed.Password, seed.DemoTOTPSecret("admin@contoso-partners.example"))}
	company := partner.Must(200, "GET", "/company", nil).Body
	partnerName, partnerEmail, partnerPhone := testenv.Str(company, "name"), testenv.Str(company, "email"), testenv.Str(company, "phone")
	if partnerName == "" || partnerEmail != "contact@contoso-partners.example" {
		t.Fatalf("the demo partner's contact: %v", company)
	}
	var productName string
	for _, p := range partner.Must(200, "GET", "/catalog", nil).Body["products"].([]any) {
		if p := p.(map[string]any); p["id"] == "m365-business-premium" {
			productName = testenv.Str(p, "name")
		}
	}
	if productName == "" {
		t.Fatal("m365-business-premium is not in the global catalog")
	}
	before := testenv.Num(partner.Must(200, "GET", "/overview", nil).Body, "customerCount") // the demo customers

	// A trial invitation with a delegated-admin offer, emailed to a new customer.
	inv := partner.Must(201, "POST", "/trial-invitations", map[string]any{"productId": "m365-business-premium",
		"delegatedAdmin": map[string]any{"scope": "full", "durationDays": 365}}).Body
	linkID, apiURL := testenv.Str(inv, "linkId"), testenv.Str(inv, "url")
	unique := testenv.UniqueName("")
	recipient := "it-" + unique + "@journey.example"
	org, domainPrefix, adminName := "Journey Browser "+unique, "jb"+unique, "Robin Browser"
	partner.Must(202, "POST", "/trial-invitations/"+linkID+"/emails", map[string]any{
		"recipients": []string{recipient}, "message": "Here is the trial we talked about."})
	phase("invitation " + linkID + " created and emailed to " + recipient)

	// 2. The link, as the customer gets it: from the email in the SES emulator's inbox.
	link := ""
	invitation, err := awaitEmail(rt.InboxURL, recipient, inboxWait, nil)
	if err != nil {
		// Not a silent fallback: the test fails, and goes on with the API's link only so
		// that the browser part still says what it finds.
		t.Errorf("the invitation email never arrived, so the journey cannot start from the inbox: %v\n"+
			"(POST /trial-invitations/%s/emails queued it in the outbox; the mailer function and the local "+
			"runtime's DynamoDB stream poller deliver it to SES). Continuing with the API's url %s — THIS RUN FAILS.", err, linkID, apiURL)
		link = apiURL
	} else {
		phase("invitation email arrived: " + invitation.Subject)
		link = linkIn(invitation, publicBaseURL, "/trial/")
		if link == "" {
			t.Fatalf("no %s/trial/<code> link in the invitation email:\ntext: %s\nhtml: %s", publicBaseURL, invitation.Body.Text, invitation.Body.HTML)
		}
		if link != apiURL {
			t.Errorf("the emailed link %s is not the invitation's url %s", link, apiURL)
		}
		if !strings.Contains(invitation.Subject, productName) || !strings.Contains(invitation.Body.Text, "Here is the trial we talked about.") {
			t.Errorf("invitation email: subject %q, text:\n%s", invitation.Subject, invitation.Body.Text)
		}
	}

	// 3. The customer, in headless Chromium.
	ctx := newBrowser(t, exe)
	phase("chromium started")
	resp := value(t, ctx, "open the link", chromedp.NavigateResponse(link))
	if resp.Status != 200 {
		t.Fatalf("GET %s: status %d", link, resp.Status)
	}
	if rp := header(resp, "Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("the link page's Referrer-Policy is %q, want no-referrer", rp)
	}
	offer := value(t, ctx, "read the offer page", chromedp.Text(chromedp.CSS("body")))
	for _, want := range []string{
		partnerName, partnerEmail, partnerPhone, // the partner's contact
		productName, "30 days", // what is offered
		"full administration", "365 days", "end it at any time", // the delegated-admin offer
	} {
		if !strings.Contains(offer, want) {
			t.Errorf("the offer page does not show %q:\n%s", want, offer)
		}
	}
	title := value(t, ctx, "title", chromedp.Title())
	if !strings.Contains(title, productName) {
		t.Errorf("page title %q does not name the product", title)
	}
	checkPage(t, ctx, "offer page")

	// Good on a phone: at 390×844 the page does not scroll sideways.
	step(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	if fits := value(t, ctx, "measure the phone layout", chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth <= window.innerWidth`)); !fits {
		w := value(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("on a 390 px wide phone the offer page is %d px wide: it scrolls sideways", w)
	}
	phone := value(t, ctx, "phone screenshot", chromedp.FullScreenshot(100))
	t.Logf("screenshot (offer page, phone 390×844): %s", saveArtifact(t, "offer-phone.png", phone))
	step(t, ctx, "desktop viewport", chromedp.EmulateViewport(1280, 900))

	// Sent empty, the form comes back with the errors listed and each field's error.
	if r := submit(t, ctx, chromedp.Click(chromedp.ID("signup-accept"))); r.Status != 422 {
		t.Fatalf("POST %s with an empty form: status %d, want 422%s", link, r.Status, failureEvidence(t, ctx, "empty form"))
	}
	step(t, ctx, "wait for the error summary", chromedp.WaitVisible(chromedp.ID("errors")))
	checkPage(t, ctx, "offer page with errors")

	// Sign up as a new customer, accept the trial and delegated administration.
	password := "Sunrise-Meadow-Lantern-2026!"
	fillSignUp(t, ctx, signUp{Organization: org, DomainPrefix: domainPrefix, Country: "DE", AdminName: adminName, Email: recipient, Password: password})
	if checked := value(t, ctx, "read the delegated-admin answer", chromedp.Evaluate[bool](`document.getElementById("da-accept-up").checked`)); !checked {
		t.Fatal("clicking Accept did not select delegated administration")
	}
	filled := value(t, ctx, "offer screenshot", chromedp.FullScreenshot(100))
	t.Logf("screenshot (offer page, filled in): %s", saveArtifact(t, "offer-desktop.png", filled))
	phase("sign-up form filled in")

	answer := submit(t, ctx, chromedp.Click(chromedp.ID("signup-accept")))
	if answer.Status != 200 {
		t.Fatalf("POST %s: status %d%s", link, answer.Status, failureEvidence(t, ctx, "submit"))
	}
	step(t, ctx, "wait for the confirmation", chromedp.WaitVisible(chromedp.ID("done")))
	done := value(t, ctx, "read the confirmation", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{org, domainPrefix + ".onmicrosoft.com", productName, "trial until",
		"Delegated administration for " + partnerName, "you can end it at any time"} {
		if !strings.Contains(done, want) {
			t.Errorf("the confirmation does not mention %q:\n%s", want, done)
		}
	}
	shot := value(t, ctx, "confirmation screenshot", chromedp.FullScreenshot(100))
	t.Logf("screenshot (confirmation): %s", saveArtifact(t, "confirmation.png", shot))
	checkPage(t, ctx, "confirmation page")
	phase("confirmation shown")

	// The other pages a customer can meet: a form that has expired (its CSRF token no longer
	// matches), a link that is not valid, and too many links that are not valid.
	step(t, ctx, "open the link again", chromedp.Navigate(link))
	step(t, ctx, "let the form expire", chromedp.Evaluate[chromedp.Void](
		`document.querySelectorAll("input[name=csrf]").forEach(i => { i.value = "expired-" + "x".repeat(40) })`))
	if r := submit(t, ctx, chromedp.Click(chromedp.ID("signup-accept"))); r.Status != 403 {
		t.Errorf("POST %s with an expired form: status %d, want 403%s", link, r.Status, failureEvidence(t, ctx, "expired form"))
	}
	checkPage(t, ctx, "expired-form page")
	unknown := func(i int) string { return publicBaseURL + "/trial/" + fmt.Sprintf("%026d", i) }
	if r := value(t, ctx, "open a link that is not valid", chromedp.NavigateResponse(unknown(0))); r.Status != 404 {
		t.Errorf("GET %s: status %d, want 404", unknown(0), r.Status)
	}
	checkPage(t, ctx, "invalid-link page")
	for i := 1; i < 25; i++ { // the browser's address (127.0.0.1) runs out of guesses
		if r, err := http.Get(unknown(i)); err == nil {
			r.Body.Close()
		}
	}
	if r := value(t, ctx, "open one link too many", chromedp.NavigateResponse(unknown(25))); r.Status != 429 {
		t.Errorf("GET %s after 25 links that are not valid: status %d, want 429", unknown(25), r.Status)
	}
	checkPage(t, ctx, "too-many-attempts page")
	phase("expired-form, invalid-link and too-many-attempts pages checked")

	// 4. The partner sees the customer, the use of the link and the answer email.
	if n := testenv.Num(partner.Must(200, "GET", "/overview", nil).Body, "customerCount"); n != before+1 {
		t.Errorf("overview customerCount %d, want %d", n, before+1)
	}
	got := partner.Must(200, "GET", "/trial-invitations/"+linkID, nil).Body
	usedBy, _ := got["usedBy"].([]any)
	if testenv.Num(got, "uses") != 1 || len(usedBy) != 1 {
		t.Fatalf("invitation after the journey: %v", got)
	}
	use := usedBy[0].(map[string]any)
	if use["customerName"] != org || testenv.Str(use, "customerId") == "" || use["delegatedAdmin"] != "accepted" {
		t.Errorf("the invitation's use: %v", use)
	}
	answerMail, err := awaitEmail(rt.InboxURL, partnerEmail, inboxWait, func(e sentEmail) bool {
		return strings.Contains(e.Subject, org) || strings.Contains(e.Body.Text, org)
	})
	if err != nil {
		t.Errorf("the partner's answer email: %v", err)
	} else {
		if !strings.Contains(answerMail.Body.Text, org) || !strings.Contains(answerMail.Body.Text, "accepted") {
			t.Errorf("the partner's answer email does not say that %s accepted: %q\n%s", org, answerMail.Subject, answerMail.Body.Text)
		}
		phase("partner's answer email arrived: " + answerMail.Subject)
	}
	// The confirmation the page promised the customer.
	wait := inboxWait
	if err != nil {
		wait = 2 * time.Second // the inbox is evidently not being fed: reported above
	}
	welcome, err := awaitEmail(rt.InboxURL, recipient, wait, func(e sentEmail) bool { return e.MessageID != invitation.MessageID })
	if err != nil {
		t.Errorf("the customer's confirmation email: %v", err)
	} else if !strings.Contains(welcome.Body.Text, org) || !strings.Contains(welcome.Body.Text, productName) {
		t.Errorf("the customer's confirmation email does not name %s and %s: %q\n%s", org, productName, welcome.Subject, welcome.Body.Text)
	}
	if d := time.Since(began); d > 60*time.Second {
		t.Logf("the journey took %v (target: under a minute)", d.Round(time.Second))
	}
}
