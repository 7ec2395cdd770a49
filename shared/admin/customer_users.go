package admin

import (
	"context"
	"math"
	"time"
)

// CustomerRole is a customer user's role as the API names it: the customer's admins manage its
// users and use self-service; users only sign in and change their password.
type CustomerRole string

const (
	CustomerRoleAdmin CustomerRole = "admin" // stored as CompanyRole global_admin, like the sign-up's admin
	CustomerRoleUser  CustomerRole = "user"  // stored as CompanyRole none
)

// Valid reports whether r is a known customer role.
func (r CustomerRole) Valid() bool { return r == CustomerRoleAdmin || r == CustomerRoleUser }

func (r CustomerRole) companyRole() CompanyRole {
	if r == CustomerRoleAdmin {
		return RoleGlobalAdmin
	}
	return RoleNone
}

// CustomerRoleOf returns a customer user's role.
func CustomerRoleOf(u User) CustomerRole {
	if u.CompanyRole == RoleGlobalAdmin {
		return CustomerRoleAdmin
	}
	return CustomerRoleUser
}

// Password resets of a customer user are limited to MaxPasswordResets per PasswordResetWindow
// (a sliding window), whoever resets.
const (
	MaxPasswordResets   = 5
	PasswordResetWindow = time.Hour
)

// PasswordResets is the recent reset history of one customer user: the times of its last resets
// within the window, oldest first. Version guards its update (0: none stored).
type PasswordResets struct {
	Times   []time.Time
	Version int
}

