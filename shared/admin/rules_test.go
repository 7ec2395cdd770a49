package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const testPartner = "ptn_00000000000000000000000001"

func uid(n int) string { return fmt.Sprintf("usr_%026d", n) }

// world is a partner with one user per (role, access) we need, stored in a fake store.
type world struct {
	svc *services
	st  *memory
	p   Partner
}

func newWorld(globalAdmins int) *world {
	svc, st := newTestService()
	p := Partner{ID: testPartner, Cloud: CloudGlobal, GlobalAdmins: globalAdmins, Version: 3}
	st.partners[p.ID] = p
	return &world{svc: svc, st: st, p: p}
}

// user stores a user with id n; one whose role requires a second factor has it.
func (w *world) user(n int, role CompanyRole, access CustomerAccess) User {
	u := User{ID: uid(n), OrgID: testPartner, OrgKind: OrgPartner, Email: fmt.Sprintf("u%d@example.com", n),
		DisplayName: fmt.Sprintf("User %d", n), CompanyRole: role, CustomerAccess: access, Status: UserActive, Version: 7}
	u.MFAEnabled = MFARequired(u)
	w.st.put(u)
	return u
}

func (w *world) session(u User) Session {
	return Session{Principal: Principal{Kind: PrincipalUser, User: u}, Partner: w.p}
}

func codeOf(err error) Code {
	if err == nil {
		return ""
	}
	return ErrorCode(err)
}

func ptr[T any](v T) *T { return &v }

func TestMayGrant(t *testing.T) {
	type grant struct {
		role   CompanyRole
		access CustomerAccess
	}
	// allowed lists, per granter, the grants that must pass; every other (role, access) is refused.
	tests := []struct {
		name    string
		granter User
		allowed func(g grant) bool
	}{
		{"global admin with full access grants everything", User{CompanyRole: RoleGlobalAdmin, CustomerAccess: AccessFull},
			func(grant) bool { return true }},
		// mayGrant exempts global admins from the customer-access rule (see its code).
		{"global admin without access still grants any access", User{CompanyRole: RoleGlobalAdmin, CustomerAccess: AccessNone},
			func(grant) bool { return true }},
		{"user admin with full access", User{CompanyRole: RoleUserAdmin, CustomerAccess: AccessFull},
			func(g grant) bool {
				return slices.Contains([]CompanyRole{RoleNone, RoleUserAdmin, RolePasswordAdmin}, g.role)
			}},
		{"user admin with limited access", User{CompanyRole: RoleUserAdmin, CustomerAccess: AccessLimited},
			func(g grant) bool {
				return slices.Contains([]CompanyRole{RoleNone, RoleUserAdmin, RolePasswordAdmin}, g.role) && g.access != AccessFull
			}},
		{"user admin without access", User{CompanyRole: RoleUserAdmin, CustomerAccess: AccessNone},
			func(g grant) bool {
				return slices.Contains([]CompanyRole{RoleNone, RoleUserAdmin, RolePasswordAdmin}, g.role) && g.access == AccessNone
			}},
		{"billing admin", User{CompanyRole: RoleBillingAdmin, CustomerAccess: AccessFull},
			func(g grant) bool { return slices.Contains([]CompanyRole{RoleNone, RoleBillingAdmin}, g.role) }},
		{"no role", User{CompanyRole: RoleNone, CustomerAccess: AccessNone},
			func(g grant) bool { return g.role == RoleNone && g.access == AccessNone }},
	}
	for _, tt := range tests {
		for _, role := range CompanyRoles {
			for _, access := range CustomerAccesses {
				t.Run(fmt.Sprintf("%s/%s+%s", tt.name, role, access), func(t *testing.T) {
					err := mayGrant(tt.granter, role, access)
					want := tt.allowed(grant{role, access})
					if got := err == nil; got != want {
						t.Fatalf("mayGrant = %v, want allowed=%v", err, want)
					}
					if err != nil && codeOf(err) != CodeForbidden {
						t.Errorf("code = %s, want %s", codeOf(err), CodeForbidden)
					}
				})
			}
		}
	}
}

