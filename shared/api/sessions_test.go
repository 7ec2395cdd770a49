package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/totp"
)

// The site of the test env (PublicURL https://admin.example.com): refreshes come from it.
const siteOrigin = "https://admin.example.com"

var refreshHeaders = map[string]string{"Origin": siteOrigin, api.CSRFHeader: "1"}

// refreshCookie returns the refresh cookie a response sets (its value and attributes).
func refreshCookie(t *testing.T, r result) (value string, attrs map[string]string) {
	t.Helper()
	for _, c := range r.Cookies {
		parts := strings.Split(c, ";")
		name, v, _ := strings.Cut(strings.TrimSpace(parts[0]), "=")
		if name != api.RefreshCookie {
			continue
		}
		attrs = map[string]string{}
		for _, p := range parts[1:] {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			attrs[k] = val
		}
		return v, attrs
	}
	t.Fatalf("no %s cookie in %v", api.RefreshCookie, r.Cookies)
	return "", nil
}

func (e *env) signInFull(t *testing.T, email, password string) result {
	t.Helper()
	r := e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": email, "password": password},
		headers: map[string]string{"User-Agent": "sessions-test"}})
	expectStatus(t, r, 200, "sign-in of "+email)
	return r
}

func (e *env) refresh(cookie string, headers map[string]string) result {
	return e.do(caller{}, req{method: "POST", path: "/auth/refresh", headers: headers, cookies: []string{api.RefreshCookie + "=" + cookie}})
}

