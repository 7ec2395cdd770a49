package admin

import (
	"context"
	"slices"
	"testing"
	"time"
)

// clocked are the identity, session and two-factor services over w's memory with a clock the
// test moves.
type clocked struct {
	*IdentityService
	*SessionService
	*TwoFactorService
}

func clockedIdentity(w *world, now *time.Time) clocked {
	clock := func() time.Time { return *now }
	id, ses, tf := *w.svc.IdentityService, *w.svc.SessionService, *w.svc.TwoFactorService
	id.Env.Now, ses.Env.Now, tf.Env.Now = clock, clock, clock
	return clocked{&id, &ses, &tf}
}

func loginOf(u User) Login {
	return Login{Email: u.Email, UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind, SessionEpoch: u.SessionEpoch, MFAEnabled: u.MFAEnabled}
}

func TestRefreshRotatesAndReuseEndsTheFamily(t *testing.T) {
	ctx := context.Background()
	w := newWorld(1)
	now := testNow
	id := clockedIdentity(w, &now)
	u := w.user(1, RoleUserAdmin, AccessNone)

	ns, err := id.StartSession(ctx, loginOf(u), "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	if ns.User.ID != u.ID || ns.Session.UserAgent != "Firefox" || ns.Session.Epoch != u.SessionEpoch {
		t.Fatalf("new session = %+v", ns)
	}
	first := ns.Refresh.String()
	if stored := w.st.sessions[u.OrgID+"/"+u.ID+"/"+ns.Session.ID]; stored.TokenHash == "" || stored.TokenHash == ns.Refresh.Secret {
		t.Fatalf("the session stores %q: a hash, not the secret, is expected", stored.TokenHash)
	}

	now = now.Add(10 * time.Minute)
	next, err := id.Refresh(ctx, first, "")
	if err != nil {
		t.Fatal(err)
	}
	if next.Refresh.String() == first || next.Session.ID != ns.Session.ID || !next.Session.LastUsedAt.Equal(now) {
		t.Fatalf("refresh did not rotate: %+v", next)
	}
	// The rotated-out token comes back (a thief's copy, or the victim after the thief): the
	// whole family ends, the current token with it, and the activity log says so.
	if _, err := id.Refresh(ctx, first, ""); codeOf(err) != CodeUnauthenticated {
		t.Fatalf("reused token: err = %v", err)
	}
	if w.st.lastAct.Action != "session.reuse_detected" {
		t.Errorf("activity = %q, want session.reuse_detected", w.st.lastAct.Action)
	}
	if _, err := id.Refresh(ctx, next.Refresh.String(), ""); codeOf(err) != CodeUnauthenticated {
		t.Errorf("the current token after a reuse: err = %v, want unauthenticated", err)
	}
}

