package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/totp"
)

func version(t *testing.T, r result) int {
	t.Helper()
	return int(r.json(t)["version"].(float64))
}

func TestGlobalAdminRules(t *testing.T) {
	e := newEnv(t)
	// A fresh partner with exactly one global admin.
	r := e.do(caller{operator: true}, req{method: "POST", path: "/operator/partners", body: map[string]any{"name": "Solo", "cloud": "global",
		"authorizations": []string{}, "email": "c@solo.example", "firstAdmin": map[string]string{"email": "ga@solo.example", "displayName": "Ga"}}})
	expectStatus(t, r, 201, "onboard")
	pid := r.json(t)["partner"].(map[string]any)["partnerId"].(string)
	gaID := r.json(t)["firstAdmin"].(map[string]any)["userId"].(string)
	ga, err := e.store.User(t0(), pid, gaID)
	if err != nil {
		t.Fatal(err)
	}
	ga.PasswordChangeRequired = false // as if the first admin had changed the temporary password
	ga.MFAEnabled = true              // and set up two-factor sign-in
	ga.Version = 2
	if err := e.store.SetPassword(t0(), ga, 1, "x", admin.Activity{ID: "act_01jd0000000000000000000000", OrgID: pid, At: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	gaTok := e.token(ga)
	gaC := caller{token: gaTok}

	t.Run("the last global admin cannot demote themself", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.do(gaC, req{method: "PATCH", path: "/users/" + gaID, body: map[string]any{"companyRole": "user_admin", "version": 2}}), 409, admin.CodeLastGlobalAdmin, "")
	})
	t.Run("the last global admin cannot be removed", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.do(gaC, req{method: "DELETE", path: "/users/" + gaID}), 409, admin.CodeLastGlobalAdmin, "")
	})
	ua, uaTok := e.user(pid, admin.RoleUserAdmin, admin.AccessNone)
	uaC := caller{token: uaTok}
	t.Run("a user admin cannot grant global admin", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.do(uaC, req{method: "POST", path: "/users", body: map[string]string{"email": "x1@solo.example", "displayName": "X", "companyRole": "global_admin", "customerAccess": "none"}}), 403, admin.CodeForbidden, "")
		victim, _ := e.user(pid, admin.RoleNone, admin.AccessNone)
		expectProblem(t, e.do(uaC, req{method: "PATCH", path: "/users/" + victim.ID, body: map[string]any{"companyRole": "global_admin", "version": 1}}), 403, admin.CodeForbidden, "")
	})
	t.Run("a user admin cannot touch a global admin", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.do(uaC, req{method: "PATCH", path: "/users/" + gaID, body: map[string]any{"displayName": "Hacked", "version": 2}}), 403, admin.CodeForbidden, "")
		expectProblem(t, e.do(uaC, req{method: "DELETE", path: "/users/" + gaID}), 403, admin.CodeForbidden, "")
	})
	t.Run("a user admin cannot grant customer access they lack", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.do(uaC, req{method: "POST", path: "/users", body: map[string]string{"email": "x2@solo.example", "displayName": "X", "companyRole": "none", "customerAccess": "full"}}), 403, admin.CodeForbidden, "")
	})
	t.Run("nobody raises their own rights", func(t *testing.T) {
		e.t = t
		expectProblem(t, e.do(uaC, req{method: "PATCH", path: "/users/" + ua.ID, body: map[string]any{"customerAccess": "limited", "version": 1}}), 403, admin.CodeForbidden, "")
		none, noneTok := e.user(pid, admin.RoleNone, admin.AccessLimited)
		expectProblem(t, e.do(caller{token: noneTok}, req{method: "PATCH", path: "/users/" + none.ID, body: map[string]any{"companyRole": "billing_admin", "version": 1}}), 403, admin.CodeForbidden, "")
		// Lowering one's own rights and renaming oneself are fine.
		expectStatus(t, e.do(caller{token: noneTok}, req{method: "PATCH", path: "/users/" + none.ID, body: map[string]any{"displayName": "Me", "customerAccess": "none", "version": 1}}), 200, "lower own access")
	})
	t.Run("with a second global admin, the first can step down", func(t *testing.T) {
		e.t = t
		r := e.do(gaC, req{method: "POST", path: "/users", body: map[string]string{"email": "ga2@solo.example", "displayName": "Ga Two", "companyRole": "global_admin", "customerAccess": "full"}})
		expectStatus(t, r, 201, "create second global admin")
		expectStatus(t, e.do(gaC, req{method: "PATCH", path: "/users/" + gaID, body: map[string]any{"companyRole": "user_admin", "version": 2}}), 200, "step down")
		// The change takes effect on the very next request with the same token.
		expectProblem(t, e.do(gaC, req{method: "PUT", path: "/company", body: map[string]any{"name": "Solo", "email": "c@solo.example", "version": 1}}), 403, admin.CodeForbidden, "")
		p, _ := e.store.Partner(t0(), pid)
		if p.GlobalAdmins != 1 || p.UserCount != 5 {
			t.Fatalf("counters: globalAdmins %d userCount %d, want 1 and 5", p.GlobalAdmins, p.UserCount)
		}
	})
}

