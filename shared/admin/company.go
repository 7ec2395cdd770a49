package admin

import "context"

// CompanyStore is what the partner's company and users need from storage. Every write is one
// transaction with its activity entry (and the idempotency record, when given).
type CompanyStore interface {
	User(ctx context.Context, partnerID, userID string) (User, error)
	Users(ctx context.Context, partnerID string, page PageRequest) (Page[User], error)
	Activity(ctx context.Context, partnerID string, q ActivityQuery) (Page[Activity], error)
	// UpdatePartner writes p, guarded by prevVersion (CodeVersionConflict, CodeNotFound).
	UpdatePartner(ctx context.Context, p Partner, prevVersion int, a Activity) error
	// CreateUser writes the user and its login (CodeEmailTaken; *IdempotencyConflict).
	CreateUser(ctx context.Context, u User, login Login, a Activity, idem *Idempotency) error
	// UpdateUser writes u (prevVersion guards it); globalAdminDelta (-1, 0, +1) moves the partner's
	// global-admin count, never below one (CodeLastGlobalAdmin).
	UpdateUser(ctx context.Context, u User, prevVersion int, globalAdminDelta int, a Activity) error
	// DeleteUser removes the user and its login, moving the global-admin count likewise.
	DeleteUser(ctx context.Context, u User, globalAdminDelta int, a Activity) error
	// SetPassword writes the user (guarded by prevVersion), its login's new hash and the activity
	// entry in one transaction (the session is for IdentityStore's use: nil here).
	SetPassword(ctx context.Context, u User, prevVersion int, passwordHash string, a Activity, next *UserSession) error
}

// CompanyService is the context of the partner's own company: its overview and profile, its
// users and their roles, and its activity log. Nothing here touches a customer.
type CompanyService struct {
	Env
	Store     CompanyStore
	Passwords Passwords
}

// Overview is the partner's start page: its profile, feature states and customer view.
type Overview struct {
	Partner  Partner
	Features []FeatureState
	View     CustomerView
}

// Overview returns the overview of the caller's partner.
func (s *CompanyService) Overview(sess Session) (Overview, error) {
	if err := sess.Require(ActReadOverview); err != nil {
		return Overview{}, err
	}
	p := sess.Partner
	return Overview{Partner: p, Features: Features(p.Cloud, p.Authorizations), View: ViewFor(p.CustomerCount)}, nil
}

// Company returns the caller's company information. Every partner user may read it.
func (s *CompanyService) Company(sess Session) (Partner, error) {
	if err := sess.Require(ActReadCompany); err != nil {
		return Partner{}, err
	}
	return sess.Partner, nil
}

// UpdateCompany replaces the company information; global admins only; version-guarded.
// Errors: CodeForbidden, CodeValidation, CodeVersionConflict.
func (s *CompanyService) UpdateCompany(ctx context.Context, sess Session, c Contact, version int) (Partner, error) {
	if err := sess.Require(ActUpdateCompany); err != nil {
		return Partner{}, err
	}
	var p Problems
	c = c.Validate(&p, "")
	checkVersion(&p, version)
	if err := p.Err(); err != nil {
		return Partner{}, err
	}
	before := sess.Partner
	if version != before.Version {
		return Partner{}, versionConflict(before.Version)
	}
	after := before
	after.Contact = c
	after.Version++
	after.UpdatedAt = s.Now()
	act := s.activity(sess.Principal, before.ID, "company.updated", Target{"partner", before.ID}, contactFields(before.Contact), contactFields(c))
	if err := s.Store.UpdatePartner(ctx, after, version, act); err != nil {
		return Partner{}, err
	}
	return after, nil
}

// ListUsers lists the partner's users, paged.
func (s *CompanyService) ListUsers(ctx context.Context, sess Session, page PageRequest) (Page[User], error) {
	if err := sess.Require(ActReadUsers); err != nil {
		return Page[User]{}, err
	}
	return s.Store.Users(ctx, sess.Partner.ID, page)
}