func TestSessionRequire(t *testing.T) {
	tests := []struct {
		name string
		u    User
		a    Action
		want Code
	}{
		{"none reads overview", User{CompanyRole: RoleNone}, ActReadOverview, ""},
		{"none manages users", User{CompanyRole: RoleNone}, ActManageUsers, CodeForbidden},
		{"user admin updates company", User{CompanyRole: RoleUserAdmin}, ActUpdateCompany, CodeForbidden},
		{"global admin updates company", User{CompanyRole: RoleGlobalAdmin}, ActUpdateCompany, ""},
		{"temporary password blocks everything", User{CompanyRole: RoleGlobalAdmin, PasswordChangeRequired: true}, ActReadOverview, CodePasswordChangeNeeded},
		{"temporary password wins over forbidden", User{CompanyRole: RoleNone, PasswordChangeRequired: true}, ActManageUsers, CodePasswordChangeNeeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Session{Principal: Principal{Kind: PrincipalUser, User: tt.u}}
			if got := codeOf(s.Require(tt.a)); got != tt.want {
				t.Errorf("Require(%s) code = %q, want %q", tt.a, got, tt.want)
			}
		})
	}
}

func TestCreateUserRules(t *testing.T) {
	tests := []struct {
		name   string
		caller func(w *world) User
		in     NewUser
		want   Code
	}{
		{"global admin creates global admin", func(w *world) User { return w.user(1, RoleGlobalAdmin, AccessFull) },
			NewUser{Email: "New@Example.com", DisplayName: "N", CompanyRole: RoleGlobalAdmin, CustomerAccess: AccessFull}, ""},
		{"user admin creates global admin", func(w *world) User { return w.user(1, RoleUserAdmin, AccessFull) },
			NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleGlobalAdmin, CustomerAccess: AccessNone}, CodeForbidden},
		{"user admin creates password admin", func(w *world) User { return w.user(1, RoleUserAdmin, AccessNone) },
			NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RolePasswordAdmin, CustomerAccess: AccessNone}, ""},
		{"user admin creates billing admin (rights it lacks)", func(w *world) User { return w.user(1, RoleUserAdmin, AccessFull) },
			NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleBillingAdmin, CustomerAccess: AccessNone}, CodeForbidden},
		{"user admin with limited grants full access", func(w *world) User { return w.user(1, RoleUserAdmin, AccessLimited) },
			NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleNone, CustomerAccess: AccessFull}, CodeForbidden},
		{"user admin with limited grants limited access", func(w *world) User { return w.user(1, RoleUserAdmin, AccessLimited) },
			NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleNone, CustomerAccess: AccessLimited}, ""},
		{"billing admin cannot manage users", func(w *world) User { return w.user(1, RoleBillingAdmin, AccessFull) },
			NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleNone, CustomerAccess: AccessNone}, CodeForbidden},
		{"forbidden before validation", func(w *world) User { return w.user(1, RoleNone, AccessNone) },
			NewUser{Email: "not an email", CompanyRole: "boss"}, CodeForbidden},
		{"validation", func(w *world) User { return w.user(1, RoleGlobalAdmin, AccessFull) },
			NewUser{Email: "not an email", DisplayName: "", CompanyRole: "boss", CustomerAccess: "all"}, CodeValidation},
		{"temporary password", func(w *world) User {
			u := w.user(1, RoleGlobalAdmin, AccessFull)
			u.PasswordChangeRequired = true
			return u
		}, NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleNone, CustomerAccess: AccessNone}, CodePasswordChangeNeeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(1)
			caller := tt.caller(w)
			u, temp, replayed, err := w.svc.CreateUser(context.Background(), w.session(caller), tt.in, nil)
			if got := codeOf(err); got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.want)
			}
			if tt.want != "" {
				if len(w.st.writes) != 0 {
					t.Errorf("writes = %v, want none", w.st.writes)
				}
				return
			}
			if replayed || temp == "" {
				t.Errorf("replayed = %v, temp = %q; want false and a temporary password", replayed, temp)
			}
			if !u.PasswordChangeRequired || u.Version != 1 || u.Status != UserActive || u.OrgID != testPartner || !ValidID("usr", u.ID) {
				t.Errorf("created user = %+v, want active, version 1, password change required, in %s", u, testPartner)
			}
			if want := strings.ToLower(tt.in.Email); u.Email != want {
				t.Errorf("email = %q, want normalized %q", u.Email, want)
			}
			l := w.st.logins[u.Email]
			if l.UserID != u.ID || !l.PasswordChangeRequired || l.PasswordHash != "h:"+temp {
				t.Errorf("login = %+v, want the user's with the temporary password's hash", l)
			}
			if w.st.lastAct.Action != "user.created" || w.st.lastAct.Actor.ID != caller.ID {
				t.Errorf("activity = %+v, want user.created by %s", w.st.lastAct, caller.ID)
			}
		})
	}
}