// admit returns the history with a reset at now added, or how long the next reset must wait.
func (r PasswordResets) admit(now time.Time) (PasswordResets, time.Duration, bool) {
	var recent []time.Time
	for _, t := range r.Times {
		if now.Sub(t) < PasswordResetWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= MaxPasswordResets {
		return r, recent[len(recent)-MaxPasswordResets].Add(PasswordResetWindow).Sub(now), false
	}
	return PasswordResets{Times: append(recent, now), Version: r.Version + 1}, 0, true
}

// CustomerUserWrite creates a customer user: the user, its login (the email must be new), the
// customer's admin count when the user is an admin, the activity entries and the idempotency
// record, in one transaction. Inside is the relationship as Enter read it when a partner user
// acts inside the customer (its version is a condition of the write); nil for the customer's own
// admins.
type CustomerUserWrite struct {
	User        User
	Login       Login
	Inside      *Relationship
	Activities  []Activity
	Idempotency *Idempotency
}

// PasswordResetWrite is one password reset, in one transaction: the user (guarded by
// PrevVersion) with its raised session epoch and the temporary password's restriction, the
// login's new hash, the reset history (guarded by its previous version), the relationship's
// condition, both activity entries and the optional email.
type PasswordResetWrite struct {
	User         User
	PrevVersion  int
	PasswordHash string
	Resets       PasswordResets
	Inside       Relationship
	Activities   []Activity
	Email        *Email
}

// CustomerUserStore is what the users of a customer organization need from storage.
type CustomerUserStore interface {
	// CustomerUsers lists a customer's users in id order. Errors: CodeInvalidCursor.
	CustomerUsers(ctx context.Context, customerID string, page PageRequest) (Page[User], error)
	// CustomerUserOf reads one user of a customer (CodeNotFound).
	CustomerUserOf(ctx context.Context, customerID, userID string) (User, error)
	// ResetTarget reads in one round trip what CustomerOfPartner reads (and answers like it), the
	// customer user (found false when there is none) and the user's reset history.
	ResetTarget(ctx context.Context, partnerID, customerID, userID string) (Customer, Relationship, User, bool, PasswordResets, error)
	// CreateCustomerUser writes w (CodeEmailTaken; *IdempotencyConflict; CodeConcurrentRequest
	// when the relationship changed).
	CreateCustomerUser(ctx context.Context, w CustomerUserWrite) error
	// UpdateCustomerUser writes u (prevVersion guards it) with its activity entry; adminDelta
	// (-1, 0, +1) moves the customer's admin count, never below one (CodeLastGlobalAdmin).
	UpdateCustomerUser(ctx context.Context, u User, prevVersion, adminDelta int, a Activity) error
	// DeleteCustomerUser removes the user and its login, moving the admin count likewise.
	DeleteCustomerUser(ctx context.Context, u User, adminDelta int, a Activity) error
	// ResetCustomerPassword writes w (CodeVersionConflict when the user changed meanwhile,
	// CodeConcurrentRequest when the history or the relationship did).
	ResetCustomerPassword(ctx context.Context, w PasswordResetWrite) error
	// Activity lists an organization's activity log, newest first, within [From, To).
	Activity(ctx context.Context, orgID string, q ActivityQuery) (Page[Activity], error)
}

// CustomerUserService is the context of a customer organization's users: the partner adding
// users and resetting passwords inside a customer (under its delegated administration, through
// CustomerService.Enter), and the customer's own admins managing their users and reading their
// activity log (self-service).
type CustomerUserService struct {
	Env
	Customers *CustomerService
	Store     CustomerUserStore
	Passwords Passwords
}

// NewCustomerUser is the input of creating a customer user.
type NewCustomerUser struct {
	Email       string
	DisplayName string
	Role        CustomerRole
}

func (n NewCustomerUser) validate() (NewCustomerUser, error) {
	var p Problems
	n.Email = NormalizeEmail(&p, "email", n.Email)
	n.DisplayName = text(&p, "displayName", n.DisplayName, 1, 100)
	if !n.Role.Valid() {
		p.Add("role", "enum", "must be one of admin, user")
	}
	return n, p.Err()
}

func customerUserFields(u User) map[string]any {
	return map[string]any{"email": u.Email, "displayName": u.DisplayName, "role": string(CustomerRoleOf(u))}
}

// newCustomerUser builds a user of c with a temporary password, its login, and the hash.
func (s *CustomerUserService) newCustomerUser(c Customer, in NewCustomerUser) (User, Login, string, error) {
	now := s.Now()
	u := User{ID: s.NewID("usr"), OrgID: c.ID, OrgKind: OrgCustomer, Email: in.Email, DisplayName: in.DisplayName,
		CompanyRole: in.Role.companyRole(), CustomerAccess: AccessNone, Status: UserActive,
		PasswordChangeRequired: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	temp, hash, err := temporaryPassword(s.Passwords)
	if err != nil {
		return User{}, Login{}, "", err
	}
	l := Login{Email: u.Email, UserID: u.ID, OrgID: c.ID, OrgKind: OrgCustomer, PasswordHash: hash, PasswordChangeRequired: true,
		Cloud: c.Cloud, OrgName: c.Name, OrgDomain: c.DomainPrefix}
	return u, l, temp, nil
}

// create writes a new customer user; a replay of the same Idempotency-Key answers the user it
// created first, without the temporary password.
func (s *CustomerUserService) create(ctx context.Context, w CustomerUserWrite, temp string) (User, string, bool, error) {
	if w.Idempotency != nil {
		w.Idempotency.ResourceID = w.User.ID
	}
	err := s.Store.CreateCustomerUser(ctx, w)
	if replay, ok := asReplay(err, w.Idempotency); ok {
		u, err := s.Store.CustomerUserOf(ctx, w.User.OrgID, replay.ResourceID)
		return u, "", true, err
	}
	if err != nil {
		return User{}, "", false, err
	}
	return w.User, temp, false, nil
}

// Users lists a customer's users for a partner user. Errors: those of Enter, CodeInvalidCursor.
func (s *CustomerUserService) Users(ctx context.Context, c Caller, customerID string, page PageRequest) (Page[User], error) {
	return readInside(ctx, s.Customers, c, customerID, RightReadCustomer, func(ctx context.Context) (Page[User], error) {
		return s.Store.CustomerUsers(ctx, customerID, page)
	})
}

// CreateUser adds a user to a customer on behalf of the partner (full access), with a temporary
// password shown once that must be changed at the first sign-in. Errors: those of Enter,
// CodeValidation, CodeEmailTaken, CodeIdempotencyKeyReused, CodeConcurrentRequest.
func (s *CustomerUserService) CreateUser(ctx context.Context, c Caller, customerID string, in NewCustomerUser, idem *Idempotency) (User, string, bool, error) {
	scope, err := s.Customers.enterVia(ctx, c, customerID, RightManageCustomerUsers, s.Customers.Store.CustomerOfPartner, func() (err error) {
		in, err = in.validate()
		return err
	})
	if err != nil {
		return User{}, "", false, err
	}
	u, login, temp, err := s.newCustomerUser(scope.Customer, in)
	if err != nil {
		return User{}, "", false, err
	}
	acts := s.Customers.activities(scope, "customer_user.created", Target{"user", u.ID}, nil, customerUserFields(u))
	rel := scope.Relationship
	return s.create(ctx, CustomerUserWrite{User: u, Login: login, Inside: &rel, Activities: acts, Idempotency: idem}, temp)
}

// ResetPassword gives a customer user a new temporary password, shown once to the partner user
// (and, with sendTo, emailed to that address); the user must change it at the next sign-in and
// every session of the user ends at once. Limited access resets users who are not admins only.
// Errors: those of Enter, CodeValidation (sendTo), CodeNotFound, CodeForbiddenForAdmins,
// CodePasswordResetThrottled, CodeVersionConflict, CodeConcurrentRequest.
func (s *CustomerUserService) ResetPassword(ctx context.Context, c Caller, customerID, userID, sendTo string) (User, string, error) {
	checkSendTo := func() error {
		if sendTo == "" {
			return nil
		}
		var p Problems
		sendTo = NormalizeEmail(&p, "sendTo", sendTo)
		return p.Err()
	}
	// The customer, the relationship, the user and its reset history: one round trip, alongside
	// the caller's authentication.
	var (
		before User
		found  bool
		resets PasswordResets
	)
	scope, err := s.Customers.enterVia(ctx, c, customerID, RightResetUserPassword,
		func(ctx context.Context, partnerID, customerID string) (Customer, Relationship, error) {
			if !ValidID("usr", userID) {
				return s.Customers.Store.CustomerOfPartner(ctx, partnerID, customerID)
			}
			cust, rel, u, ok, r, err := s.Store.ResetTarget(ctx, partnerID, customerID, userID)
			before, found, resets = u, ok, r
			return cust, rel, err
		}, checkSendTo)
	if err != nil {
		return User{}, "", err
	}
	if !found {
		return User{}, "", NotFound("user")
	}
	if CustomerRoleOf(before) == CustomerRoleAdmin && !AccessAllows(scope.Access, RightResetAdminPassword) {
		return User{}, "", Errorf(CodeForbiddenForAdmins, "%s access resets the passwords of this customer's users only, not of its admins", scope.Access)
	}
	now := s.Now()
	next, wait, ok := resets.admit(now)
	if !ok {
		return User{}, "", &Error{Code: CodePasswordResetThrottled, RetryAfter: int(math.Ceil(wait.Seconds())),
			Message: "this user's password was reset 5 times within the last hour; try again later"}
	}
	temp, hash, err := temporaryPassword(s.Passwords)
	if err != nil {
		return User{}, "", err
	}
	after := before
	after.PasswordChangeRequired = true
	after.SessionEpoch++
	after.Version++
	after.UpdatedAt = now
	detail := map[string]any{"passwordChangeRequired": true, "sessionsEnded": true}
	if sendTo != "" {
		detail["emailedTo"] = sendTo
	}
	w := PasswordResetWrite{User: after, PrevVersion: before.Version, PasswordHash: hash, Resets: next, Inside: scope.Relationship,
		Activities: s.Customers.activities(scope, "customer_user.password_reset", Target{"user", after.ID}, nil, detail)}
	if sendTo != "" {
		w.Email = &Email{ID: s.NewID("out"), OrgID: scope.Session.Partner.ID, To: []string{sendTo},
			Message: CustomerPasswordReset{Partner: scope.Session.Partner, Customer: scope.Customer, User: after, Password: temp}}
	}
	if err := s.Store.ResetCustomerPassword(ctx, w); err != nil {
		return User{}, "", err
	}
	return after, temp, nil
}

// TenantUsers lists the customer's users for one of its admins. Errors: CodeInvalidCursor.
func (s *CustomerUserService) TenantUsers(ctx context.Context, cs CustomerSession, page PageRequest) (Page[User], error) {
	return s.Store.CustomerUsers(ctx, cs.Customer.ID, page)
}

func (s *CustomerUserService) tenantActivity(cs CustomerSession, action, userID string, before, after map[string]any) Activity {
	return Activity{ID: s.NewID("act"), OrgID: cs.Customer.ID, At: s.Now(), Actor: Actor{Type: "user", ID: cs.User.ID, Email: cs.User.Email},
		Action: action, Target: Target{"user", userID}, CustomerID: cs.Customer.ID, Before: before, After: after}
}

// TenantCreateUser adds a user to the customer, by one of its admins, with a temporary password
// shown once. Errors: CodeValidation, CodeEmailTaken, CodeIdempotencyKeyReused.
func (s *CustomerUserService) TenantCreateUser(ctx context.Context, cs CustomerSession, in NewCustomerUser, idem *Idempotency) (User, string, bool, error) {
	in, err := in.validate()
	if err != nil {
		return User{}, "", false, err
	}
	u, login, temp, err := s.newCustomerUser(cs.Customer, in)
	if err != nil {
		return User{}, "", false, err
	}
	act := s.tenantActivity(cs, "customer_user.created", u.ID, nil, customerUserFields(u))
	return s.create(ctx, CustomerUserWrite{User: u, Login: login, Activities: []Activity{act}, Idempotency: idem}, temp)
}

// CustomerUserPatch is the input of TenantUpdateUser: nil fields stay as they are.
type CustomerUserPatch struct {
	DisplayName *string
	Role        *CustomerRole
	Version     int
}

func lastCustomerAdmin() *Error {
	return Errorf(CodeLastGlobalAdmin, "the organization must keep at least one admin; make another user admin first")
}

// TenantUpdateUser renames a customer user or changes its role, version-guarded; the last admin
// cannot be demoted. Errors: CodeValidation, CodeNotFound, CodeVersionConflict, CodeLastGlobalAdmin.
func (s *CustomerUserService) TenantUpdateUser(ctx context.Context, cs CustomerSession, id string, in CustomerUserPatch) (User, error) {
	var p Problems
	if in.DisplayName != nil {
		name := text(&p, "displayName", *in.DisplayName, 1, 100)
		in.DisplayName = &name
	}
	if in.Role != nil && !in.Role.Valid() {
		p.Add("role", "enum", "must be one of admin, user")
	}
	checkVersion(&p, in.Version)
	if err := p.Err(); err != nil {
		return User{}, err
	}
	if !ValidID("usr", id) {
		return User{}, NotFound("user")
	}
	before := cs.User
	if id != cs.User.ID {
		var err error
		if before, err = s.Store.CustomerUserOf(ctx, cs.Customer.ID, id); err != nil {
			return User{}, err
		}
	}
	if in.Version != before.Version {
		return User{}, versionConflict(before.Version)
	}
	after := before
	if in.DisplayName != nil {
		after.DisplayName = *in.DisplayName
	}
	if in.Role != nil {
		after.CompanyRole = in.Role.companyRole()
	}
	delta := adminDelta(before.CompanyRole, after.CompanyRole)
	if delta < 0 && cs.Customer.AdminCount() <= 1 {
		return User{}, lastCustomerAdmin()
	}
	if after == before {
		return before, nil // nothing changes: no write, no log entry
	}
	after.Version++
	after.UpdatedAt = s.Now()
	bf, af := diffFields(customerUserFields(before), customerUserFields(after))
	if err := s.Store.UpdateCustomerUser(ctx, after, in.Version, delta, s.tenantActivity(cs, "customer_user.updated", id, bf, af)); err != nil {
		return User{}, err
	}
	return after, nil
}

// TenantDeleteUser removes a customer user and its sign-in; the last admin cannot be removed.
// Errors: CodeNotFound, CodeLastGlobalAdmin.
func (s *CustomerUserService) TenantDeleteUser(ctx context.Context, cs CustomerSession, id string) error {
	if !ValidID("usr", id) {
		return NotFound("user")
	}
	u := cs.User
	if id != cs.User.ID {
		var err error
		if u, err = s.Store.CustomerUserOf(ctx, cs.Customer.ID, id); err != nil {
			return err
		}
	}
	delta := adminDelta(u.CompanyRole, RoleNone)
	if delta < 0 && cs.Customer.AdminCount() <= 1 {
		return lastCustomerAdmin()
	}
	return s.Store.DeleteCustomerUser(ctx, u, delta, s.tenantActivity(cs, "customer_user.deleted", id, customerUserFields(u), nil))
}

// TenantActivity returns the customer's activity log, newest first, within [From, To): its own
// admins' actions and what partners did inside it (those entries name the partner).
func (s *CustomerUserService) TenantActivity(ctx context.Context, cs CustomerSession, q ActivityQuery) (Page[Activity], error) {
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Page[Activity]{}, FieldErr("from", "range", "must be before to")
	}
	return s.Store.Activity(ctx, cs.Customer.ID, q)
}