// GetUser returns one of the partner's users. A user may always read themself.
func (s *CompanyService) GetUser(ctx context.Context, sess Session, id string) (User, error) {
	if id != sess.Principal.User.ID {
		if err := sess.Require(ActReadUsers); err != nil {
			return User{}, err
		}
	}
	if !ValidID("usr", id) {
		return User{}, NotFound("user")
	}
	if id == sess.Principal.User.ID {
		return sess.Principal.User, nil
	}
	return s.Store.User(ctx, sess.Partner.ID, id)
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Email          string
	DisplayName    string
	CompanyRole    CompanyRole
	CustomerAccess CustomerAccess
}

func (n NewUser) validate() (NewUser, error) {
	var p Problems
	n.Email = NormalizeEmail(&p, "email", n.Email)
	n.DisplayName = text(&p, "displayName", n.DisplayName, 1, 100)
	if !n.CompanyRole.Valid() {
		p.Add("companyRole", "enum", "must be one of none, global_admin, user_admin, billing_admin, password_admin, service_admin")
	}
	if !n.CustomerAccess.Valid() {
		p.Add("customerAccess", "enum", "must be one of none, full, limited")
	}
	return n, p.Err()
}

// mayGrant enforces the granting rules: only a global admin grants global admin, and nobody grants
// rights they do not hold themself (a user admin cannot create a user with full customer access
// unless they have it).
func mayGrant(granter User, role CompanyRole, access CustomerAccess) error {
	if role == RoleGlobalAdmin && granter.CompanyRole != RoleGlobalAdmin {
		return errForbidden("only a global admin can grant the global admin role")
	}
	if !roleCovers(granter.CompanyRole, role) {
		return errForbidden("you cannot grant the " + string(role) + " role: it has rights you do not hold")
	}
	if access.rank() > granter.CustomerAccess.rank() && granter.CompanyRole != RoleGlobalAdmin {
		return errForbidden("you cannot grant " + string(access) + " customer access: it exceeds your own")
	}
	return nil
}