func TestCreateUserIdempotency(t *testing.T) {
	w := newWorld(1)
	caller := w.user(1, RoleGlobalAdmin, AccessFull)
	existing := w.user(2, RoleNone, AccessNone)
	in := NewUser{Email: "n@example.com", DisplayName: "N", CompanyRole: RoleNone, CustomerAccess: AccessNone}

	t.Run("same fingerprint replays", func(t *testing.T) {
		w.st.createErr = &IdempotencyConflict{ResourceID: existing.ID, Fingerprint: "fp"}
		idem := &Idempotency{Scope: "s", Key: "k", Fingerprint: "fp"}
		u, temp, replayed, err := w.svc.CreateUser(context.Background(), w.session(caller), in, idem)
		if err != nil || !replayed || u.ID != existing.ID || temp != "" {
			t.Errorf("got (%s, %q, %v, %v), want (%s, \"\", true, nil)", u.ID, temp, replayed, err, existing.ID)
		}
	})
	t.Run("other fingerprint is refused", func(t *testing.T) {
		w.st.createErr = &IdempotencyConflict{ResourceID: existing.ID, Fingerprint: "other"}
		idem := &Idempotency{Scope: "s", Key: "k", Fingerprint: "fp"}
		_, _, replayed, err := w.svc.CreateUser(context.Background(), w.session(caller), in, idem)
		if got := codeOf(ReplayMismatch(err)); got != CodeIdempotencyKeyReused || replayed {
			t.Errorf("ReplayMismatch code = %q, replayed = %v; want %q, false", got, replayed, CodeIdempotencyKeyReused)
		}
	})
	t.Run("resource id recorded", func(t *testing.T) {
		w.st.createErr = nil
		idem := &Idempotency{Scope: "s", Key: "k2", Fingerprint: "fp"}
		u, _, _, err := w.svc.CreateUser(context.Background(), w.session(caller), NewUser{Email: "m@example.com", DisplayName: "M", CompanyRole: RoleNone, CustomerAccess: AccessNone}, idem)
		if err != nil || idem.ResourceID != u.ID {
			t.Errorf("idem.ResourceID = %q (err %v), want %q", idem.ResourceID, err, u.ID)
		}
	})
	t.Run("ReplayMismatch passes other errors", func(t *testing.T) {
		e := NotFound("x")
		if got := ReplayMismatch(e); got != error(e) {
			t.Errorf("ReplayMismatch(%v) = %v, want it unchanged", e, got)
		}
	})
}