func TestConcurrentDemotionsKeepOneGlobalAdmin(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	// Two global admins (the seeded one and a new one) demote each other at the same time.
	a, aTok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	seeded, err := e.store.Login(t0(), "admin@contoso-partners.example")
	if err != nil {
		t.Fatal(err)
	}
	sU, _ := e.store.User(t0(), pid, seeded.UserID)
	// Demote the seeded admin first so exactly a and one other remain… a third admin races too.
	b, bTok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	expectStatus(t, e.do(caller{token: aTok}, req{method: "PATCH", path: "/users/" + sU.ID, body: map[string]any{"companyRole": "none", "version": sU.Version}}), 200, "demote seeded")
	var wg sync.WaitGroup
	res := make([]result, 2)
	wg.Go(func() {
		res[0] = e.do(caller{token: aTok}, req{method: "PATCH", path: "/users/" + b.ID, body: map[string]any{"companyRole": "none", "version": 1}})
	})
	wg.Go(func() {
		res[1] = e.do(caller{token: bTok}, req{method: "PATCH", path: "/users/" + a.ID, body: map[string]any{"companyRole": "none", "version": 1}})
	})
	wg.Wait()
	ok := 0
	for _, r := range res {
		if r.Status == 200 {
			ok++
		} else if r.Status != 409 && r.Status != 403 {
			// 409: the other demotion won the race for the counter; 403: it landed before this
			// request authenticated, so its caller was no longer a global admin.
			t.Fatalf("unexpected status %d %s", r.Status, r.Body)
		}
	}
	p, _ := e.store.Partner(t0(), pid)
	if ok != 1 || p.GlobalAdmins != 1 {
		t.Fatalf("%d demotions succeeded, %d global admins left; want 1 and 1", ok, p.GlobalAdmins)
	}
}

