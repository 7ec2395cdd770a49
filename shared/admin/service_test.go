package admin

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSignIn(t *testing.T) {
	const email = "anna@example.com"
	tests := []struct {
		name       string
		email, pw  string
		login      *Login
		admit      bool
		guard      SignInGuard
		want       Code
		wantRetry  int
		wantVerify []string // hashes Verify saw
		wantWrites []string
	}{
		{name: "ok", email: " Anna@Example.com ", pw: "right-password", login: &Login{Email: email, OrgKind: OrgPartner, PasswordHash: "h:right-password"},
			admit: true, wantVerify: []string{"h:right-password"}, wantWrites: []string{"ClearSignInAttempts"}},
		{name: "wrong password", email: email, pw: "wrong", login: &Login{Email: email, OrgKind: OrgPartner, PasswordHash: "h:right-password"},
			admit: true, want: CodeInvalidCredentials, wantVerify: []string{"h:right-password"}},
		{name: "unknown email still verifies (dummy)", email: "nobody@example.com", pw: "x", admit: true,
			want: CodeInvalidCredentials, wantVerify: []string{""}},
		{name: "customer login refused", email: email, pw: "right-password", login: &Login{Email: email, OrgKind: OrgCustomer, PasswordHash: "h:right-password"},
			admit: true, want: CodeInvalidCredentials, wantVerify: []string{"h:right-password"}},
		{name: "throttled: locked", email: email, pw: "x", login: &Login{Email: email, OrgKind: OrgPartner, PasswordHash: "h:x"},
			guard: SignInGuard{Attempts: 5, WindowStart: testNow.Truncate(DefaultSignInPolicy.Window), LastAttempt: testNow},
			want:  CodeSignInThrottled, wantRetry: 900},
		{name: "throttled: sub-second wait rounds up to 1", email: email, pw: "x",
			guard: SignInGuard{Attempts: 3, WindowStart: testNow.Truncate(DefaultSignInPolicy.Window), LastAttempt: testNow.Add(-900 * time.Millisecond)},
			want:  CodeSignInThrottled, wantRetry: 1},
		{name: "throttled: 1.5s rounds up to 2", email: email, pw: "x",
			guard: SignInGuard{Attempts: 4, WindowStart: testNow.Truncate(DefaultSignInPolicy.Window), LastAttempt: testNow.Add(-500 * time.Millisecond)},
			want:  CodeSignInThrottled, wantRetry: 2},
		{name: "bad email", email: "nope", pw: "x", admit: true, want: CodeValidation},
		{name: "empty password", email: email, pw: "", admit: true, want: CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st := newTestService()
			pw := &fakePasswords{}
			svc.IdentityService.Passwords = pw
			if tt.login != nil {
				st.logins[tt.login.Email] = *tt.login
			}
			st.admit, st.admitGuard = tt.admit, tt.guard
			got, err := svc.SignIn(context.Background(), tt.email, tt.pw)
			if c := codeOf(err); c != tt.want {
				t.Fatalf("code = %q (%v), want %q", c, err, tt.want)
			}
			var e *Error
			if errors.As(err, &e) && e.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %d, want %d", e.RetryAfter, tt.wantRetry)
			}
			if !slices.Equal(pw.verified, tt.wantVerify) {
				t.Errorf("Verify saw %q, want %q", pw.verified, tt.wantVerify)
			}
			if !slices.Equal(st.writes, tt.wantWrites) {
				t.Errorf("writes = %v, want %v", st.writes, tt.wantWrites)
			}
			if err == nil && got.Email != email {
				t.Errorf("login = %+v, want %s", got, email)
			}
		})
	}
}

func TestUpdateCompanyRules(t *testing.T) {
	valid := Contact{Name: "Contoso", Email: "info@contoso.example"}
	tests := []struct {
		name    string
		role    CompanyRole
		contact Contact
		version int
		want    Code
	}{
		{"global admin", RoleGlobalAdmin, valid, 3, ""},
		{"user admin", RoleUserAdmin, valid, 3, CodeForbidden},
		{"forbidden wins over stale version", RoleUserAdmin, valid, 1, CodeForbidden},
		{"stale version", RoleGlobalAdmin, valid, 2, CodeVersionConflict},
		{"missing version", RoleGlobalAdmin, valid, 0, CodeValidation},
		{"invalid contact", RoleGlobalAdmin, Contact{Name: "a\r\nb"}, 3, CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(1)
			caller := w.user(1, tt.role, AccessNone)
			got, err := w.svc.UpdateCompany(context.Background(), w.session(caller), tt.contact, tt.version)
			if c := codeOf(err); c != tt.want {
				t.Fatalf("code = %q (%v), want %q", c, err, tt.want)
			}
			if tt.want != "" {
				if len(w.st.writes) != 0 {
					t.Errorf("writes = %v, want none", w.st.writes)
				}
				return
			}
			if got.Version != 4 || w.st.lastPrev != 3 || got.Contact.Name != "Contoso" {
				t.Errorf("got version %d (guard %d) contact %+v, want 4 (guard 3)", got.Version, w.st.lastPrev, got.Contact)
			}
		})
	}
}