func TestUpdateUserRules(t *testing.T) {
	const (
		self   = 1
		target = 2
	)
	type tc struct {
		name         string
		globalAdmins int
		caller       [2]string // role, access
		target       [2]string // ignored when patching self
		self         bool
		patch        UserPatch // Version 0 = the target's current version
		want         Code
		wantDelta    int
	}
	role := func(r CompanyRole) *CompanyRole { return &r }
	acc := func(a CustomerAccess) *CustomerAccess { return &a }
	GA, UA, BA, PA, NO := string(RoleGlobalAdmin), string(RoleUserAdmin), string(RoleBillingAdmin), string(RolePasswordAdmin), string(RoleNone)
	F, L, N := string(AccessFull), string(AccessLimited), string(AccessNone)
	tests := []tc{
		// Only a global admin grants or changes global admin.
		{name: "global admin promotes to global admin", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role(RoleGlobalAdmin)}, wantDelta: 1},
		{name: "user admin promotes to global admin", globalAdmins: 1, caller: [2]string{UA, F}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role(RoleGlobalAdmin)}, want: CodeForbidden},
		{name: "global admin demotes a global admin", globalAdmins: 2, caller: [2]string{GA, F}, target: [2]string{GA, F},
			patch: UserPatch{CompanyRole: role(RoleUserAdmin)}, wantDelta: -1},
		// User admins cannot touch global admins at all.
		{name: "user admin demotes a global admin", globalAdmins: 2, caller: [2]string{UA, F}, target: [2]string{GA, F},
			patch: UserPatch{CompanyRole: role(RoleNone)}, want: CodeForbidden},
		{name: "user admin renames a global admin", globalAdmins: 2, caller: [2]string{UA, F}, target: [2]string{GA, F},
			patch: UserPatch{DisplayName: ptr("X")}, want: CodeForbidden},
		{name: "user admin lowers a global admin's access", globalAdmins: 2, caller: [2]string{UA, F}, target: [2]string{GA, F},
			patch: UserPatch{CustomerAccess: acc(AccessNone)}, want: CodeForbidden},
		// The last global admin.
		{name: "global admin demotes the only global admin", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{GA, F},
			patch: UserPatch{CompanyRole: role(RoleUserAdmin)}, want: CodeLastGlobalAdmin},
		{name: "last global admin demotes self", globalAdmins: 1, caller: [2]string{GA, F}, self: true,
			patch: UserPatch{CompanyRole: role(RoleNone)}, want: CodeLastGlobalAdmin},
		{name: "one of two global admins demotes self", globalAdmins: 2, caller: [2]string{GA, F}, self: true,
			patch: UserPatch{CompanyRole: role(RoleNone)}, wantDelta: -1},
		{name: "last global admin renames self", globalAdmins: 1, caller: [2]string{GA, F}, self: true,
			patch: UserPatch{DisplayName: ptr("Renamed")}},
		{name: "last global admin lowers own access", globalAdmins: 1, caller: [2]string{GA, F}, self: true,
			patch: UserPatch{CustomerAccess: acc(AccessLimited)}},
		// Self: lowering allowed, raising refused.
		{name: "self raise role", globalAdmins: 1, caller: [2]string{UA, N}, self: true,
			patch: UserPatch{CompanyRole: role(RoleGlobalAdmin)}, want: CodeForbidden},
		{name: "self raise to sideways role", globalAdmins: 1, caller: [2]string{UA, N}, self: true,
			patch: UserPatch{CompanyRole: role(RoleBillingAdmin)}, want: CodeForbidden},
		{name: "self raise access", globalAdmins: 1, caller: [2]string{GA, L}, self: true,
			patch: UserPatch{CustomerAccess: acc(AccessFull)}, want: CodeForbidden},
		{name: "self with no role raises role", globalAdmins: 1, caller: [2]string{NO, N}, self: true,
			patch: UserPatch{CompanyRole: role(RolePasswordAdmin)}, want: CodeForbidden},
		{name: "self lower role", globalAdmins: 1, caller: [2]string{UA, F}, self: true,
			patch: UserPatch{CompanyRole: role(RolePasswordAdmin)}},
		{name: "self lower access", globalAdmins: 1, caller: [2]string{UA, F}, self: true,
			patch: UserPatch{CustomerAccess: acc(AccessNone)}},
		{name: "self with no role renames self", globalAdmins: 1, caller: [2]string{NO, N}, self: true,
			patch: UserPatch{DisplayName: ptr("Me")}},
		// Nobody grants rights they lack.
		{name: "user admin grants billing admin", globalAdmins: 1, caller: [2]string{UA, F}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role(RoleBillingAdmin)}, want: CodeForbidden},
		{name: "user admin grants password admin", globalAdmins: 1, caller: [2]string{UA, N}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role(RolePasswordAdmin)}},
		{name: "user admin (limited) grants full access", globalAdmins: 1, caller: [2]string{UA, L}, target: [2]string{NO, N},
			patch: UserPatch{CustomerAccess: acc(AccessFull)}, want: CodeForbidden},
		{name: "user admin (limited) grants limited access", globalAdmins: 1, caller: [2]string{UA, L}, target: [2]string{NO, N},
			patch: UserPatch{CustomerAccess: acc(AccessLimited)}},
		{name: "user admin (none) changes role of a full-access user", globalAdmins: 1, caller: [2]string{UA, N}, target: [2]string{NO, F},
			patch: UserPatch{CompanyRole: role(RolePasswordAdmin)}, want: CodeForbidden},
		{name: "password admin cannot manage users", globalAdmins: 1, caller: [2]string{PA, F}, target: [2]string{NO, N},
			patch: UserPatch{DisplayName: ptr("X")}, want: CodeForbidden},
		{name: "billing admin cannot manage users", globalAdmins: 1, caller: [2]string{BA, F}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role(RoleNone)}, want: CodeForbidden},
		// Version conflicts come after the permission checks.
		{name: "stale version, allowed change", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{DisplayName: ptr("X"), Version: 6}, want: CodeVersionConflict},
		{name: "stale version, forbidden role", globalAdmins: 1, caller: [2]string{BA, F}, target: [2]string{NO, N},
			patch: UserPatch{DisplayName: ptr("X"), Version: 6}, want: CodeForbidden},
		{name: "stale version, forbidden grant", globalAdmins: 1, caller: [2]string{UA, F}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role(RoleGlobalAdmin), Version: 99}, want: CodeForbidden},
		{name: "stale version, user admin on global admin", globalAdmins: 2, caller: [2]string{UA, F}, target: [2]string{GA, F},
			patch: UserPatch{DisplayName: ptr("X"), Version: 1}, want: CodeForbidden},
		{name: "stale version, self raise", globalAdmins: 1, caller: [2]string{UA, N}, self: true,
			patch: UserPatch{CompanyRole: role(RoleGlobalAdmin), Version: 1}, want: CodeForbidden},
		{name: "stale version, last global admin", globalAdmins: 1, caller: [2]string{GA, F}, self: true,
			patch: UserPatch{CompanyRole: role(RoleNone), Version: 1}, want: CodeVersionConflict},
		{name: "stale version, no-op patch", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{Version: 1}, want: CodeVersionConflict},
		// Validation.
		{name: "bad role", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{CompanyRole: role("boss")}, want: CodeValidation},
		{name: "bad access", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{CustomerAccess: acc("all")}, want: CodeValidation},
		{name: "empty name", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{DisplayName: ptr("   ")}, want: CodeValidation},
		{name: "missing version", globalAdmins: 1, caller: [2]string{GA, F}, target: [2]string{NO, N},
			patch: UserPatch{DisplayName: ptr("X"), Version: -1}, want: CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(tt.globalAdmins)
			w.p.GlobalAdmins = tt.globalAdmins
			caller := w.user(self, CompanyRole(tt.caller[0]), CustomerAccess(tt.caller[1]))
			id := caller.ID
			before := caller
			if !tt.self {
				before = w.user(target, CompanyRole(tt.target[0]), CustomerAccess(tt.target[1]))
				id = before.ID
			}
			patch := tt.patch
			switch patch.Version {
			case 0:
				patch.Version = before.Version
			case -1:
				patch.Version = 0
			}
			got, err := w.svc.UpdateUser(context.Background(), w.session(caller), id, patch)
			if c := codeOf(err); c != tt.want {
				t.Fatalf("code = %q (%v), want %q", c, err, tt.want)
			}
			if tt.want != "" {
				if len(w.st.writes) != 0 {
					t.Errorf("writes = %v, want none", w.st.writes)
				}
				var e *Error
				if tt.want == CodeForbidden && errors.As(err, &e) && strings.Contains(strings.ToLower(e.Message), "version") {
					t.Errorf("forbidden message %q hints at the version", e.Message)
				}
				return
			}
			if !slices.Equal(w.st.writes, []string{"UpdateUser"}) {
				t.Fatalf("writes = %v, want [UpdateUser]", w.st.writes)
			}
			if got.Version != before.Version+1 || w.st.lastPrev != before.Version {
				t.Errorf("version = %d (guard %d), want %d (guard %d)", got.Version, w.st.lastPrev, before.Version+1, before.Version)
			}
			if w.st.lastDelta != tt.wantDelta {
				t.Errorf("global admin delta = %d, want %d", w.st.lastDelta, tt.wantDelta)
			}
			if !got.UpdatedAt.Equal(testNow) {
				t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, testNow)
			}
			if a := w.st.lastAct; a.Action != "user.updated" || a.Target.ID != id || len(a.After) == 0 || len(a.Before) != len(a.After) {
				t.Errorf("activity = %+v, want user.updated on %s with a before/after diff", a, id)
			}
		})
	}
}