func TestRefreshRefusals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(1)
	now := testNow
	id := clockedIdentity(w, &now)
	u := w.user(1, RoleUserAdmin, AccessNone)
	start := func() NewSession {
		ns, err := id.StartSession(ctx, loginOf(u), "")
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}

	t.Run("malformed and unknown tokens change nothing", func(t *testing.T) {
		ns := start()
		forged := ns.Refresh
		forged.Secret = "x" + forged.Secret[1:]
		writes := len(w.st.writes)
		for _, tok := range []string{"", "a.b.c", ns.Refresh.OrgID + "." + ns.Refresh.UserID + ".ses_x." + ns.Refresh.Secret, forged.String()} {
			if _, err := id.Refresh(ctx, tok, ""); codeOf(err) != CodeUnauthenticated {
				t.Errorf("Refresh(%q) err = %v", tok, err)
			}
		}
		if len(w.st.writes) != writes {
			t.Errorf("refused refreshes wrote %v", w.st.writes[writes:])
		}
		// An unknown secret ends nothing: the holder of the real token goes on.
		if _, err := id.Refresh(ctx, ns.Refresh.String(), ""); err != nil {
			t.Errorf("the real token after a forged one: %v", err)
		}
	})
	t.Run("idle 8 hours", func(t *testing.T) {
		now = testNow
		ns := start()
		now = now.Add(SessionIdleTimeout - time.Second)
		ns2, err := id.Refresh(ctx, ns.Refresh.String(), "")
		if err != nil {
			t.Fatalf("refresh just before the idle timeout: %v", err)
		}
		now = now.Add(SessionIdleTimeout)
		if _, err := id.Refresh(ctx, ns2.Refresh.String(), ""); codeOf(err) != CodeUnauthenticated {
			t.Errorf("after 8 idle hours: err = %v", err)
		}
	})
	t.Run("absolute 12 hours", func(t *testing.T) {
		now = testNow
		ns := start()
		tok := ns.Refresh.String()
		for now.Before(testNow.Add(SessionLifetime - time.Hour)) {
			now = now.Add(time.Hour)
			n, err := id.Refresh(ctx, tok, "")
			if err != nil {
				t.Fatalf("refresh at %v: %v", now.Sub(testNow), err)
			}
			tok = n.Refresh.String()
		}
		now = testNow.Add(SessionLifetime)
		if _, err := id.Refresh(ctx, tok, ""); codeOf(err) != CodeUnauthenticated {
			t.Errorf("at 12 hours: err = %v", err)
		}
	})
	t.Run("a password change ends every session", func(t *testing.T) {
		now = testNow
		a, b := start(), start()
		cur := w.st.users[u.OrgID+"/"+u.ID]
		cur.SessionEpoch++
		cur.Version++
		w.st.put(cur)
		defer w.st.put(u)
		for _, ns := range []NewSession{a, b} {
			if _, err := id.Refresh(ctx, ns.Refresh.String(), ""); codeOf(err) != CodeUnauthenticated {
				t.Errorf("after the epoch rose: err = %v", err)
			}
		}
	})
}

