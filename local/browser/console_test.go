package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/local/testenv/builds"
	"github.com/partner-admin-center/pac/shared/admin"
)

// accessTokenTTL is the access tokens' lifetime in the console tests' stack (the template's
// AccessTokenTtlSeconds; 15 minutes when deployed): short, so that the journey sees its session
// refreshed after a token expired, as a person does who comes back to an open tab.
const accessTokenTTL = 20 * time.Second

// TestConsole walks the web console's journeys in headless Chromium against the whole local
// product (every function behind the local runtime, DynamoDB Local, the SES emulator), with the
// console built by make (console/dist) on the API's origin:
//   - the demo global admin signs in with a TOTP code and adds a user with both admin settings
//     (global admin of the company, full access to customers), then signs out;
//   - that user's first sign-in: the forced password change, then two-factor enrolment with the
//     QR code's secret and the recovery codes;
//   - a trial invitation with delegated administration, its link copied to the clipboard and
//     opened in a second browser context by a new customer who accepts both;
//   - back in the console: the customer found by search, its licenses changed, its admin's
//     password reset, a service request saved, opened and sent; a product key redeemed for it;
//     the notification badge rising after the subscription change;
//   - a refresh after the access token expired; the session-security checks (a refresh without
//     the header or from another origin refused, a stolen and reused refresh token ending the
//     session); a 21Vianet partner's overview, also in German.
//
// Every page it visits is checked with axe-core, has one h1, does not scroll sideways at 390 px,
// holds no token in localStorage or sessionStorage, and is kept as screenshots at 1280 and 390 px
// under test-artifacts/browser/console/.
func TestConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("console journeys: build and run every function and drive headless Chromium (run without -short, as make test does)")
	}
	exe := findChromium(t)
	root := testenv.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "console", "dist", "index.html")); err != nil {
		t.Fatalf("the console is not built (%v): make test builds it (make console)", err)
	}
	if err := os.RemoveAll(filepath.Join(artifactDir(t), "console")); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), what) }

	var logs testenv.LogBuffer
	rt, err := localrun.Start(context.Background(), localrun.Options{
		DataDir: t.TempDir(), Port: 0, InMemory: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		TableName: testenv.UniqueName("console"), Log: &logs, Bootstraps: builds.All(t),
		ConsoleDir: "console/dist", StreamsFromNow: true,
		Parameters: map[string]string{"AccessTokenTtlSeconds": strconv.Itoa(int(accessTokenTTL.Seconds()))},
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
	base := rt.APIURL
	phase("local runtime with the console at " + rt.ConsoleURL)
	browserCtx := newBrowser(t, exe)
	phase("chromium started")

	const grace = "admin@contoso-partners.example" // the demo global admin
	unique := testenv.UniqueName("")
	newAdmin := "gale-" + unique + "@contoso-partners.example"

	// 1. The demo global admin signs in with the second step and adds a user with both settings.
	gc := openTab(t, browserCtx, base, "partner")
	gc.open("/")
	gc.check("sign-in")
	gc.signIn(grace, seed.Password, seed.DemoTOTPSecret(grace))
	gc.waitText("Partner overview")
	gc.check("overview")
	gc.nav("Active users")
	gc.check("active users")
	gc.click("button", "Add a user")
	gc.fill("Display name", "Gale Journey")
	gc.fill("Email", newAdmin)
	gc.radio("Admin access to your company", "Yes")
	gc.choose("Role", "global_admin")
	gc.radio("Admin access to companies you support", "Yes")
	gc.radio("Access level", "Full (global admin rights in the customer)")
	gc.check("add-user dialog")
	gc.click("button", "Add a user")
	gc.waitText("User added")
	temporary := gc.secret("Temporary password")
	if len(temporary) < 12 {
		t.Fatalf("the temporary password shown is %q", temporary)
	}
	gc.check("user-added dialog")
	gc.click("button", "Done")
	gc.closed("user added")
	if row := gc.row(newAdmin); !strings.Contains(row, "Global admin") || !strings.Contains(row, "Full") {
		t.Errorf("the new user's row does not show both settings: %q", row)
	}
	phase("user " + newAdmin + " added with both settings")

	// A partner user's password reset: a temporary password, shown once, that signs in.
	gc.click("button", "Actions for Mia Member")
	gc.click("menuitem", "Reset password")
	gc.check("reset partner user password")
	gc.click("button", "Reset password")
	gc.waitText("Give Mia Member (member@contoso-partners.example) this temporary password.")
	memberTemporary := gc.secret("Temporary password")
	gc.click("button", "Done")
	gc.closed("partner user password reset")
	anon := testenv.Client{T: t, Base: base}
	if r := anon.Must(200, "POST", "/auth/sign-in", map[string]string{"email": "member@contoso-partners.example", "password": memberTemporary}).Body; r["passwordChangeRequired"] != true {
		t.Errorf("Mia Member's sign-in with the temporary password: %v", r)
	}
	phase("a partner user's password reset")

	// Sign-out ends the session: the cookie is gone and the old refresh token is refused.
	before := gc.refreshCookie()
	gc.signOut("Grace Global")
	if after := gc.refreshCookie(); after != "" {
		t.Errorf("after sign-out the browser still holds the refresh cookie %q", after)
	}
	if r := refreshWith(t, base, before); r != http.StatusUnauthorized {
		t.Errorf("the refresh token of a signed-out session: status %d, want 401", r)
	}
	phase("signed out")

	// 2. The new global admin's first sign-in: forced password change, then enrolment.
	newPassword := "Harbour-Lantern-Meadow-" + unique
	gc.fill("Email", newAdmin)
	gc.fill("Password", temporary)
	gc.click("button", "Sign in")
	gc.waitText("You signed in with a temporary password")
	gc.check("forced password change")
	gc.fill("Current password", temporary)
	gc.fill("New password", newPassword)
	gc.fill("Confirm new password", newPassword)
	gc.click("button", "Change password")
	gc.waitText("Your account has admin rights")
	gc.check("forced enrolment")
	gc.click("button", "Set up the authenticator app")
	gc.waitText("Scan the QR code")
	secret := gc.secret("Secret key")
	if qr := eval[bool](gc, "the QR code", `(() => { const i = document.querySelector('img[src^="data:image/png"]'); return !!i && i.complete && i.naturalWidth > 0; })()`); !qr {
		t.Error("the enrolment shows no QR code image")
	}
	gc.check("enrolment QR code")
	gc.fill("Code from the app", totpCode(t, secret, time.Now()))
	gc.click("button", "Confirm")
	gc.waitText("Save your recovery codes")
	if n := eval[int](gc, "count the recovery codes", `document.querySelectorAll('[aria-label="Recovery codes"] li').length`); n != 10 {
		t.Errorf("the enrolment shows %d recovery codes, want 10", n)
	}
	gc.check("recovery codes")
	gc.click("checkbox", "I saved my recovery codes")
	gc.click("button", "Continue")
	// The console goes on where the address pointed (the Active users page of before).
	step(t, gc.ctx, "wait for the new admin's console", chromedp.WaitVisible(el("button", "Account of Gale Journey")))
	gc.ready("the new admin's console")
	phase("first sign-in: password changed, two-step verification set up")

	// Every page of the navigation, as the new global admin sees it.
	for _, page := range []string{"Company information", "Customers", "Service requests", "Purchase offers",
		"Delegated admin offers", "Notifications", "Webhooks", "Activity log"} {
		gc.nav(page)
		gc.check(page)
	}
	gc.click("button", "Account of Gale Journey")
	gc.follow(el("menuitem", "My account"), "My account", "My account")
	gc.waitText("Where you're signed in")
	gc.check("my account")
	phase("every page checked")

	// 3. A trial invitation with delegated administration; its link goes to the clipboard.
	gc.nav("Trial invitations")
	gc.check("trial invitations")
	gc.click("button", "New trial invitation")
	gc.choose("Product", "m365-business-premium")
	gc.click("checkbox", "Include a delegated admin offer")
	gc.radio("Access", "Full (global admin rights in the customer)")
	gc.check("new trial invitation")
	gc.click("button", "Create link")
	gc.waitText("Your link is ready")
	gc.check("trial invitation created")
	gc.grantClipboard()
	gc.click("button", "Link")
	link := eval[string](gc, "read the clipboard", `navigator.clipboard.readText()`)
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/trial/[a-z2-7]{26}$`).MatchString(link) {
		t.Fatalf("the clipboard holds %q, want the invitation's link %s/trial/<code>", link, base)
	}
	phase("trial invitation created, link copied: " + link)

	// A new customer opens it in a browser of its own and accepts with delegated administration.
	org, domainPrefix, adminName := "Console Journey "+unique, "cj"+unique, "Robin Console"
	customerAdmin := "it-" + unique + "@console-journey.example"
	cust := openTab(t, browserCtx, base, "customer")
	acceptOnLinkPage(t, cust.ctx, link, signUp{Organization: org, DomainPrefix: domainPrefix, Country: "DE",
		AdminName: adminName, Email: customerAdmin, Password: "Sunrise-Meadow-Lantern-2026!"})
	phase("the customer accepted the trial and delegated administration")

	// 4. Back in the console: find the customer, change its licenses, reset its admin's password,
	// and a service request.
	gc.nav("Customers")
	gc.fill("Name or domain", org)
	gc.follow(el("button", "Search"), "the search", "Customers")
	gc.waitText("Results for “" + org + "”")
	gc.check("customer search")
	gc.follow(el("link", org), org, org)
	customerID := strings.Split(strings.TrimPrefix(gc.location(), base+"/console/customers/"), "/")[0]
	if !strings.HasPrefix(customerID, "cus_") {
		t.Fatalf("the customer's page is at %s", gc.location())
	}
	gc.check("customer relationship")

	unreadBefore := gc.unread()
	gc.section("Customer sections", "Subscriptions")
	gc.check("customer subscriptions")
	product := eval[string](gc, "the subscription's product", `document.querySelector('table tbody tr td').innerText`)
	gc.click("button", "Actions for "+product)
	gc.click("menuitem", "Change licenses")
	gc.fill("Licenses", "7")
	gc.check("change licenses")
	gc.click("button", "Save")
	gc.closed("licenses changed")
	if row := gc.row(product); !strings.Contains(row, "7") {
		t.Errorf("after the change the subscription shows %q, want 7 licenses", row)
	}
	phase("licenses changed to 7")

	gc.section("Customer sections", "Users")
	gc.check("customer users")
	gc.click("button", "Reset password for "+adminName)
	gc.check("reset customer password")
	gc.click("button", "Reset password")
	gc.waitText("Give " + adminName + " this temporary password.")
	customerTemporary := gc.secret("Temporary password")
	gc.click("button", "Done")
	gc.closed("customer password reset")
	if r := anon.Must(200, "POST", "/auth/sign-in", map[string]string{"email": customerAdmin, "password": customerTemporary}).Body; r["passwordChangeRequired"] != true {
		t.Errorf("the customer admin's sign-in with the temporary password: %v", r)
	}
	phase("customer admin's password reset")

	gc.section("Customer sections", "Service requests")
	gc.click("button", "New service request")
	title := "Mailbox migration stalls " + unique
	gc.fill("Title", title)
	gc.fill("Description", "The migration batch stops at 40 % for the sales mailboxes.")
	gc.choose("Severity", "moderate")
	gc.chooseFirst("Topic")
	gc.fill("Name", adminName)
	gc.fill("Email", customerAdmin)
	gc.click("checkbox", "Send to support now (otherwise it's saved as a draft)")
	gc.check("new service request")
	gc.click("button", "Save draft")
	gc.follow(el("link", title), title, title)
	gc.waitText("Draft")
	gc.check("service request draft")
	gc.click("button", "Send to support")
	gc.waitText("Open")
	if _, err := awaitEmail(rt.InboxURL, "support-desk@partner-admin-center.example", inboxWait, func(e sentEmail) bool {
		return strings.Contains(e.Subject, title) || strings.Contains(e.Body.Text, title)
	}); err != nil {
		t.Errorf("the sent service request's email to the support desk: %v", err)
	}
	phase("service request saved, opened and sent")

	// The notification badge rises: the license change reached the Partner of Record's inbox.
	gc.awaitUnreadAbove(unreadBefore)
	// And the change is in the inbox (the count alone could have risen for the trial's own
	// "subscription created", which the stream may deliver later): the page, reloaded until it
	// shows the license change, or the time is up.
	for deadline := time.Now().Add(inboxWait); ; {
		gc.open("/notifications")
		rows := eval[[]string](gc, "read the inbox", fmt.Sprintf(`__pac.rows().filter(r => r.includes(%s))`, js(org)))
		if slices.ContainsFunc(rows, func(r string) bool {
			return strings.Contains(r, "Licenses changed") && strings.Contains(r, "7 licenses")
		}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox's entries for %s: %q, want the license change to 7", org, rows)
		}
		time.Sleep(time.Second)
	}
	phase("the notification badge rose, the inbox shows the change")

	// 5. A product key redeemed for the customer.
	key := ""
	for _, k := range rt.Credentials.ProductKeys {
		if k.State == "available" && strings.HasPrefix(k.Partner, "Contoso") {
			key = k.Key
			break
		}
	}
	if key == "" {
		t.Fatalf("no available demo product key of Contoso: %+v", rt.Credentials.ProductKeys)
	}
	gc.nav("Product keys")
	gc.check("product keys")
	gc.fill("Product key", key)
	gc.click("button", "Check key")
	gc.waitText("Redeem for")
	gc.radio("Redeem for", "An existing customer")
	gc.fill("Customer ID", customerID)
	gc.check("product key preview")
	gc.click("button", "Redeem")
	gc.waitText("Key redeemed")
	gc.check("product key redeemed")
	phase("product key redeemed")

	// 6. A session refresh after the access token expired: the next action refreshes and works.
	refreshes := len(gc.seen("POST", "/auth/refresh"))
	time.Sleep(accessTokenTTL + time.Second) // the access token the tab holds has surely expired
	idleEnd := time.Now()
	gc.nav("Active users") // a page that reads (the customer search page reads nothing until asked)
	gc.waitText(newAdmin)
	var after []seenResponse
	for _, r := range gc.seen("POST", "/auth/refresh")[refreshes:] {
		if r.At.After(idleEnd) {
			after = append(after, r)
		}
	}
	if len(after) == 0 || after[0].Status != 200 {
		t.Errorf("after the access token expired, the next page made no successful refresh: %+v", after)
	}

	phase("session refreshed after the access token expired")

	// 7. Session security.
	// A refresh without the custom header is refused, and refused without harm: it consumes
	// nothing (the session goes on).
	if s := eval[int](gc, "refresh without the header", `fetch('/auth/refresh', {method: 'POST', credentials: 'same-origin'}).then(r => r.status)`); s != 403 {
		t.Errorf("a refresh without X-PAC-CSRF: status %d, want 403", s)
	}
	// From another origin: a page on another port of 127.0.0.1 (same site: the SameSite=Strict
	// cookie goes along) posts to the refresh route, without the header (a no-cors POST cannot
	// carry it) and with it (the preflight fails); the site refuses both.
	evil := evilOrigin(t, base)
	et := openTabIn(t, gc, "other origin")
	step(t, et.ctx, "open the other origin's page", chromedp.Navigate(evil))
	step(t, et.ctx, "wait for its attempts", chromedp.Poll[chromedp.Void](`window.attempts === 2`, chromedp.WithPollingTimeout(stepTimeout)))
	for _, r := range et.seen("POST", "/auth/refresh") {
		if r.Status != 403 {
			t.Errorf("a refresh from another origin: status %d, want 403", r.Status)
		}
	}
	if len(et.seen("POST", "/auth/refresh")) == 0 {
		t.Error("the other origin's refresh never reached the site: the check proves nothing")
	}
	gc.nav("Company information")
	phase("refreshes without the header and from another origin refused")
	// A stolen refresh token, used after the console rotated it, ends the whole session: the
	// thief gets nothing, and the console (whose token was rotated from the same family) is
	// signed out at its next request.
	stolen := gc.refreshCookie()
	gc.reload()
	if rotated := gc.refreshCookie(); rotated == stolen || rotated == "" {
		t.Fatalf("a reload did not rotate the refresh token (%q → %q)", stolen, rotated)
	}
	if s := refreshWith(t, base, stolen); s != http.StatusUnauthorized {
		t.Errorf("the stolen, already rotated refresh token: status %d, want 401", s)
	}
	gc.click("link", "Active users")
	gc.waitText("Your session has ended. Sign in again.")
	gc.check("sign-in after the session ended")
	phase("session security: header, origin, reuse")

	// 8. A 21Vianet partner's overview, in English and in German.
	const fab = "admin@fabrikam-cn.example"
	vc := openTab(t, browserCtx, base, "fabrikam")
	vc.open("/")
	vc.signIn(fab, seed.Password, seed.DemoTOTPSecret(fab))
	vc.waitText("Your admin center for Office 365 operated by 21Vianet.")
	vc.check("21Vianet overview")
	// Its catalog: a trial invitation offers exactly the trial products of its cloud.
	vc.nav("Trial invitations")
	vc.click("button", "New trial invitation")
	vc.ready("new trial invitation") // the dialog has its catalog (a spinner shows until then)
	offered := eval[[]string](vc, "the products offered", `[...__pac.field('Product').options].map(o => o.value).filter(v => v)`)
	var want []string
	for _, p := range admin.Catalog(admin.Cloud21Vianet) {
		if p.Trial {
			want = append(want, p.ID)
		}
	}
	slices.Sort(offered)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(offered, want) {
		t.Errorf("the 21Vianet partner's trial invitation offers %q, want its cloud's trial products %q", offered, want)
	}
	vc.click("button", "Cancel")
	vc.closed("new trial invitation")
	vc.nav("Home")
	vc.click("button", "Language")
	vc.click("menuitem", "Deutsch")
	de := germanMessages(t, root)
	vc.waitText(de["overview.title"])
	vc.check("21Vianet overview in German")
	phase("21Vianet overview")
}

// signIn signs in on the sign-in page, with the TOTP step when the account asks for it. A code
// of a 30-second step that was used already (by an earlier sign-in of the same user) is
// refused: then it enters the next step's code, as a person would.
func (c *tab) signIn(email, password, secret string) {
	c.t.Helper()
	c.fill("Email", email)
	c.fill("Password", password)
	c.click("button", "Sign in")
	if secret == "" {
		return
	}
	c.waitText("Enter the 6-digit code from your authenticator app.")
	c.check("sign-in code")
	for attempt := 0; ; attempt++ {
		c.fill("Code", totpCode(c.t, secret, time.Now()))
		c.click("button", "Verify")
		ok := value(c.t, c.ctx, "wait for the code's answer", chromedp.Poll[string](
			`__pac.text().includes("code isn't valid") ? "invalid" : __pac.ready() && !__pac.text().includes("Enter the 6-digit code") ? "ok" : ""`,
			chromedp.WithPollingTimeout(stepTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
		if ok == "ok" {
			return
		}
		if attempt > 0 {
			c.t.Fatalf("sign-in of %s: the code was refused twice%s", email, failureEvidence(c.t, c.ctx, "sign-in code"))
		}
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30*time.Second + 100*time.Millisecond)))
	}
}

// signOut signs out through the account menu and waits for the sign-in page.
func (c *tab) signOut(name string) {
	c.t.Helper()
	c.click("button", "Account of "+name)
	c.click("menuitem", "Sign out")
	step(c.t, c.ctx, "wait for the sign-in page", chromedp.WaitVisible(el("button", "Sign in")))
}

// secret reads a value the console shows once (SecretValue: a span labelled label).
func (c *tab) secret(label string) string {
	c.t.Helper()
	return strings.TrimSpace(value(c.t, c.ctx, "read the "+label, chromedp.Text(chromedp.JSPath(
		fmt.Sprintf(`[...document.querySelectorAll('span[aria-label=%s]')].pop()`, js(label))))))
}

// chooseFirst picks the first option with a value in the select labelled label.
func (c *tab) chooseFirst(label string) {
	c.t.Helper()
	v := value(c.t, c.ctx, "the first option of "+label, chromedp.Poll[string](
		fmt.Sprintf(`(f => f && [...f.options].map(o => o.value).find(v => v) || '')(__pac.field(%s))`, js(label)),
		chromedp.WithPollingTimeout(stepTimeout)))
	c.choose(label, v)
}

// location is the tab's URL.
func (c *tab) location() string {
	c.t.Helper()
	return value(c.t, c.ctx, "location", chromedp.Location())
}

// reload reloads the page (the console restores its session with the refresh cookie).
func (c *tab) reload() {
	c.t.Helper()
	step(c.t, c.ctx, "reload", chromedp.Reload())
	c.ready("reload")
}

// unread is the count the notification bell shows (from its accessible name).
func (c *tab) unread() int {
	c.t.Helper()
	label := value(c.t, c.ctx, "read the notification bell", chromedp.Poll[string](
		`(a => a && /\d+ unread|none unread/.test(__pac.nameOf(a)) ? __pac.nameOf(a) : '')(document.querySelector('header a[href$="/notifications"]'))`,
		chromedp.WithPollingTimeout(stepTimeout)))
	if strings.Contains(label, "none unread") {
		return 0
	}
	n, _ := strconv.Atoi(regexp.MustCompile(`\d+`).FindString(label))
	return n
}

// awaitUnreadAbove waits until the bell shows more than n unread notifications. The bell
// re-reads the count when the window gets the focus (as when a person comes back to the tab);
// the test gives it the focus once a second while it waits. The notifier runs on the table's
// stream, so the change takes a few seconds to arrive.
func (c *tab) awaitUnreadAbove(n int) {
	c.t.Helper()
	deadline := time.Now().Add(inboxWait)
	for {
		step(c.t, c.ctx, "focus the window", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('focus'))`))
		if got := c.unread(); got > n {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the notification bell did not rise above %d unread within %v%s", n, inboxWait, failureEvidence(c.t, c.ctx, "notification badge"))
		}
		time.Sleep(time.Second)
	}
}

