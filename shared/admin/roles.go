package admin

import "slices"

// CompanyRole is a partner user's admin role in the partner's own company.
type CompanyRole string

const (
	RoleNone          CompanyRole = "none"
	RoleGlobalAdmin   CompanyRole = "global_admin"
	RoleUserAdmin     CompanyRole = "user_admin"
	RoleBillingAdmin  CompanyRole = "billing_admin"
	RolePasswordAdmin CompanyRole = "password_admin"
	RoleServiceAdmin  CompanyRole = "service_admin"
)

// CompanyRoles lists every company role.
var CompanyRoles = []CompanyRole{RoleNone, RoleGlobalAdmin, RoleUserAdmin, RoleBillingAdmin, RolePasswordAdmin, RoleServiceAdmin}

// Valid reports whether r is a known company role.
func (r CompanyRole) Valid() bool { return slices.Contains(CompanyRoles, r) }

// CustomerAccess is a partner user's admin access to the customers the partner supports.
type CustomerAccess string

const (
	AccessNone    CustomerAccess = "none"
	AccessFull    CustomerAccess = "full"    // global admin rights in a customer that accepted delegated admin
	AccessLimited CustomerAccess = "limited" // password admin rights there
)

// CustomerAccesses lists every customer access level.
var CustomerAccesses = []CustomerAccess{AccessNone, AccessFull, AccessLimited}

// Valid reports whether a is a known customer access level.
func (a CustomerAccess) Valid() bool { return slices.Contains(CustomerAccesses, a) }

// rank orders customer access: full ⊇ limited ⊇ none.
func (a CustomerAccess) rank() int {
	switch a {
	case AccessFull:
		return 2
	case AccessLimited:
		return 1
	}
	return 0
}

// Action is something a caller may be allowed to do.
type Action string

const (
	ActReadOverview   Action = "overview.read"
	ActReadCompany    Action = "company.read"
	ActUpdateCompany  Action = "company.update"
	ActReadUsers      Action = "users.read"
	ActManageUsers    Action = "users.manage"
	ActReadActivity   Action = "activity.read"
	ActResetPasswords Action = "passwords.reset" // own company's non-admin users (later issue)
	ActManageBilling  Action = "billing.manage"  // later issue
	ActManageService  Action = "service.manage"  // later issue
	ActManageWebhooks Action = "webhooks.manage" // register, test and delete webhook endpoints, read their delivery log
)

// companyPermissions is the one table of who may do what in the partner's own company. A role's
// set also defines "raising rights": a change that gives a user an action they lacked.
var companyPermissions = map[CompanyRole][]Action{
	RoleNone:          {ActReadOverview, ActReadCompany},
	RoleGlobalAdmin:   {ActReadOverview, ActReadCompany, ActUpdateCompany, ActReadUsers, ActManageUsers, ActReadActivity, ActResetPasswords, ActManageBilling, ActManageService, ActManageWebhooks},
	RoleUserAdmin:     {ActReadOverview, ActReadCompany, ActReadUsers, ActManageUsers, ActReadActivity, ActResetPasswords},
	RoleBillingAdmin:  {ActReadOverview, ActReadCompany, ActReadUsers, ActManageBilling},
	RolePasswordAdmin: {ActReadOverview, ActReadCompany, ActReadUsers, ActResetPasswords},
	RoleServiceAdmin:  {ActReadOverview, ActReadCompany, ActReadUsers, ActManageService},
}

// RoleAllows reports whether a company role allows an action.
func RoleAllows(r CompanyRole, a Action) bool { return slices.Contains(companyPermissions[r], a) }

// RolesAllowing lists the roles that allow an action (for error messages and docs).
func RolesAllowing(a Action) []CompanyRole {
	var out []CompanyRole
	for _, r := range CompanyRoles {
		if RoleAllows(r, a) {
			out = append(out, r)
		}
	}
	return out
}

// roleCovers reports whether holder's permissions include all of r's.
func roleCovers(holder, r CompanyRole) bool {
	for _, a := range companyPermissions[r] {
		if !RoleAllows(holder, a) {
			return false
		}
	}
	return true
}
