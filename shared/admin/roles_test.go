package admin

import (
	"fmt"
	"slices"
	"testing"
)

var allActions = []Action{ActReadOverview, ActReadCompany, ActUpdateCompany, ActReadUsers, ActManageUsers,
	ActReadActivity, ActResetPasswords, ActManageBilling, ActManageService, ActManageWebhooks}

// wantPermissions restates the company roles' rules: every partner user reads the overview and the
// company; only a global admin edits the company; global and user admins manage users.
var wantPermissions = map[CompanyRole][]Action{
	RoleNone:          {ActReadOverview, ActReadCompany},
	RoleGlobalAdmin:   allActions,
	RoleUserAdmin:     {ActReadOverview, ActReadCompany, ActReadUsers, ActManageUsers, ActReadActivity, ActResetPasswords},
	RoleBillingAdmin:  {ActReadOverview, ActReadCompany, ActReadUsers, ActManageBilling},
	RolePasswordAdmin: {ActReadOverview, ActReadCompany, ActReadUsers, ActResetPasswords},
	RoleServiceAdmin:  {ActReadOverview, ActReadCompany, ActReadUsers, ActManageService},
}

func TestRoleAllows(t *testing.T) {
	roles := append(slices.Clone(CompanyRoles), CompanyRole(""), CompanyRole("owner"))
	for _, r := range roles {
		for _, a := range append(slices.Clone(allActions), Action("nuke.everything")) {
			t.Run(fmt.Sprintf("%s/%s", r, a), func(t *testing.T) {
				want := slices.Contains(wantPermissions[r], a)
				if got := RoleAllows(r, a); got != want {
					t.Errorf("RoleAllows(%q, %q) = %v, want %v", r, a, got, want)
				}
			})
		}
	}
}

func TestOnlyGlobalAdminUpdatesCompanyAndAdminsManageUsers(t *testing.T) {
	tests := []struct {
		a    Action
		want []CompanyRole
	}{
		{ActUpdateCompany, []CompanyRole{RoleGlobalAdmin}},
		{ActManageUsers, []CompanyRole{RoleGlobalAdmin, RoleUserAdmin}},
		{ActReadCompany, CompanyRoles},
		{ActReadOverview, CompanyRoles},
		{ActManageBilling, []CompanyRole{RoleGlobalAdmin, RoleBillingAdmin}},
		{ActManageWebhooks, []CompanyRole{RoleGlobalAdmin}},
		{Action("nope"), nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.a), func(t *testing.T) {
			if got := RolesAllowing(tt.a); !slices.Equal(got, tt.want) {
				t.Errorf("RolesAllowing(%s) = %v, want %v", tt.a, got, tt.want)
			}
		})
	}
}

func TestRoleCovers(t *testing.T) {
	// holder covers r iff every action of r is an action of holder.
	covers := func(holder, r CompanyRole) bool {
		for _, a := range wantPermissions[r] {
			if !slices.Contains(wantPermissions[holder], a) {
				return false
			}
		}
		return true
	}
	explicit := []struct {
		holder, r CompanyRole
		want      bool
	}{
		{RoleGlobalAdmin, RoleGlobalAdmin, true},
		{RoleGlobalAdmin, RoleBillingAdmin, true},
		{RoleUserAdmin, RolePasswordAdmin, true},
		{RoleUserAdmin, RoleNone, true},
		{RoleUserAdmin, RoleBillingAdmin, false},
		{RoleUserAdmin, RoleServiceAdmin, false},
		{RoleUserAdmin, RoleGlobalAdmin, false},
		{RolePasswordAdmin, RoleUserAdmin, false},
		{RoleBillingAdmin, RoleServiceAdmin, false},
		{RoleNone, RolePasswordAdmin, false},
		{RoleNone, RoleNone, true},
	}
	for _, tt := range explicit {
		t.Run(fmt.Sprintf("explicit/%s covers %s", tt.holder, tt.r), func(t *testing.T) {
			if got := roleCovers(tt.holder, tt.r); got != tt.want {
				t.Errorf("roleCovers = %v, want %v", got, tt.want)
			}
		})
	}
	for _, h := range CompanyRoles {
		for _, r := range CompanyRoles {
			t.Run(fmt.Sprintf("all/%s covers %s", h, r), func(t *testing.T) {
				if got, want := roleCovers(h, r), covers(h, r); got != want {
					t.Errorf("roleCovers = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestCustomerAccessRank(t *testing.T) {
	if !(AccessFull.rank() > AccessLimited.rank() && AccessLimited.rank() > AccessNone.rank()) {
		t.Errorf("ranks full=%d limited=%d none=%d, want full > limited > none", AccessFull.rank(), AccessLimited.rank(), AccessNone.rank())
	}
	if got := CustomerAccess("bogus").rank(); got != AccessNone.rank() {
		t.Errorf("rank(bogus) = %d, want %d (none)", got, AccessNone.rank())
	}
}
