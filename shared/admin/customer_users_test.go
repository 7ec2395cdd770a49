package admin

import (
	"context"
	"testing"
	"time"
)

func TestPasswordResetsWindow(t *testing.T) {
	var r PasswordResets
	for i := range MaxPasswordResets {
		next, _, ok := r.admit(testNow.Add(time.Duration(i) * time.Minute))
		if !ok {
			t.Fatalf("reset %d refused", i+1)
		}
		r = next
	}
	if r.Version != MaxPasswordResets || len(r.Times) != MaxPasswordResets {
		t.Fatalf("history %+v", r)
	}
	// The 6th within the hour waits until the first leaves the window (a sliding hour).
	_, wait, ok := r.admit(testNow.Add(10 * time.Minute))
	if ok || wait != 50*time.Minute {
		t.Fatalf("6th: ok %v, wait %v; want refused, 50m", ok, wait)
	}
	next, _, ok := r.admit(testNow.Add(time.Hour))
	if !ok || len(next.Times) != MaxPasswordResets || !next.Times[0].Equal(testNow.Add(time.Minute)) {
		t.Fatalf("after the first left the window: %v %+v", ok, next)
	}
}

// customerUsersWorld is a partner with one customer under a delegated administration of scope,
// holding an admin and a user.
func customerUsersWorld(scope CustomerAccess) (*CustomerUserService, *fakeCustomerUserStore, Session) {
	pid, cid := "ptn_000000000000000000000000p1", "cus_000000000000000000000000c1"
	cs := &fakeCustomerStore{customers: map[string]Customer{cid: {ID: cid, Cloud: CloudGlobal, Name: "Fabrikam"}},
		rels: map[string]Relationship{cid + "/" + pid: {CustomerID: cid, PartnerID: pid, Version: 4,
			DelegatedAdmin: &DelegatedAdmin{Scope: scope, EndsAt: testNow.Add(time.Hour), Status: "active"}}}}
	st := &fakeCustomerUserStore{customers: cs, resets: map[string]PasswordResets{}, users: map[string]User{
		cid + "/usr_000000000000000000000000ad": {ID: "usr_000000000000000000000000ad", OrgID: cid, CompanyRole: RoleGlobalAdmin, Version: 2, SessionEpoch: 3},
		cid + "/usr_000000000000000000000000us": {ID: "usr_000000000000000000000000us", OrgID: cid, CompanyRole: RoleNone, Version: 1},
	}}
	env := testEnv()
	svc := &CustomerUserService{Env: env, Customers: &CustomerService{Env: env, Store: cs}, Store: st, Passwords: &fakePasswords{}}
	sess := Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: "usr_1", OrgID: pid, CompanyRole: RoleNone, CustomerAccess: AccessFull}},
		Partner: Partner{ID: pid, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin}}}
	return svc, st, sess
}

func TestResetPasswordRules(t *testing.T) {
	cid, admin, user := "cus_000000000000000000000000c1", "usr_000000000000000000000000ad", "usr_000000000000000000000000us"
	tests := []struct {
		name          string
		grant, access CustomerAccess
		target        string
		sendTo        string
		history       int // resets within the hour before
		want          Code
	}{
		{"full resets an admin", AccessFull, AccessFull, admin, "", 0, ""},
		{"full resets a user, emailed", AccessFull, AccessFull, user, "Help@Desk.example", 0, ""},
		{"limited user, admin", AccessFull, AccessLimited, admin, "", 0, CodeForbiddenForAdmins},
		{"limited grant, admin", AccessLimited, AccessFull, admin, "", 0, CodeForbiddenForAdmins},
		{"limited grant, user", AccessLimited, AccessFull, user, "", 0, ""},
		{"no access", AccessFull, AccessNone, user, "", 0, CodeForbidden},
		{"unknown user", AccessFull, AccessFull, "usr_000000000000000000000000zz", "", 0, CodeNotFound},
		{"malformed user", AccessFull, AccessFull, "x", "", 0, CodeNotFound},
		{"bad sendTo", AccessFull, AccessFull, user, "nobody", 0, CodeValidation},
		{"4 before: the 5th passes", AccessFull, AccessFull, user, "", 4, ""},
		{"5 before: throttled", AccessFull, AccessFull, user, "", 5, CodePasswordResetThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, sess := customerUsersWorld(tt.grant)
			sess.Principal.User.CustomerAccess = tt.access
			for i := range tt.history {
				h := st.resets[tt.target]
				h.Times, h.Version = append(h.Times, testNow.Add(-time.Duration(50-i)*time.Minute)), h.Version+1
				st.resets[tt.target] = h
			}
			before := st.users[cid+"/"+tt.target]
			u, temp, err := svc.ResetPassword(context.Background(), sess, cid, tt.target, tt.sendTo)
			if got := ErrorCode(err); err != nil && got != tt.want || err == nil && tt.want != "" {
				t.Fatalf("error %v, want %s", err, tt.want)
			}
			if tt.want != "" {
				if st.writes() != 0 {
					t.Fatal("a refused reset wrote")
				}
				if tt.want == CodePasswordResetThrottled && err.(*Error).RetryAfter != 10*60 {
					t.Fatalf("Retry-After %d, want 600", err.(*Error).RetryAfter)
				}
				return
			}
			w := st.reset[0]
			if temp == "" || !u.PasswordChangeRequired || u.SessionEpoch != before.SessionEpoch+1 || u.Version != before.Version+1 ||
				w.PrevVersion != before.Version || w.PasswordHash != "h:"+temp || w.Inside.Version != 4 || len(w.Activities) != 2 {
				t.Fatalf("reset %+v, write %+v", u, w)
			}
			if w.Resets.Version != tt.history+1 || len(w.Resets.Times) != tt.history+1 {
				t.Fatalf("history %+v", w.Resets)
			}
			for _, a := range w.Activities {
				if a.PartnerID != sess.Partner.ID || a.CustomerID != cid || a.Action != "customer_user.password_reset" {
					t.Fatalf("activity %+v", a)
				}
			}
			if (w.Email != nil) != (tt.sendTo != "") {
				t.Fatalf("email %+v for sendTo %q", w.Email, tt.sendTo)
			}
			if w.Email != nil {
				m := w.Email.Message.(CustomerPasswordReset)
				if w.Email.To[0] != "help@desk.example" || m.Password != temp || w.Activities[1].After["emailedTo"] != "help@desk.example" {
					t.Fatalf("email %+v", w.Email)
				}
			}
		})
	}
}