func TestSignOutAndSessions(t *testing.T) {
	ctx := context.Background()
	w := newWorld(1)
	now := testNow
	id := clockedIdentity(w, &now)
	u := w.user(1, RoleUserAdmin, AccessNone)
	a, _ := id.StartSession(ctx, loginOf(u), "A")
	now = now.Add(time.Minute)
	b, _ := id.StartSession(ctx, loginOf(u), "B")
	other := w.user(2, RoleNone, AccessNone)
	o, _ := id.StartSession(ctx, loginOf(other), "O")

	list, err := id.ListSessions(ctx, u)
	if err != nil || len(list) != 2 || list[0].ID != b.Session.ID || list[1].ID != a.Session.ID {
		t.Fatalf("sessions = %+v, %v; want B then A", list, err)
	}
	// Another user's session is not found through u.
	if err := id.EndSession(ctx, u, o.Session.ID); codeOf(err) != CodeNotFound {
		t.Errorf("ending another user's session: err = %v", err)
	}
	if err := id.SignOut(ctx, u, a.Session.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := id.Refresh(ctx, a.Refresh.String(), ""); codeOf(err) != CodeUnauthenticated {
		t.Errorf("refresh after sign-out: err = %v", err)
	}
	if err := id.EndSession(ctx, u, a.Session.ID); codeOf(err) != CodeNotFound {
		t.Errorf("ending an ended session: err = %v", err)
	}
	if list, _ := id.ListSessions(ctx, u); len(list) != 1 || list[0].ID != b.Session.ID {
		t.Errorf("sessions after sign-out = %+v", list)
	}
	// Everywhere: the epoch rises, B ends, the other user's session lasts.
	if err := id.SignOut(ctx, u, b.Session.ID, true); err != nil {
		t.Fatal(err)
	}
	if w.st.lastAct.Action != "user.signed_out_everywhere" {
		t.Errorf("activity = %q", w.st.lastAct.Action)
	}
	cur := w.st.users[u.OrgID+"/"+u.ID]
	if _, err := id.Refresh(ctx, b.Refresh.String(), ""); codeOf(err) != CodeUnauthenticated {
		t.Errorf("refresh after sign-out everywhere: err = %v", err)
	}
	if list, _ := id.ListSessions(ctx, cur); len(list) != 0 {
		t.Errorf("sessions after sign-out everywhere = %+v", list)
	}
	if _, err := id.Refresh(ctx, o.Refresh.String(), ""); err != nil {
		t.Errorf("another user's session after u signed out everywhere: %v", err)
	}
}

func TestRestriction(t *testing.T) {
	for _, tt := range []struct {
		u    User
		want Code
	}{
		{User{OrgKind: OrgPartner, CompanyRole: RoleGlobalAdmin}, CodeMFAEnrolmentRequired},
		{User{OrgKind: OrgPartner, CompanyRole: RoleGlobalAdmin, MFAEnabled: true}, ""},
		{User{OrgKind: OrgPartner, CompanyRole: RoleNone, CustomerAccess: AccessFull}, CodeMFAEnrolmentRequired},
		{User{OrgKind: OrgPartner, CompanyRole: RoleUserAdmin, CustomerAccess: AccessLimited}, ""},
		{User{OrgKind: OrgPartner, CompanyRole: RoleGlobalAdmin, PasswordChangeRequired: true}, CodePasswordChangeNeeded},
		{User{OrgKind: OrgCustomer, CompanyRole: RoleGlobalAdmin}, ""}, // customer admins may enrol
	} {
		if got := codeOf(Restriction(tt.u)); got != tt.want {
			t.Errorf("Restriction(%+v) = %q, want %q", tt.u, got, tt.want)
		}
	}
}

func TestTwoFactorEnrolmentAndSignIn(t *testing.T) {
	ctx := context.Background()
	w := newWorld(2)
	now := testNow
	id := clockedIdentity(w, &now)
	u := w.user(1, RoleGlobalAdmin, AccessFull)
	u.MFAEnabled = false
	w.st.put(u)
	step := func() int64 { return now.Unix() / 30 }

	if err := (Session{Principal: Principal{Kind: PrincipalUser, User: u}}).Require(ActReadOverview); codeOf(err) != CodeMFAEnrolmentRequired {
		t.Fatalf("a global admin without a second factor: Require = %v", err)
	}
	if _, err := id.ConfirmTOTP(ctx, u, stepCode(step())); codeOf(err) != CodeInvalidTransition {
		t.Errorf("confirm without an enrolment: err = %v", err)
	}
	e, err := id.StartTOTP(ctx, u)
	if err != nil || e.Secret == "" || e.QRCode == "" {
		t.Fatalf("StartTOTP = %+v, %v", e, err)
	}
	if _, err := id.ConfirmTOTP(ctx, u, "123"); codeOf(err) != CodeValidation {
		t.Errorf("a malformed code: err = %v", err)
	}
	if _, err := id.ConfirmTOTP(ctx, u, stepCode(step()+5)); codeOf(err) != CodeInvalidMFACode {
		t.Errorf("a wrong code: err = %v", err)
	}
	codes, err := id.ConfirmTOTP(ctx, u, stepCode(step()))
	if err != nil || len(codes) != 10 {
		t.Fatalf("ConfirmTOTP = %v, %v", codes, err)
	}
	u = w.st.users[u.OrgID+"/"+u.ID]
	f := w.st.factors[u.OrgID+"/"+u.ID]
	if !u.MFAEnabled || !f.Active || f.Pending || slices.Contains(f.RecoveryHashes, codes[0]) || w.st.lastAct.Action != "user.mfa_enabled" {
		t.Fatalf("after confirm: user %+v factor %+v activity %q", u, f, w.st.lastAct.Action)
	}
	if _, err := id.StartTOTP(ctx, u); codeOf(err) != CodeInvalidTransition {
		t.Errorf("a second enrolment: err = %v", err)
	}

	// Sign-in's second step: the code of the confirming step was used; the next step's is fresh.
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, stepCode(step()), ""); codeOf(err) != CodeInvalidMFACode {
		t.Errorf("the confirming code again: err = %v", err)
	}
	now = now.Add(30 * time.Second)
	l, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, stepCode(step()), "")
	if err != nil || l.UserID != u.ID || !l.MFAEnabled {
		t.Fatalf("second step = %+v, %v", l, err)
	}
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, stepCode(step()), ""); codeOf(err) != CodeInvalidMFACode {
		t.Errorf("a replayed code: err = %v", err)
	}
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch-1, "", codes[1]); codeOf(err) != CodeUnauthenticated {
		t.Errorf("a token of an earlier epoch: err = %v", err)
	}
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, "", codes[2]); err != nil {
		t.Errorf("a recovery code: %v", err)
	}
	if w.st.lastAct.Action != "user.recovery_code_used" {
		t.Errorf("activity = %q", w.st.lastAct.Action)
	}
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, "", codes[2]); codeOf(err) != CodeInvalidMFACode {
		t.Errorf("a used recovery code: err = %v", err)
	}
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, stepCode(step()), codes[3]); codeOf(err) != CodeValidation {
		t.Errorf("code and recovery code together: err = %v", err)
	}
	// Throttled like passwords: the policy refuses, nothing is checked.
	w.st.admit = false
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, "", codes[4]); codeOf(err) != CodeMFAThrottled {
		t.Errorf("throttled: err = %v", err)
	}
	w.st.admit = true

	// Required for a global admin: it cannot be removed by its user.
	if err := id.RemoveTOTP(ctx, u, stepCode(step()+1)); codeOf(err) != CodeForbidden {
		t.Errorf("a global admin removes its factor: err = %v", err)
	}
	// New recovery codes: the old ones stop working.
	now = now.Add(30 * time.Second)
	fresh, err := id.RegenerateRecoveryCodes(ctx, u, stepCode(step()))
	if err != nil || len(fresh) != 10 {
		t.Fatalf("RegenerateRecoveryCodes = %v, %v", fresh, err)
	}
	u = w.st.users[u.OrgID+"/"+u.ID]
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, "", codes[5]); codeOf(err) != CodeInvalidMFACode {
		t.Errorf("an old recovery code after renewal: err = %v", err)
	}
	if _, err := id.SignInSecondFactor(ctx, u.OrgID, u.ID, u.SessionEpoch, "", fresh[0]); err != nil {
		t.Errorf("a new recovery code: %v", err)
	}
}