func TestSessionCookieRotationAndReuse(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	u, _ := e.user(pid, admin.RoleNone, admin.AccessLimited)
	r := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	first, attrs := refreshCookie(t, r)
	if attrs["Path"] != "/auth/refresh" || attrs["SameSite"] != "Strict" || attrs["Max-Age"] != "43200" {
		t.Errorf("cookie attributes %v", attrs)
	}
	for _, flag := range []string{"HttpOnly", "Secure"} {
		if _, ok := attrs[flag]; !ok {
			t.Errorf("cookie without %s: %v", flag, attrs)
		}
	}
	if strings.Contains(string(r.Body), first) {
		t.Error("the refresh token is in the body; it belongs in the HttpOnly cookie only")
	}

	t.Run("CSRF: the custom header and the site's origin are required", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.refresh(first, map[string]string{"Origin": siteOrigin}), 403, admin.CodeForbidden, api.CSRFHeader)
		expectProblem(t, e.refresh(first, map[string]string{"Origin": "https://evil.example", api.CSRFHeader: "1"}), 403, admin.CodeForbidden, "Origin")
		expectProblem(t, e.refresh(first, map[string]string{api.CSRFHeader: "1"}), 403, admin.CodeForbidden, "Origin")
		expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/refresh", headers: refreshHeaders}), 401, admin.CodeUnauthenticated, "")
	})

	var second string
	t.Run("a refresh rotates the token and the new access token works", func(t *testing.T) {
		e.t = t
		e.advance(16 * time.Minute) // the first access token has expired
		expectProblem(t, e.do(caller{token: r.json(t)["accessToken"].(string)}, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
		r2 := e.refresh(first, refreshHeaders)
		expectStatus(t, r2, 200, "refresh")
		second, _ = refreshCookie(t, r2)
		if second == first {
			t.Fatal("the refresh token did not rotate")
		}
		expectStatus(t, e.do(caller{token: r2.json(t)["accessToken"].(string)}, req{method: "GET", path: "/me"}), 200, "GET /me with the refreshed token")
	})

	t.Run("a reused token ends the whole family", func(t *testing.T) {
		e.t = t
		stolen := e.refresh(first, refreshHeaders)
		expectProblem(t, stolen, 401, admin.CodeUnauthenticated, "")
		if v, attrs := refreshCookie(t, stolen); v != "" || attrs["Max-Age"] != "0" {
			t.Errorf("a refused refresh should clear the cookie: %q %v", v, attrs)
		}
		expectProblem(t, e.refresh(second, refreshHeaders), 401, admin.CodeUnauthenticated, "")
		_, ga := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
		log := e.do(caller{token: ga}, req{method: "GET", path: "/activity"})
		if !strings.Contains(string(log.Body), `"session.reuse_detected"`) {
			t.Errorf("the activity log does not show the reuse: %s", log.Body)
		}
	})
}

func TestSignOutAndSessionList(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	u, _ := e.user(pid, admin.RoleBillingAdmin, admin.AccessNone)
	a := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	b := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	aTok, bTok := caller{token: a.json(t)["accessToken"].(string)}, caller{token: b.json(t)["accessToken"].(string)}
	aCookie, _ := refreshCookie(t, a)
	bCookie, _ := refreshCookie(t, b)

	list := e.do(bTok, req{method: "GET", path: "/me/sessions"})
	expectStatus(t, list, 200, "list sessions")
	items := list.json(t)["items"].([]any)
	if len(items) != 3 { // e.user began one too
		t.Fatalf("sessions %s", list.Body)
	}
	// Most recently used first: B (current), A, the fixture's.
	var aID string
	for i, it := range items {
		m := it.(map[string]any)
		if m["expiresAt"] == nil || m["idleExpiresAt"] == nil || (m["current"] == true) != (i == 0) || (i < 2) != (m["userAgent"] == "sessions-test") {
			t.Errorf("session %d: %v", i, m)
		}
		if i == 1 {
			aID = m["sessionId"].(string)
		}
	}
	if strings.Contains(string(list.Body), "tokenHash") || strings.Contains(string(list.Body), aCookie) {
		t.Error("the list shows token material")
	}
	// B ends A: A's access token and refresh token stop working at once.
	expectStatus(t, e.do(bTok, req{method: "DELETE", path: "/me/sessions/" + aID}), 204, "end session A")
	expectProblem(t, e.do(aTok, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, e.refresh(aCookie, refreshHeaders), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, e.do(bTok, req{method: "DELETE", path: "/me/sessions/" + aID}), 404, admin.CodeNotFound, "")
	// Another user cannot see or end B.
	_, other := e.user(pid, admin.RoleBillingAdmin, admin.AccessNone)
	bID := items[0].(map[string]any)["sessionId"].(string)
	expectProblem(t, e.do(caller{token: other}, req{method: "DELETE", path: "/me/sessions/" + bID}), 404, admin.CodeNotFound, "")

	// Sign-out ends B and clears the cookie.
	out := e.do(bTok, req{method: "POST", path: "/auth/sign-out", body: map[string]any{}})
	expectStatus(t, out, 204, "sign out")
	if v, attrs := refreshCookie(t, out); v != "" || attrs["Max-Age"] != "0" || attrs["Path"] != "/auth/refresh" {
		t.Errorf("sign-out cookie %q %v", v, attrs)
	}
	expectProblem(t, e.do(bTok, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, e.refresh(bCookie, refreshHeaders), 401, admin.CodeUnauthenticated, "")

	// Everywhere: every session of the user ends, and a password change does the same.
	c := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	d := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	dCookie, _ := refreshCookie(t, d)
	expectStatus(t, e.do(caller{token: c.json(t)["accessToken"].(string)}, req{method: "POST", path: "/auth/sign-out", body: map[string]any{"everywhere": true}}), 204, "sign out everywhere")
	expectProblem(t, e.do(caller{token: d.json(t)["accessToken"].(string)}, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, e.refresh(dCookie, refreshHeaders), 401, admin.CodeUnauthenticated, "")

	f := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	g := e.signInFull(t, u.Email, "Correct-Horse-Battery-9")
	gCookie, _ := refreshCookie(t, g)
	ch := e.do(caller{token: f.json(t)["accessToken"].(string)}, req{method: "POST", path: "/me/password",
		body: map[string]string{"currentPassword": "Correct-Horse-Battery-9", "newPassword": "Another-Long-Passphrase-7"}})
	expectStatus(t, ch, 200, "change password")
	newCookie, _ := refreshCookie(t, ch)
	expectProblem(t, e.refresh(gCookie, refreshHeaders), 401, admin.CodeUnauthenticated, "")
	expectStatus(t, e.refresh(newCookie, refreshHeaders), 200, "the session the password change began")
}

// enrol sets up two-factor sign-in for the caller through the API and returns the secret and
// the recovery codes; the confirming code is of the step at e.now.
func (e *env) enrol(t *testing.T, c caller) (string, []string) {
	t.Helper()
	st := e.do(c, req{method: "POST", path: "/me/mfa/totp", body: map[string]any{}})
	expectStatus(t, st, 200, "start enrolment")
	m := st.json(t)
	secret := m["secret"].(string)
	if !strings.HasPrefix(m["qrCode"].(string), "data:image/png;base64,") || !strings.Contains(m["otpauthUrl"].(string), "secret="+secret) {
		t.Fatalf("enrolment %v", m)
	}
	expectProblem(t, e.do(c, req{method: "POST", path: "/me/mfa/totp/confirm", body: map[string]any{"code": "12345"}}), 422, admin.CodeValidation, "code")
	wrong, _ := totp.Authenticator{}.Code(secret, e.now().Add(5*time.Minute))
	expectProblem(t, e.do(c, req{method: "POST", path: "/me/mfa/totp/confirm", body: map[string]any{"code": wrong}}), 401, admin.CodeInvalidMFACode, "code")
	code, _ := totp.Authenticator{}.Code(secret, e.now())
	conf := e.do(c, req{method: "POST", path: "/me/mfa/totp/confirm", body: map[string]any{"code": code}})
	expectStatus(t, conf, 200, "confirm enrolment")
	var codes []string
	for _, x := range conf.json(t)["recoveryCodes"].([]any) {
		codes = append(codes, x.(string))
	}
	if len(codes) != 10 {
		t.Fatalf("recovery codes %v", codes)
	}
	return secret, codes
}

func TestTwoFactorSignIn(t *testing.T) {
	e := newEnv(t)
	op := caller{operator: true}
	onb := e.do(op, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "Tailspin", "cloud": "global",
		"authorizations": []string{"subscription_advisor"}, "email": "contact@tailspin.example",
		"firstAdmin": map[string]string{"email": "tia@tailspin.example", "displayName": "Tia Tailspin"}}})
	expectStatus(t, onb, 201, "onboard")
	temp := onb.json(t)["temporaryPassword"].(string)

	// First sign-in: the temporary password, then enrolment, nothing else until done.
	s := e.signInFull(t, "tia@tailspin.example", temp)
	if m := s.json(t); m["passwordChangeRequired"] != true || m["mfaEnrolmentRequired"] != true {
		t.Fatalf("first sign-in %s", s.Body)
	}
	ch := e.do(caller{token: s.json(t)["accessToken"].(string)}, req{method: "POST", path: "/me/password",
		body: map[string]string{"currentPassword": temp, "newPassword": "Tailwind-Over-Harbour-8"}})
	expectStatus(t, ch, 200, "change the temporary password")
	if ch.json(t)["mfaEnrolmentRequired"] != true {
		t.Fatalf("after the password change %s", ch.Body)
	}
	tia := caller{token: ch.json(t)["accessToken"].(string)}
	expectProblem(t, e.do(tia, req{method: "GET", path: "/overview"}), 403, admin.CodeMFAEnrolmentRequired, "")
	me := e.do(tia, req{method: "GET", path: "/me"}).json(t)
	if me["mfaRequired"] != true || me["mfaEnabled"] != false {
		t.Fatalf("GET /me %v", me)
	}
	secret, recovery := e.enrol(t, tia)
	expectStatus(t, e.do(tia, req{method: "GET", path: "/overview"}), 200, "overview after enrolment")
	expectProblem(t, e.do(tia, req{method: "POST", path: "/me/mfa/totp", body: map[string]any{}}), 409, admin.CodeInvalidTransition, "")

	// The next sign-in asks for the second factor: no session, no cookie yet.
	step1 := e.signInFull(t, "tia@tailspin.example", "Tailwind-Over-Harbour-8")
	m := step1.json(t)
	if m["mfaRequired"] != true || m["mfaToken"] == "" || m["accessToken"] != nil || len(step1.Cookies) != 0 {
		t.Fatalf("password step %s %v", step1.Body, step1.Cookies)
	}
	mfaTok := m["mfaToken"].(string)
	expectProblem(t, e.do(caller{token: mfaTok}, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
	used, _ := totp.Authenticator{}.Code(secret, e.now())
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "code": used}}),
		401, admin.CodeInvalidMFACode, "code") // the confirming code, replayed
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": tia.token, "code": used}}),
		401, admin.CodeUnauthenticated, "mfaToken") // an access token is not an MFA token
	e.advance(30 * time.Second)
	next, _ := totp.Authenticator{}.Code(secret, e.now())
	ok := e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "code": next}})
	expectStatus(t, ok, 200, "second step")
	refreshCookie(t, ok)
	expectStatus(t, e.do(caller{token: ok.json(t)["accessToken"].(string)}, req{method: "GET", path: "/overview"}), 200, "overview after MFA sign-in")
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "code": next}}),
		401, admin.CodeInvalidMFACode, "code") // replayed

	// A recovery code works once.
	rc := e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "recoveryCode": strings.ToUpper(recovery[0])}})
	expectStatus(t, rc, 200, "recovery code")
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "recoveryCode": recovery[0]}}),
		401, admin.CodeInvalidMFACode, "recoveryCode")

	// Wrong codes are throttled like passwords.
	throttled := false
	for range 8 {
		r := e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "code": "000000"}})
		if r.Status == 429 {
			expectProblem(t, r, 429, admin.CodeMFAThrottled, "")
			throttled = true
			break
		}
		expectProblem(t, r, 401, admin.CodeInvalidMFACode, "code")
	}
	if !throttled {
		t.Error("eight wrong codes in a row were not throttled")
	}

	// The MFA token expires after five minutes.
	e.advance(6 * time.Minute)
	late, _ := totp.Authenticator{}.Code(secret, e.now())
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": mfaTok, "code": late}}),
		401, admin.CodeUnauthenticated, "mfaToken")
}