func TestTenantLastAdmin(t *testing.T) {
	svc, st, _ := customerUsersWorld(AccessFull)
	cid := "cus_000000000000000000000000c1"
	me := st.users[cid+"/usr_000000000000000000000000ad"]
	role := CustomerRoleUser
	for _, admins := range []int{0, 1} { // 0: a customer from before the count: its one admin
		cs := CustomerSession{User: me, Customer: Customer{ID: cid, Admins: admins}}
		if _, err := svc.TenantUpdateUser(context.Background(), cs, me.ID, CustomerUserPatch{Role: &role, Version: me.Version}); ErrorCode(err) != CodeLastGlobalAdmin {
			t.Fatalf("demote the last admin (count %d): %v", admins, err)
		}
		if err := svc.TenantDeleteUser(context.Background(), cs, me.ID); ErrorCode(err) != CodeLastGlobalAdmin {
			t.Fatalf("remove the last admin (count %d): %v", admins, err)
		}
	}
	if st.writes() != 0 {
		t.Fatal("a refusal wrote")
	}
	cs := CustomerSession{User: me, Customer: Customer{ID: cid, Admins: 2}}
	if _, err := svc.TenantUpdateUser(context.Background(), cs, me.ID, CustomerUserPatch{Role: &role, Version: me.Version}); err != nil {
		t.Fatal(err)
	}
	if err := svc.TenantDeleteUser(context.Background(), cs, "usr_000000000000000000000000us"); err != nil {
		t.Fatal(err)
	}
	if len(st.deltas) != 2 || st.deltas[0] != -1 || st.deltas[1] != 0 {
		t.Fatalf("admin deltas %v, want [-1 0]", st.deltas)
	}
}

func TestCustomerUserCreate(t *testing.T) {
	svc, st, sess := customerUsersWorld(AccessFull)
	cid := "cus_000000000000000000000000c1"
	u, temp, _, err := svc.CreateUser(context.Background(), sess, cid, NewCustomerUser{Email: "Kim@Fabrikam.example", DisplayName: "Kim", Role: CustomerRoleAdmin}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := st.created[0]
	if u.CompanyRole != RoleGlobalAdmin || u.OrgKind != OrgCustomer || !u.PasswordChangeRequired || temp == "" || u.Email != "kim@fabrikam.example" ||
		w.Inside == nil || w.Inside.Version != 4 || !w.Login.PasswordChangeRequired || w.Login.OrgName != "Fabrikam" || len(w.Activities) != 2 {
		t.Fatalf("created %+v, write %+v", u, w)
	}
	// Limited access does not add users; bad input writes nothing.
	sess.Principal.User.CustomerAccess = AccessLimited
	if _, _, _, err := svc.CreateUser(context.Background(), sess, cid, NewCustomerUser{Email: "a@b.example", DisplayName: "A", Role: CustomerRoleUser}, nil); ErrorCode(err) != CodeForbidden {
		t.Fatalf("limited: %v", err)
	}
	sess.Principal.User.CustomerAccess = AccessFull
	if _, _, _, err := svc.CreateUser(context.Background(), sess, cid, NewCustomerUser{Email: "a@b.example", DisplayName: "A", Role: "owner"}, nil); ErrorCode(err) != CodeValidation {
		t.Fatalf("bad role: %v", err)
	}
	if len(st.created) != 1 {
		t.Fatal("a refusal wrote")
	}
}