func TestResetSecondFactor(t *testing.T) {
	ctx := context.Background()
	w := newWorld(2)
	ga := w.user(1, RoleGlobalAdmin, AccessFull)
	ua := w.user(2, RoleUserAdmin, AccessNone)
	target := w.user(3, RoleNone, AccessFull)
	w.st.factors[target.OrgID+"/"+target.ID] = SecondFactor{OrgID: target.OrgID, UserID: target.ID, Active: true, Secret: "S", Version: 2}
	if err := w.svc.TwoFactorService.ResetSecondFactor(ctx, w.session(ua), target.ID); codeOf(err) != CodeForbidden {
		t.Errorf("a user admin resets: err = %v", err)
	}
	if err := w.svc.TwoFactorService.ResetSecondFactor(ctx, w.session(ga), uid(99)); codeOf(err) != CodeNotFound {
		t.Errorf("an unknown user: err = %v", err)
	}
	if err := w.svc.TwoFactorService.ResetSecondFactor(ctx, w.session(ga), target.ID); err != nil {
		t.Fatal(err)
	}
	after := w.st.users[target.OrgID+"/"+target.ID]
	if after.MFAEnabled || after.SessionEpoch != target.SessionEpoch+1 || w.st.lastAct.Action != "user.mfa_reset" || w.st.lastAct.Actor.ID != ga.ID {
		t.Errorf("after reset: %+v, activity %+v", after, w.st.lastAct)
	}
	if _, ok := w.st.factors[target.OrgID+"/"+target.ID]; ok {
		t.Error("the factor is still stored")
	}
	if err := w.svc.TwoFactorService.ResetSecondFactor(ctx, w.session(ga), target.ID); codeOf(err) != CodeInvalidTransition {
		t.Errorf("a second reset: err = %v", err)
	}
}