func TestUpdateUserNoOpWritesNothing(t *testing.T) {
	tests := []struct {
		name  string
		self  bool
		patch func(u User) UserPatch
	}{
		{"empty patch", false, func(u User) UserPatch { return UserPatch{Version: u.Version} }},
		{"same values", false, func(u User) UserPatch {
			return UserPatch{DisplayName: ptr(u.DisplayName), CompanyRole: ptr(u.CompanyRole), CustomerAccess: ptr(u.CustomerAccess), Version: u.Version}
		}},
		{"same name with spaces", false, func(u User) UserPatch {
			return UserPatch{DisplayName: ptr("  " + u.DisplayName + " "), Version: u.Version}
		}},
		{"self same role", true, func(u User) UserPatch { return UserPatch{CompanyRole: ptr(u.CompanyRole), Version: u.Version} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(1)
			caller := w.user(1, RoleGlobalAdmin, AccessFull)
			target := caller
			if !tt.self {
				target = w.user(2, RoleUserAdmin, AccessLimited)
			}
			got, err := w.svc.UpdateUser(context.Background(), w.session(caller), target.ID, tt.patch(target))
			if err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if got != target {
				t.Errorf("got %+v, want the unchanged %+v", got, target)
			}
			if len(w.st.writes) != 0 {
				t.Errorf("writes = %v, want none", w.st.writes)
			}
		})
	}
}