func TestOperatorRules(t *testing.T) {
	op := Principal{Kind: PrincipalOperator, ARN: "arn:aws:iam::123456789012:user/op"}
	ctx := context.Background()
	t.Run("user cannot act as operator", func(t *testing.T) {
		svc, _ := newTestService()
		for _, p := range []Principal{{Kind: PrincipalUser, User: User{CompanyRole: RoleGlobalAdmin}}, {Kind: PrincipalOperator}} {
			if _, err := svc.GetPartner(ctx, p, testPartner); codeOf(err) != CodeForbidden {
				t.Errorf("GetPartner as %+v: code = %q, want forbidden", p, codeOf(err))
			}
		}
	})
	t.Run("onboard", func(t *testing.T) {
		svc, st := newTestService()
		in := NewPartner{Contact: Contact{Name: "Contoso", Email: "info@contoso.example"}, Cloud: Cloud21Vianet,
			Authorizations: []string{"service_provider", "delegated_admin", "service_provider"},
			FirstAdmin:     NewUser{Email: "Admin@Contoso.example", DisplayName: "Admin"}}
		p, u, temp, replayed, err := svc.OnboardPartner(ctx, op, in, nil)
		if err != nil || replayed || temp == "" {
			t.Fatalf("err = %v, replayed = %v, temp = %q", err, replayed, temp)
		}
		if !slices.Equal(p.Authorizations, []Authorization{AuthDelegatedAdmin, AuthServiceProvider}) || p.GlobalAdmins != 1 || p.Cloud != Cloud21Vianet {
			t.Errorf("partner = %+v", p)
		}
		if u.CompanyRole != RoleGlobalAdmin || u.CustomerAccess != AccessFull || !u.PasswordChangeRequired || u.Email != "admin@contoso.example" {
			t.Errorf("first admin = %+v, want a global admin with full access and a temporary password", u)
		}
		if !slices.Equal(st.writes, []string{"CreatePartner"}) {
			t.Errorf("writes = %v", st.writes)
		}
	})
	t.Run("onboard validation lists every field", func(t *testing.T) {
		svc, _ := newTestService()
		_, _, _, _, err := svc.OnboardPartner(ctx, op, NewPartner{Cloud: "mars", Authorizations: []string{"x"}}, nil)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeValidation {
			t.Fatalf("err = %v, want validation", err)
		}
		var fields []string
		for _, f := range e.Fields {
			fields = append(fields, f.Field)
		}
		for _, want := range []string{"name", "cloud", "authorizations[0]", "firstAdmin.email", "firstAdmin.displayName"} {
			if !slices.Contains(fields, want) {
				t.Errorf("fields = %v, want %s among them", fields, want)
			}
		}
	})
	t.Run("set authorizations", func(t *testing.T) {
		tests := []struct {
			name    string
			auths   []string
			version int
			want    Code
			writes  int
		}{
			{"change", []string{"subscription_advisor"}, 3, "", 1},
			{"same set, other order: no write", []string{"service_provider", "delegated_admin"}, 3, "", 0},
			{"stale", []string{"subscription_advisor"}, 2, CodeVersionConflict, 0},
			{"nil list", nil, 3, CodeValidation, 0},
			{"empty list removes all", []string{}, 3, "", 1},
			{"bad value", []string{"x"}, 3, CodeValidation, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				svc, st := newTestService()
				st.partners[testPartner] = Partner{ID: testPartner, Version: 3, Authorizations: []Authorization{AuthDelegatedAdmin, AuthServiceProvider}}
				_, err := svc.SetAuthorizations(ctx, op, testPartner, tt.auths, tt.version)
				if c := codeOf(err); c != tt.want {
					t.Fatalf("code = %q (%v), want %q", c, err, tt.want)
				}
				if len(st.writes) != tt.writes {
					t.Errorf("writes = %v, want %d", st.writes, tt.writes)
				}
			})
		}
	})
}