func TestChangePasswordContinuesInANewSession(t *testing.T) {
	ctx := context.Background()
	w := newWorld(1)
	now := testNow
	id := clockedIdentity(w, &now)
	u := w.user(1, RoleUserAdmin, AccessNone)
	w.st.logins[u.Email] = Login{Email: u.Email, UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind, PasswordHash: "h:Old-Password-2026"}
	old, _ := id.StartSession(ctx, loginOf(u), "old")
	ns, err := id.New(loginOf(u), "new")
	if err != nil {
		t.Fatal(err)
	}
	if ns.User, err = id.ChangePassword(ctx, u, "Old-Password-2026", "New-Password-2026!", &ns.Session); err != nil {
		t.Fatal(err)
	}
	if ns.User.SessionEpoch != u.SessionEpoch+1 || ns.Session.Epoch != ns.User.SessionEpoch || ns.User.PasswordChangeRequired {
		t.Fatalf("after the change: user %+v session %+v", ns.User, ns.Session)
	}
	if _, err := id.Refresh(ctx, old.Refresh.String(), ""); codeOf(err) != CodeUnauthenticated {
		t.Errorf("the session from before the change: err = %v", err)
	}
	if _, err := id.Refresh(ctx, ns.Refresh.String(), ""); err != nil {
		t.Errorf("the session the change began: %v", err)
	}
}

func TestResetUserPasswordRespectsRank(t *testing.T) {
	ctx := context.Background()
	w := newWorld(2)
	ga := w.user(1, RoleGlobalAdmin, AccessFull)
	ua := w.user(2, RoleUserAdmin, AccessNone)
	pa := w.user(3, RolePasswordAdmin, AccessNone)
	ba := w.user(4, RoleBillingAdmin, AccessNone)
	plain := w.user(5, RoleNone, AccessLimited)
	agent := w.user(6, RoleNone, AccessFull)
	ga2 := w.user(7, RoleGlobalAdmin, AccessNone)
	for _, tt := range []struct {
		by, target User
		want       Code
	}{
		{ga, ga2, ""}, {ga, plain, ""}, {ua, ba, ""}, {ua, agent, ""}, {pa, plain, ""},
		{ua, ga, CodeForbidden}, {pa, ba, CodeForbidden}, {pa, agent, CodeForbidden}, {pa, ga, CodeForbidden},
		{ba, plain, CodeForbidden}, {plain, ba, CodeForbidden}, {ga, ga, CodeForbidden},
	} {
		w.st.writes = nil
		u, temp, err := w.svc.ResetUserPassword(ctx, w.session(tt.by), tt.target.ID)
		if codeOf(err) != tt.want {
			t.Errorf("%s resets %s: err = %v, want %q", tt.by.CompanyRole, tt.target.DisplayName, err, tt.want)
			continue
		}
		if tt.want != "" {
			if len(w.st.writes) != 0 {
				t.Errorf("a refused reset wrote %v", w.st.writes)
			}
			continue
		}
		cur := tt.target
		if stored := w.st.users[cur.OrgID+"/"+cur.ID]; !stored.PasswordChangeRequired || stored.SessionEpoch != u.SessionEpoch || temp == "" ||
			w.st.lastAct.Action != "user.password_reset" {
			t.Errorf("after reset: %+v temp %q activity %q", stored, temp, w.st.lastAct.Action)
		}
		w.st.put(tt.target) // as before, for the next case
	}
	if _, _, err := w.svc.ResetUserPassword(ctx, w.session(ga), uid(99)); codeOf(err) != CodeNotFound {
		t.Errorf("unknown user: err = %v", err)
	}
}