func TestUpdateUserUnknownOrMalformedID(t *testing.T) {
	w := newWorld(1)
	caller := w.user(1, RoleGlobalAdmin, AccessFull)
	for _, id := range []string{uid(99), "usr_x", "ptn_00000000000000000000000001", "", "../" + uid(2)} {
		t.Run(id, func(t *testing.T) {
			_, err := w.svc.UpdateUser(context.Background(), w.session(caller), id, UserPatch{DisplayName: ptr("X"), Version: 1})
			if got := codeOf(err); got != CodeNotFound {
				t.Errorf("code = %q, want %q", got, CodeNotFound)
			}
		})
	}
}

func TestDeleteUserRules(t *testing.T) {
	GA, UA, BA, NO := RoleGlobalAdmin, RoleUserAdmin, RoleBillingAdmin, RoleNone
	tests := []struct {
		name         string
		globalAdmins int
		caller       CompanyRole
		target       CompanyRole // "" = self
		want         Code
		wantDelta    int
	}{
		{"global admin removes a user", 1, GA, NO, "", 0},
		{"global admin removes a global admin", 2, GA, GA, "", -1},
		{"global admin removes the only global admin", 1, GA, GA, CodeLastGlobalAdmin, 0},
		{"last global admin removes self", 1, GA, "", CodeLastGlobalAdmin, 0},
		{"one of two global admins removes self", 2, GA, "", "", -1},
		{"user admin removes a user", 1, UA, NO, "", 0},
		{"user admin removes a billing admin", 1, UA, BA, "", 0},
		{"user admin removes a global admin", 2, UA, GA, CodeForbidden, 0},
		{"user admin removes self", 1, UA, "", "", 0},
		{"billing admin removes a user", 1, BA, NO, CodeForbidden, 0},
		{"no role removes self", 1, NO, "", CodeForbidden, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(tt.globalAdmins)
			caller := w.user(1, tt.caller, AccessFull)
			target := caller
			if tt.target != "" {
				target = w.user(2, tt.target, AccessFull)
			}
			err := w.svc.DeleteUser(context.Background(), w.session(caller), target.ID)
			if got := codeOf(err); got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.want)
			}
			if tt.want != "" {
				if len(w.st.writes) != 0 {
					t.Errorf("writes = %v, want none", w.st.writes)
				}
				return
			}
			if !slices.Equal(w.st.writes, []string{"DeleteUser"}) || w.st.lastUser.ID != target.ID || w.st.lastDelta != tt.wantDelta {
				t.Errorf("writes = %v, deleted %s, delta %d; want [DeleteUser], %s, %d", w.st.writes, w.st.lastUser.ID, w.st.lastDelta, target.ID, tt.wantDelta)
			}
			if w.st.lastAct.Action != "user.deleted" {
				t.Errorf("activity = %q, want user.deleted", w.st.lastAct.Action)
			}
		})
	}
	t.Run("unknown and malformed ids", func(t *testing.T) {
		w := newWorld(1)
		caller := w.user(1, RoleGlobalAdmin, AccessFull)
		for _, id := range []string{uid(42), "nope", ""} {
			if got := codeOf(w.svc.DeleteUser(context.Background(), w.session(caller), id)); got != CodeNotFound {
				t.Errorf("DeleteUser(%q) code = %q, want %q", id, got, CodeNotFound)
			}
		}
	})
}