func TestVersionGuardAndActivity(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	ga, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	c := caller{token: tok}
	start := time.Now().Add(-time.Second)
	cur := e.do(c, req{method: "GET", path: "/company"})
	v := version(t, cur)
	body := func(name string, v int) map[string]any {
		return map[string]any{"name": name, "phone": "+1 555 0100", "email": "hello@contoso.example", "website": "https://contoso.example", "version": v}
	}
	// Two writers read the same version; the second loses with 409 and nothing is lost.
	expectStatus(t, e.do(c, req{method: "PUT", path: "/company", body: body("First Name", v)}), 200, "first writer")
	expectProblem(t, e.do(c, req{method: "PUT", path: "/company", body: body("Second Name", v)}), 409, admin.CodeVersionConflict, "")
	got := e.do(c, req{method: "GET", path: "/company"}).json(t)
	if got["name"] != "First Name" || int(got["version"].(float64)) != v+1 {
		t.Fatalf("company after the race: %v", got)
	}
	// 20 concurrent writers with the same version: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 20 {
		wg.Go(func() {
			r := e.do(c, req{method: "PUT", path: "/company", body: body(fmt.Sprintf("Racer %d", i), v+1)})
			mu.Lock()
			defer mu.Unlock()
			if r.Status == 200 {
				wins++
			} else if r.Status != 409 {
				t.Errorf("racer: %d %s", r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent writers won, want 1", wins)
	}
	// The activity log has one entry per successful change, with before and after, newest first.
	acts := e.do(c, req{method: "GET", path: "/activity?from=" + start.UTC().Format(time.RFC3339)}).json(t)["items"].([]any)
	var updates []map[string]any
	for _, a := range acts {
		if m := a.(map[string]any); m["action"] == "company.updated" {
			updates = append(updates, m)
		}
	}
	if len(updates) != 2 {
		t.Fatalf("%d company.updated entries, want 2: %v", len(updates), acts)
	}
	first := updates[1]
	if first["before"].(map[string]any)["name"] != "Contoso Cloud Partners" || first["after"].(map[string]any)["name"] != "First Name" ||
		first["actor"].(map[string]any)["id"] != ga.ID {
		t.Fatalf("entry: %v", first)
	}
	// A range that ends before the changes holds none of them.
	old := e.do(c, req{method: "GET", path: "/activity?to=" + start.UTC().Format(time.RFC3339)}).json(t)["items"].([]any)
	for _, a := range old {
		if a.(map[string]any)["action"] == "company.updated" {
			t.Fatalf("range filter leaked %v", a)
		}
	}
}

func TestIdempotentCreate(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	c := caller{token: tok}
	body := map[string]string{"email": "idem@test.example", "displayName": "Idem", "companyRole": "none", "customerAccess": "none"}
	key := map[string]string{"Idempotency-Key": "create-idem-1"}
	// 30 identical requests at once: one user, one activity entry, every answer names it.
	var wg sync.WaitGroup
	res := make([]result, 30)
	for i := range res {
		wg.Go(func() { res[i] = e.do(c, req{method: "POST", path: "/users", body: body, headers: key}) })
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range res {
		switch r.Status {
		case 201:
			ids[r.json(t)["user"].(map[string]any)["userId"].(string)] = true
		case 409:
			if p := r.problem(t); p.Code != admin.CodeConcurrentRequest && p.Code != admin.CodeEmailTaken {
				t.Fatalf("409 with code %s", p.Code)
			}
		default:
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("ids %v, want exactly one", ids)
	}
	// A later replay answers 201 with the same user, marked as a replay, without the password.
	again := e.do(c, req{method: "POST", path: "/users", body: body, headers: key})
	expectStatus(t, again, 201, "replay")
	if again.Headers["Idempotent-Replayed"] != "true" || !ids[again.json(t)["user"].(map[string]any)["userId"].(string)] {
		t.Fatalf("replay: %v %s", again.Headers, again.Body)
	}
	if _, ok := again.json(t)["temporaryPassword"]; ok {
		t.Fatal("a replay must not repeat the temporary password")
	}
	// The same key with a different request is refused.
	other := map[string]string{"email": "other@test.example", "displayName": "Other", "companyRole": "none", "customerAccess": "none"}
	expectProblem(t, e.do(c, req{method: "POST", path: "/users", body: other, headers: key}), 422, admin.CodeIdempotencyKeyReused, "")
	users, _ := e.store.Users(t0(), pid, admin.PageRequest{Limit: 100})
	n := 0
	for _, u := range users.Items {
		if u.Email == "idem@test.example" || u.Email == "other@test.example" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d users created, want 1", n)
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("21vianet").PartnerID
	_, tok := e.user(pid, admin.RoleUserAdmin, admin.AccessNone)
	for range 111 {
		e.user(pid, admin.RoleNone, admin.AccessNone)
	}
	seen := map[string]int{}
	cursor, pages := "", 0
	for {
		path := "/users?limit=50"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		m := e.do(caller{token: tok}, req{method: "GET", path: path}).json(t)
		pages++
		for _, it := range m["items"].([]any) {
			seen[it.(map[string]any)["userId"].(string)]++
		}
		if m["nextCursor"] == nil {
			break
		}
		cursor = m["nextCursor"].(string)
	}
	// 8 seeded + 1 caller + 111 = 120 users in 3 pages, each exactly once.
	if len(seen) != 120 || pages != 3 {
		t.Fatalf("%d users in %d pages, want 120 in 3", len(seen), pages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s listed %d times", id, n)
		}
	}
	// A cursor of this partner's listing, used by another partner, lists only that partner's users.
	_, foreign := e.user(e.partner("global").PartnerID, admin.RoleUserAdmin, admin.AccessNone)
	m := e.do(caller{token: foreign}, req{method: "GET", path: "/users?limit=100&cursor=" + cursor}).json(t)
	for _, it := range m["items"].([]any) {
		if seen[it.(map[string]any)["userId"].(string)] > 0 {
			t.Fatal("a foreign cursor listed another partner's user")
		}
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	// Sign-in attempts are counted in fixed 15-minute windows from the epoch, and a new window
	// starts the count over (by design). Run this test's clock from a minute after a window's
	// start, so that its attempts never straddle a boundary whatever the wall clock says.
	base, started := admin.DefaultSignInPolicy.WindowOf(time.Now()).Add(time.Minute), time.Now()
	if base.After(started) {
		base = base.Add(-admin.DefaultSignInPolicy.Window)
	}
	e.now = func() time.Time { return base.Add(time.Since(started)) }
	signIn := func(email, pw string) result {
		return e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": email, "password": pw}})
	}
	t.Run("demo user signs in and uses the token", func(t *testing.T) {
		e.t = t
		// The demo global admin has two-factor sign-in: the password step, then a code.
		r := signIn("ADMIN@contoso-partners.example", seed.Password)
		expectStatus(t, r, 200, "sign in")
		m := r.json(t)
		if m["mfaRequired"] != true {
			t.Fatalf("password step %v", m)
		}
		code, _ := totp.Authenticator{}.Code(seed.DemoTOTPSecret("admin@contoso-partners.example"), e.now())
		r = e.do(caller{}, req{method: "POST", path: "/auth/sign-in/mfa", body: map[string]string{"mfaToken": m["mfaToken"].(string), "code": code}})
		expectStatus(t, r, 200, "second step")
		m = r.json(t)
		if m["tokenType"] != "Bearer" || m["expiresIn"].(float64) != 900 || m["passwordChangeRequired"] != false {
			t.Fatalf("token body %v", m)
		}
		me := e.do(caller{token: m["accessToken"].(string)}, req{method: "GET", path: "/me"}).json(t)
		if me["email"] != "admin@contoso-partners.example" || me["companyRole"] != "global_admin" {
			t.Fatalf("me %v", me)
		}
	})
	t.Run("wrong password and unknown email look the same, then both lock", func(t *testing.T) {
		e.t = t
		for _, email := range []string{"billing@contoso-partners.example", "nobody@contoso-partners.example"} {
			var bodies []string
			for range 5 {
				r := signIn(email, "Wrong-Password-123")
				if r.Status == 429 { // slow-down: wait as told, like a well-behaved client
					wait, _ := strconv.Atoi(r.Headers["Retry-After"])
					e.advance(time.Duration(wait) * time.Second)
					r = signIn(email, "Wrong-Password-123")
				}
				expectProblem(t, r, 401, admin.CodeInvalidCredentials, "")
				p := r.problem(t)
				p.RequestID = ""
				b, _ := json.Marshal(p)
				bodies = append(bodies, string(b))
			}
			if bodies[0] != bodies[4] {
				t.Fatalf("answers differ: %s vs %s", bodies[0], bodies[4])
			}
			// Locked: even the right password is refused now, with Retry-After.
			r := signIn(email, seed.Password)
			expectProblem(t, r, 429, admin.CodeSignInThrottled, "")
			if r.Headers["Retry-After"] == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	})
	t.Run("rapid guesses slow down", func(t *testing.T) {
		e.t = t
		email := "service@contoso-partners.example"
		statuses := []int{}
		for range 5 {
			statuses = append(statuses, signIn(email, "Wrong-Password-123").Status)
		}
		if statuses[3] != 429 {
			t.Fatalf("statuses %v: the fourth rapid guess must wait", statuses)
		}
	})
	t.Run("parallel guesses cannot exceed the limit", func(t *testing.T) {
		e.t = t
		var wg sync.WaitGroup
		var mu sync.Mutex
		checked := 0
		for range 40 {
			wg.Go(func() {
				r := signIn("member@contoso-partners.example", "Wrong-Password-123")
				mu.Lock()
				defer mu.Unlock()
				if r.Status == 401 {
					checked++
				}
			})
		}
		wg.Wait()
		if checked > 5 {
			t.Fatalf("%d of 40 parallel guesses were checked, want at most 5", checked)
		}
	})
	t.Run("temporary password must be changed first", func(t *testing.T) {
		e.t = t
		_, adminTok := e.user(e.partner("global").PartnerID, admin.RoleGlobalAdmin, admin.AccessFull)
		r := e.do(caller{token: adminTok}, req{method: "POST", path: "/users", body: map[string]string{"email": "newbie@test.example", "displayName": "New Bie", "companyRole": "user_admin", "customerAccess": "none"}})
		expectStatus(t, r, 201, "create")
		temp := r.json(t)["temporaryPassword"].(string)
		if len(temp) < 26 {
			t.Fatalf("temporary password %q is too short", temp)
		}
		s := signIn("newbie@test.example", temp).json(t)
		if s["passwordChangeRequired"] != true {
			t.Fatalf("sign-in %v", s)
		}
		tmpTok := s["accessToken"].(string)
		expectProblem(t, e.do(caller{token: tmpTok}, req{method: "GET", path: "/users"}), 403, admin.CodePasswordChangeNeeded, "")
		ch := e.do(caller{token: tmpTok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": temp, "newPassword": "My-Own-Long-Passphrase-42"}})
		expectStatus(t, ch, 200, "change password")
		newTok := ch.json(t)["accessToken"].(string)
		expectStatus(t, e.do(caller{token: newTok}, req{method: "GET", path: "/users"}), 200, "list with new token")
		// The token from before the change no longer works; the old password neither.
		expectProblem(t, e.do(caller{token: tmpTok}, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
		expectProblem(t, signIn("newbie@test.example", temp), 401, admin.CodeInvalidCredentials, "")
		expectStatus(t, signIn("newbie@test.example", "My-Own-Long-Passphrase-42"), 200, "new password")
	})
}

// TestRoundTrips checks the DynamoDB budget per route from the EMF line each invocation writes:
// a read route at most 2 round trips, a write route at most 3.
func TestRoundTrips(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	var buf bytes.Buffer
	apigw.MetricsOut = io.MultiWriter(&buf, observed)
	defer func() { apigw.MetricsOut = observed }()
	for _, c := range matrixCases {
		t.Run(c.route, func(t *testing.T) {
			e.t = t
			id := identityNamed("operator (IAM)")
			switch {
			case strings.Contains(c.route, "/tenant"):
				id = identityNamed("customer admin")
			case !strings.Contains(c.route, "/operator/"):
				id = identityNamed("global_admin")
			}
			who := id.make(e, pid)
			r := c.build(e, pid)
			buf.Reset()
			got := e.do(who, r)
			if got.Status != expected(c, id) {
				t.Fatalf("status %d %s", got.Status, got.Body)
			}
			var line struct {
				Trips int `json:"DynamoDBRoundTrips"`
			}
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("EMF line: %v: %q", err, buf.String())
			}
			limit := 3
			if r.method == "GET" {
				limit = 2
			}
			if line.Trips > limit || line.Trips == 0 {
				t.Fatalf("%s: %d round trips, budget %d", c.route, line.Trips, limit)
			}
		})
	}
}

func TestOperatorOnboardingAndAuthorizations(t *testing.T) {
	e := newEnv(t)
	op := caller{operator: true}
	body := map[string]any{"name": "Northwind Partners", "cloud": "21vianet", "authorizations": []string{"subscription_advisor", "subscription_advisor"},
		"email": "hello@northwind.example", "firstAdmin": map[string]string{"email": "nora@northwind.example", "displayName": "Nora Admin"}}
	key := map[string]string{"Idempotency-Key": "onboard-northwind"}
	first := e.do(op, req{method: "POST", path: "/operator/partners", body: body, headers: key})
	expectStatus(t, first, 201, "onboard")
	p := first.json(t)["partner"].(map[string]any)
	if fmt.Sprint(p["authorizations"]) != "[subscription_advisor]" || p["cloud"] != "21vianet" || p["userCount"].(float64) != 1 {
		t.Fatalf("partner %v", p)
	}
	// A retry with the same key is the same partner, without a second admin or password.
	again := e.do(op, req{method: "POST", path: "/operator/partners", body: body, headers: key})
	expectStatus(t, again, 201, "replay")
	if again.Headers["Idempotent-Replayed"] != "true" || again.json(t)["partner"].(map[string]any)["partnerId"] != p["partnerId"] {
		t.Fatalf("replay %v %s", again.Headers, again.Body)
	}
	if _, ok := again.json(t)["temporaryPassword"]; ok {
		t.Fatal("a replay must not repeat the temporary password")
	}
	body["name"] = "Someone Else"
	expectProblem(t, e.do(op, req{method: "POST", path: "/operator/partners", body: body, headers: key}), 422, admin.CodeIdempotencyKeyReused, "")
	// The first admin's email is taken now, for any partner.
	body["name"] = "Copycat"
	expectProblem(t, e.do(op, req{method: "POST", path: "/operator/partners", body: body}), 409, admin.CodeEmailTaken, "email")

	// Authorizations change, version-guarded, and the partner's overview follows at once.
	pid := p["partnerId"].(string)
	upd := e.do(op, req{method: "PUT", path: "/operator/partners/" + pid + "/authorizations", body: map[string]any{
		"authorizations": []string{"service_provider", "delegated_admin"}, "version": 1}})
	expectStatus(t, upd, 200, "set authorizations")
	if got := upd.json(t); fmt.Sprint(got["authorizations"]) != "[delegated_admin service_provider]" || got["version"].(float64) != 2 {
		t.Fatalf("after update %v", got)
	}
	expectProblem(t, e.do(op, req{method: "PUT", path: "/operator/partners/" + pid + "/authorizations", body: map[string]any{
		"authorizations": []string{}, "version": 1}}), 409, admin.CodeVersionConflict, "")
	temp := first.json(t)["temporaryPassword"].(string)
	s := e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": "nora@northwind.example", "password": temp}}).json(t)
	ch := e.do(caller{token: s["accessToken"].(string)}, req{method: "POST", path: "/me/password",
		body: map[string]string{"currentPassword": temp, "newPassword": "Northern-Lights-Passphrase-3"}})
	expectStatus(t, ch, 200, "first admin changes the temporary password")
	nora := caller{token: ch.json(t)["accessToken"].(string)}
	e.enrol(t, nora) // a global admin sets up two-factor sign-in before anything else
	ov := e.do(nora, req{method: "GET", path: "/overview"}).json(t)
	enabled := map[string]bool{}
	for _, f := range ov["features"].([]any) {
		m := f.(map[string]any)
		enabled[m["feature"].(string)] = m["enabled"].(bool)
	}
	if !enabled["manage_customers"] || !enabled["delegated_admin_offers"] || enabled["trial_invitations"] || enabled["product_keys"] {
		t.Fatalf("features after the change: %v", enabled)
	}
	// The operator's changes are in the partner's activity log, attributed to the IAM caller.
	log, err := e.store.Activity(t0(), pid, admin.ActivityQuery{PageRequest: admin.PageRequest{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Items) != 4 || log.Items[0].Action != "user.mfa_enabled" || log.Items[2].Action != "partner.authorizations_changed" || log.Items[2].Actor.ID != "arn:aws:iam::000000000000:user/test-operator" {
		t.Fatalf("activity %+v", log.Items)
	}
}