// grantClipboard lets the tab's site read and write the clipboard (the console's Copy buttons
// write it; the test reads it back as a person pastes).
func (c *tab) grantClipboard() {
	c.t.Helper()
	b := chromedp.FromContext(c.ctx)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := cdp.Call(c.ctx, b.Browser, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted,
			Origin: c.base, BrowserContextID: b.BrowserContextID,
		}); err != nil {
			c.t.Fatalf("grant %s: %v", name, err)
		}
	}
}

// totpCode is the authenticator app's code for secret at t.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// refreshWith posts a refresh token to the refresh route as the site's own page would (its
// origin and the header) and returns the status.
func refreshWith(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/auth/refresh", nil)
	req.Header.Set("Origin", base)
	req.Header.Set("X-PAC-CSRF", "1")
	req.AddCookie(&http.Cookie{Name: "pac_refresh", Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// evilOrigin serves a page on another port of 127.0.0.1 that tries to refresh the site's session
// twice: a no-cors POST (which cannot carry the custom header) and a POST with the header (which
// needs a CORS preflight the site does not grant). window.attempts counts the settled attempts.
func evilOrigin(t *testing.T, base string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	page := `<!doctype html><html lang="en"><title>Another site</title><h1>Another site</h1><script>
window.attempts = 0;
const done = () => { window.attempts++; };
fetch(` + js(base+"/auth/refresh") + `, {method: 'POST', mode: 'no-cors', credentials: 'include'}).then(done, done);
fetch(` + js(base+"/auth/refresh") + `, {method: 'POST', credentials: 'include', headers: {'X-PAC-CSRF': '1'}}).then(done, done);
</script>`
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String() + "/"
}

// germanMessages are the console's German strings.
func germanMessages(t *testing.T, root string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "console", "src", "i18n", "de.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