func TestAuthenticate(t *testing.T) {
	w := newWorld(1)
	u := w.user(1, RoleUserAdmin, AccessNone)
	u.SessionEpoch = 3
	w.st.put(u)
	sid := w.st.session(u)
	key := testPartner + "/" + u.ID + "/" + sid
	live := w.st.sessions[key]
	tests := []struct {
		name          string
		org, user     string
		epoch         int
		want          Code
		mutateStored  func(User) User
		mutateSession func(UserSession) UserSession
	}{
		{"ok", testPartner, u.ID, 3, "", nil, nil},
		{"old epoch", testPartner, u.ID, 2, CodeUnauthenticated, nil, nil},
		{"unknown user", testPartner, uid(77), 3, CodeUnauthenticated, nil, nil},
		{"foreign org", "ptn_00000000000000000000000002", u.ID, 3, CodeUnauthenticated, nil, nil},
		{"malformed org", "PARTNER#x", u.ID, 3, CodeUnauthenticated, nil, nil},
		{"malformed user", testPartner, "usr_", 3, CodeUnauthenticated, nil, nil},
		{"inactive", testPartner, u.ID, 3, CodeUnauthenticated, func(u User) User { u.Status = "disabled"; return u }, nil},
		{"session signed out", testPartner, u.ID, 3, CodeUnauthenticated, nil, func(s UserSession) UserSession { s.EndedAt = testNow; return s }},
		{"session idle 8 hours", testPartner, u.ID, 3, CodeUnauthenticated, nil, func(s UserSession) UserSession {
			s.CreatedAt, s.LastUsedAt = testNow.Add(-9*time.Hour), testNow.Add(-SessionIdleTimeout)
			return s
		}},
		{"session 12 hours old", testPartner, u.ID, 3, CodeUnauthenticated, nil, func(s UserSession) UserSession {
			s.CreatedAt, s.LastUsedAt = testNow.Add(-SessionLifetime), testNow.Add(-time.Minute)
			return s
		}},
		{"session of an earlier epoch", testPartner, u.ID, 3, CodeUnauthenticated, nil, func(s UserSession) UserSession { s.Epoch = 2; return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mutateStored != nil {
				w.st.put(tt.mutateStored(u))
				defer w.st.put(u)
			}
			if tt.mutateSession != nil {
				w.st.sessions[key] = tt.mutateSession(live)
				defer func() { w.st.sessions[key] = live }()
			}
			s, err := w.svc.Authenticate(context.Background(), Token{OrgID: tt.org, UserID: tt.user, Epoch: tt.epoch, SessionID: sid})
			if got := codeOf(err); got != tt.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.want)
			}
			if err == nil && (s.Principal.User.ID != u.ID || s.Partner.ID != testPartner || s.Principal.Kind != PrincipalUser) {
				t.Errorf("session = %+v, want user %s of %s", s, u.ID, testPartner)
			}
		})
	}
}