// CreateUser adds a user with a temporary password that must be changed at first sign-in.
// Errors: CodeForbidden, CodeValidation, CodeEmailTaken, CodeIdempotencyKeyReused.
func (s *CompanyService) CreateUser(ctx context.Context, sess Session, in NewUser, idem *Idempotency) (u User, tempPassword string, replayed bool, err error) {
	if err := sess.Require(ActManageUsers); err != nil {
		return User{}, "", false, err
	}
	if in, err = in.validate(); err != nil {
		return User{}, "", false, err
	}
	if err := mayGrant(sess.Principal.User, in.CompanyRole, in.CustomerAccess); err != nil {
		return User{}, "", false, err
	}
	now := s.Now()
	u = User{
		ID: s.NewID("usr"), OrgID: sess.Partner.ID, OrgKind: OrgPartner, Email: in.Email, DisplayName: in.DisplayName,
		CompanyRole: in.CompanyRole, CustomerAccess: in.CustomerAccess, Status: UserActive,
		PasswordChangeRequired: true, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	tempPassword, hash, err := temporaryPassword(s.Passwords)
	if err != nil {
		return User{}, "", false, err
	}
	login := Login{Email: u.Email, UserID: u.ID, OrgID: u.OrgID, OrgKind: OrgPartner, PasswordHash: hash, PasswordChangeRequired: true}
	act := s.activity(sess.Principal, sess.Partner.ID, "user.created", Target{"user", u.ID}, nil, userFields(u))
	if idem != nil {
		idem.ResourceID = u.ID
	}
	err = s.Store.CreateUser(ctx, u, login, act, idem)
	if replay, ok := asReplay(err, idem); ok {
		u, err := s.Store.User(ctx, sess.Partner.ID, replay.ResourceID)
		return u, "", true, err
	}
	if err != nil {
		return User{}, "", false, err
	}
	return u, tempPassword, false, nil
}

// UserPatch is the input of UpdateUser: nil fields stay as they are.
type UserPatch struct {
	DisplayName    *string
	CompanyRole    *CompanyRole
	CustomerAccess *CustomerAccess
	Version        int
}

// UpdateUser changes a user's name, company role or customer access, under these rules:
// global and user admins manage users; only a global admin grants or changes global admin; user
// admins cannot touch global admins; the last global admin cannot be demoted; nobody raises their
// own rights. Errors: CodeForbidden, CodeNotFound, CodeValidation, CodeVersionConflict,
// CodeLastGlobalAdmin.
func (s *CompanyService) UpdateUser(ctx context.Context, sess Session, id string, in UserPatch) (User, error) {
	caller := sess.Principal.User
	self := id == caller.ID
	if !self {
		if err := sess.Require(ActManageUsers); err != nil {
			return User{}, err
		}
	} else if err := sess.Require(ActReadOverview); err != nil {
		return User{}, err // temporary password: change it first
	}
	var p Problems
	if in.DisplayName != nil {
		name := text(&p, "displayName", *in.DisplayName, 1, 100)
		in.DisplayName = &name
	}
	if in.CompanyRole != nil && !in.CompanyRole.Valid() {
		p.Add("companyRole", "enum", "must be one of none, global_admin, user_admin, billing_admin, password_admin, service_admin")
	}
	if in.CustomerAccess != nil && !in.CustomerAccess.Valid() {
		p.Add("customerAccess", "enum", "must be one of none, full, limited")
	}
	checkVersion(&p, in.Version)
	if err := p.Err(); err != nil {
		return User{}, err
	}
	if !ValidID("usr", id) {
		return User{}, NotFound("user")
	}
	before := caller
	if !self {
		var err error
		if before, err = s.Store.User(ctx, sess.Partner.ID, id); err != nil {
			return User{}, err
		}
	}
	after := before
	if in.DisplayName != nil {
		after.DisplayName = *in.DisplayName
	}
	if in.CompanyRole != nil {
		after.CompanyRole = *in.CompanyRole
	}
	if in.CustomerAccess != nil {
		after.CustomerAccess = *in.CustomerAccess
	}
	rightsChanged := after.CompanyRole != before.CompanyRole || after.CustomerAccess != before.CustomerAccess
	switch {
	case self && rightsChanged:
		// Only lowering: the new role's rights must be a subset of the old, likewise access.
		if !roleCovers(before.CompanyRole, after.CompanyRole) || after.CustomerAccess.rank() > before.CustomerAccess.rank() {
			return User{}, errForbidden("you cannot raise your own rights")
		}
	case !self && before.CompanyRole == RoleGlobalAdmin && caller.CompanyRole != RoleGlobalAdmin:
		return User{}, errForbidden("only a global admin can change a global admin")
	case !self && rightsChanged:
		if err := mayGrant(caller, after.CompanyRole, after.CustomerAccess); err != nil {
			return User{}, err
		}
	}
	// Permission rules first: a caller who may not make the change learns nothing of the version.
	if in.Version != before.Version {
		return User{}, versionConflict(before.Version)
	}
	delta := adminDelta(before.CompanyRole, after.CompanyRole)
	if delta < 0 && sess.Partner.GlobalAdmins <= 1 {
		return User{}, lastGlobalAdmin()
	}
	if after == before {
		return before, nil // nothing changes: no write, no log entry
	}
	after.Version++
	after.UpdatedAt = s.Now()
	bf, af := diffFields(userFields(before), userFields(after))
	act := s.activity(sess.Principal, sess.Partner.ID, "user.updated", Target{"user", id}, bf, af)
	if err := s.Store.UpdateUser(ctx, after, in.Version, delta, act); err != nil {
		return User{}, err
	}
	return after, nil
}

func adminDelta(before, after CompanyRole) int {
	switch {
	case before == RoleGlobalAdmin && after != RoleGlobalAdmin:
		return -1
	case before != RoleGlobalAdmin && after == RoleGlobalAdmin:
		return 1
	}
	return 0
}

func lastGlobalAdmin() *Error {
	return Errorf(CodeLastGlobalAdmin, "the partner must keep at least one global admin; make another user global admin first")
}

// DeleteUser removes a user and their sign-in. Errors: CodeForbidden, CodeNotFound,
// CodeLastGlobalAdmin.
func (s *CompanyService) DeleteUser(ctx context.Context, sess Session, id string) error {
	if err := sess.Require(ActManageUsers); err != nil {
		return err
	}
	if !ValidID("usr", id) {
		return NotFound("user")
	}
	caller := sess.Principal.User
	u := caller
	if id != caller.ID {
		var err error
		if u, err = s.Store.User(ctx, sess.Partner.ID, id); err != nil {
			return err
		}
	}
	if u.CompanyRole == RoleGlobalAdmin && caller.CompanyRole != RoleGlobalAdmin {
		return errForbidden("only a global admin can remove a global admin")
	}
	delta := adminDelta(u.CompanyRole, RoleNone)
	if delta < 0 && sess.Partner.GlobalAdmins <= 1 {
		return lastGlobalAdmin()
	}
	act := s.activity(sess.Principal, sess.Partner.ID, "user.deleted", Target{"user", id}, userFields(u), nil)
	return s.Store.DeleteUser(ctx, u, delta, act)
}

// ResetUserPassword gives another user of the caller's company a temporary password (shown once
// to the caller) that must be changed at the next sign-in, and ends every session of the user.
// Rank is respected: only a global admin resets a global admin's; a password admin resets only
// users without admin rights (no company role but password admin, no full customer access).
// Errors: CodeForbidden, CodeNotFound, CodeVersionConflict.
func (s *CompanyService) ResetUserPassword(ctx context.Context, sess Session, id string) (User, string, error) {
	if err := sess.Require(ActResetPasswords); err != nil {
		return User{}, "", err
	}
	caller := sess.Principal.User
	if id == caller.ID {
		return User{}, "", errForbidden("change your own password with POST /me/password")
	}
	if !ValidID("usr", id) {
		return User{}, "", NotFound("user")
	}
	u, err := s.Store.User(ctx, sess.Partner.ID, id)
	if err != nil {
		return User{}, "", err
	}
	switch {
	case u.CompanyRole == RoleGlobalAdmin && caller.CompanyRole != RoleGlobalAdmin:
		return User{}, "", errForbidden("only a global admin can reset a global admin's password")
	case caller.CompanyRole == RolePasswordAdmin && (u.CompanyRole != RoleNone && u.CompanyRole != RolePasswordAdmin || u.CustomerAccess == AccessFull):
		return User{}, "", errForbidden("a password admin resets the passwords of users without admin rights only")
	}
	temp, hash, err := temporaryPassword(s.Passwords)
	if err != nil {
		return User{}, "", err
	}
	after := u
	after.PasswordChangeRequired = true
	after.SessionEpoch++
	after.Version++
	after.UpdatedAt = s.Now()
	act := s.activity(sess.Principal, sess.Partner.ID, "user.password_reset", Target{"user", u.ID}, nil,
		map[string]any{"passwordChangeRequired": true, "sessionsEnded": true})
	if err := s.Store.SetPassword(ctx, after, u.Version, hash, act, nil); err != nil {
		return User{}, "", err
	}
	return after, temp, nil
}

// ListActivity returns the partner's activity log, newest first, within [From, To).
func (s *CompanyService) ListActivity(ctx context.Context, sess Session, q ActivityQuery) (Page[Activity], error) {
	if err := sess.Require(ActReadActivity); err != nil {
		return Page[Activity]{}, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Page[Activity]{}, FieldErr("from", "range", "must be before to")
	}
	return s.Store.Activity(ctx, sess.Partner.ID, q)
}