func TestResetTwoFactorByGlobalAdmin(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	ga, gaTok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	agent, _ := e.userWithoutMFA(pid, admin.RoleNone, admin.AccessFull)
	s := e.signInFull(t, agent.Email, "Correct-Horse-Battery-9")
	agentC := caller{token: s.json(t)["accessToken"].(string)}
	e.enrol(t, agentC)
	expectStatus(t, e.do(agentC, req{method: "GET", path: "/customers"}), 200, "the agent after enrolment")
	users := e.do(caller{token: gaTok}, req{method: "GET", path: "/users/" + agent.ID}).json(t)
	if users["mfaEnabled"] != true {
		t.Fatalf("user %v", users)
	}
	expectStatus(t, e.do(caller{token: gaTok}, req{method: "DELETE", path: "/users/" + agent.ID + "/mfa"}), 204, "reset")
	// The agent's sessions end; the next sign-in leads through enrolment again.
	expectProblem(t, e.do(agentC, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
	again := e.signInFull(t, agent.Email, "Correct-Horse-Battery-9")
	if again.json(t)["mfaEnrolmentRequired"] != true {
		t.Fatalf("sign-in after the reset %s", again.Body)
	}
	log := e.do(caller{token: gaTok}, req{method: "GET", path: "/activity"}).Body
	if !strings.Contains(string(log), `"user.mfa_reset"`) || !strings.Contains(string(log), ga.ID) {
		t.Errorf("the activity log does not show the reset by %s", ga.ID)
	}
}

// TestOptionalTwoFactor: users whose role does not require it — a partner's billing admin and a
// customer's admin — may set up two-factor sign-in, sign in with it, renew the recovery codes
// and remove it again; their sessions refresh and end like everyone's.
func TestOptionalTwoFactor(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	billing, _ := e.user(pid, admin.RoleBillingAdmin, admin.AccessNone)
	n := e.seq.Add(1)
	link := e.newLink(t, pid, admin.LinkTrial, trialBody(true))
	expectStatus(t, e.accept(t, pagePath(t, link), signUpForm(200000+n, map[string]string{"delegatedAdmin": "accept"})), 200, "a customer")
	for _, who := range []struct{ name, email, password string }{
		{"partner billing admin", billing.Email, "Correct-Horse-Battery-9"},
		{"customer admin", fmt.Sprintf("alex@cust%d.example", 200000+n), "Sunny-Meadow-Lantern-42"},
	} {
		t.Run(who.name, func(t *testing.T) {
			e.t = t
			first := e.signInFull(t, who.email, who.password)
			if first.json(t)["mfaEnrolmentRequired"] != false {
				t.Fatalf("sign-in %s", first.Body)
			}
			cookie, _ := refreshCookie(t, first)
			r := e.refresh(cookie, refreshHeaders)
			expectStatus(t, r, 200, "refresh")
			c := caller{token: r.json(t)["accessToken"].(string)}
			secret, _ := e.enrol(t, c)

			// A second session, ended from the first.
			step1 := e.signInFull(t, who.email, who.password).json(t)
			e.advance(30 * time.Second)
			code, _ := totp.Authenticator{}.Code(secret, e.now())
			s2 := e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]any{"mfaToken": step1["mfaToken"], "code": code}})
			expectStatus(t, s2, 200, "second step")
			c2 := caller{token: s2.json(t)["accessToken"].(string)}
			var other string // the most recently used after the current one: the second session
			for _, it := range e.do(c, req{method: "GET", path: "/me/sessions"}).json(t)["items"].([]any) {
				if m := it.(map[string]any); m["current"] == false {
					other = m["sessionId"].(string)
					break
				}
			}
			expectStatus(t, e.do(c, req{method: "DELETE", path: "/me/sessions/" + other}), 204, "end the other session")
			expectProblem(t, e.do(c2, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")

			// New recovery codes, then removal: each proves the authenticator with a fresh code.
			expectProblem(t, e.do(c, req{method: "POST", path: "/me/mfa/recovery-codes", body: map[string]any{"code": code}}), 401, admin.CodeInvalidMFACode, "code")
			e.advance(30 * time.Second)
			code, _ = totp.Authenticator{}.Code(secret, e.now())
			rc := e.do(c, req{method: "POST", path: "/me/mfa/recovery-codes", body: map[string]any{"code": code}})
			expectStatus(t, rc, 200, "renew recovery codes")
			if len(rc.json(t)["recoveryCodes"].([]any)) != 10 {
				t.Fatalf("recovery codes %s", rc.Body)
			}
			e.advance(30 * time.Second)
			code, _ = totp.Authenticator{}.Code(secret, e.now())
			expectStatus(t, e.do(c, req{method: "DELETE", path: "/me/mfa/totp", body: map[string]any{"code": code}}), 204, "remove")
			if me := e.do(c, req{method: "GET", path: "/me"}).json(t); me["mfaEnabled"] != false || me["mfaRequired"] != false {
				t.Errorf("GET /me after removal %v", me)
			}
			if after := e.signInFull(t, who.email, who.password).json(t); after["accessToken"] == nil {
				t.Errorf("sign-in after removal asks for more: %v", after)
			}
		})
	}
}
