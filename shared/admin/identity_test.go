package admin

import (
	"context"
	"testing"
)

func TestAuthenticateCustomer(t *testing.T) {
	svc, st := newTestService()
	c := Customer{ID: testCustomer, Name: "Fabrikam"}
	st.customers[c.ID] = c
	admin := User{ID: uid(60), OrgID: c.ID, OrgKind: OrgCustomer, CompanyRole: RoleGlobalAdmin, Status: UserActive, SessionEpoch: 2}
	plain := User{ID: uid(61), OrgID: c.ID, OrgKind: OrgCustomer, CompanyRole: RoleNone, Status: UserActive}
	st.put(admin)
	st.put(plain)
	adminSes, plainSes := st.session(admin), st.session(plain)
	tests := []struct {
		name        string
		org, user   string
		epoch       int
		session     string
		want        Code
		wantSession bool
	}{
		{"the admin", c.ID, admin.ID, 2, adminSes, "", true},
		{"an earlier session epoch", c.ID, admin.ID, 1, adminSes, CodeUnauthenticated, false},
		{"another user's session", c.ID, admin.ID, 2, plainSes, CodeUnauthenticated, false},
		{"not an admin", c.ID, plain.ID, 0, plainSes, CodeForbidden, false},
		{"unknown user", c.ID, uid(62), 0, adminSes, CodeUnauthenticated, false},
		{"a partner id", testPartner, admin.ID, 2, adminSes, CodeUnauthenticated, false},
		{"malformed user id", c.ID, "usr_x", 2, adminSes, CodeUnauthenticated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := svc.AuthenticateCustomer(context.Background(), Token{OrgID: tt.org, UserID: tt.user, Epoch: tt.epoch, SessionID: tt.session})
			if codeOf(err) != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.wantSession && (cs.User.ID != admin.ID || cs.Customer.Name != "Fabrikam") {
				t.Errorf("session = %+v", cs)
			}
		})
	}
}
