package admin

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"time"
)

// Passwords hashes, verifies and generates passwords (argon2id in shared/auth).
type Passwords interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches hash. With an empty hash it still does the work of a
	// verification, so that unknown accounts take as long as known ones.
	Verify(hash, password string) bool
	// Temporary returns a random one-time password that satisfies the policy.
	Temporary() (string, error)
}

// Service carries out the admin-center actions: it checks permissions and rules, computes the new
// state and hands it to the Store as one transaction.
type Service struct {
	Store     Store
	Passwords Passwords
	Now       func() time.Time
	NewID     func(prefix string) string
	// SignInPolicy is the sign-in throttling policy; zero means DefaultSignInPolicy.
	SignInPolicy SignInPolicy
	// Links and Codes serve the customer-facing links (trial invitations, purchase offers,
	// delegated-admin offers); Codes is nil in functions that do not handle links.
	Links   LinkStore
	Codes   Codes
	Accepts AcceptStore
	Tenants TenantStore
}

func (s *Service) signInPolicy() SignInPolicy {
	if s.SignInPolicy.Window == 0 {
		return DefaultSignInPolicy
	}
	return s.SignInPolicy
}

// Session is the authenticated context of a partner user's request: the caller (re-read for this
// request) and the caller's partner.
type Session struct {
	Principal Principal
	Partner   Partner
}

// Authenticate loads the current records of the user an access token names. A removed user, a
// token of an earlier session epoch (before a password change), or a foreign org are all
// unauthenticated.
func (s *Service) Authenticate(ctx context.Context, orgID, userID string, epoch int) (Session, error) {
	if !ValidID("ptn", orgID) || !ValidID("usr", userID) {
		return Session{}, Errorf(CodeUnauthenticated, "the access token is not valid")
	}
	u, p, err := s.Store.UserWithPartner(ctx, orgID, userID)
	if ErrorCode(err) == CodeNotFound {
		return Session{}, Errorf(CodeUnauthenticated, "the access token is not valid")
	}
	if err != nil {
		return Session{}, err
	}
	if u.Status != UserActive || epoch != u.SessionEpoch {
		return Session{}, Errorf(CodeUnauthenticated, "the access token is no longer valid; sign in again")
	}
	return Session{Principal: Principal{Kind: PrincipalUser, User: u}, Partner: p}, nil
}

// Require checks that the session's user may do action a. A user with a temporary password may
// do nothing but change it.
func (s Session) Require(a Action) error {
	u := s.Principal.User
	if u.PasswordChangeRequired {
		return Errorf(CodePasswordChangeNeeded, "change your temporary password first (POST /me/password)")
	}
	if !RoleAllows(u.CompanyRole, a) {
		return errForbidden("your company role " + string(u.CompanyRole) + " does not allow " + string(a))
	}
	return nil
}

// Overview is the partner's start page: its profile, feature states and customer view.
type Overview struct {
	Partner  Partner
	Features []FeatureState
	View     CustomerView
}

// Overview returns the overview of the caller's partner.
func (s *Service) Overview(sess Session) (Overview, error) {
	if err := sess.Require(ActReadOverview); err != nil {
		return Overview{}, err
	}
	p := sess.Partner
	return Overview{Partner: p, Features: Features(p.Cloud, p.Authorizations), View: ViewFor(p.CustomerCount)}, nil
}

// Company returns the caller's company information. Every partner user may read it.
func (s *Service) Company(sess Session) (Partner, error) {
	if err := sess.Require(ActReadCompany); err != nil {
		return Partner{}, err
	}
	return sess.Partner, nil
}

// UpdateCompany replaces the company information; global admins only; version-guarded.
// Errors: CodeForbidden, CodeValidation, CodeVersionConflict.
func (s *Service) UpdateCompany(ctx context.Context, sess Session, c Contact, version int) (Partner, error) {
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

func checkVersion(p *Problems, v int) {
	if v < 1 {
		p.Add("version", "required", "is required: the version you read (optimistic concurrency)")
	}
}

func versionConflict(current int) *Error {
	return Errorf(CodeVersionConflict, "the resource changed since you read it (current version %d); re-read and retry", current)
}

// ListUsers lists the partner's users, paged.
func (s *Service) ListUsers(ctx context.Context, sess Session, page PageRequest) (Page[User], error) {
	if err := sess.Require(ActReadUsers); err != nil {
		return Page[User]{}, err
	}
	return s.Store.Users(ctx, sess.Partner.ID, page)
}

// GetUser returns one of the partner's users. A user may always read themself.
func (s *Service) GetUser(ctx context.Context, sess Session, id string) (User, error) {
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
func (s *Service) CreateUser(ctx context.Context, sess Session, in NewUser, idem *Idempotency) (u User, tempPassword string, replayed bool, err error) {
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
	tempPassword, hash, err := s.temporaryPassword()
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

// asReplay turns an IdempotencyConflict into a replay of the same request, or an error for a
// different request under the same key.
func asReplay(err error, idem *Idempotency) (*IdempotencyConflict, bool) {
	var c *IdempotencyConflict
	if idem == nil || !errors.As(err, &c) {
		return nil, false
	}
	return c, c.Fingerprint == idem.Fingerprint
}

// ReplayMismatch converts the error of a create whose Idempotency-Key was used for a different
// request into the client-facing error; other errors pass through.
func ReplayMismatch(err error) error {
	var c *IdempotencyConflict
	if errors.As(err, &c) {
		return Errorf(CodeIdempotencyKeyReused, "this Idempotency-Key was used for a different request")
	}
	return err
}

func (s *Service) temporaryPassword() (pw, hash string, err error) {
	pw, err = s.Passwords.Temporary()
	if err != nil {
		return "", "", err
	}
	hash, err = s.Passwords.Hash(pw)
	return pw, hash, err
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
func (s *Service) UpdateUser(ctx context.Context, sess Session, id string, in UserPatch) (User, error) {
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
func (s *Service) DeleteUser(ctx context.Context, sess Session, id string) error {
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

// ListActivity returns the partner's activity log, newest first, within [From, To).
func (s *Service) ListActivity(ctx context.Context, sess Session, q ActivityQuery) (Page[Activity], error) {
	if err := sess.Require(ActReadActivity); err != nil {
		return Page[Activity]{}, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Page[Activity]{}, FieldErr("from", "range", "must be before to")
	}
	return s.Store.Activity(ctx, sess.Partner.ID, q)
}

// SignIn checks an email and password and returns the credential record; with kinds, the login
// must belong to an organization of one of them (default: partners). Errors:
// CodeInvalidCredentials (for an unknown email and a wrong password alike), CodeSignInThrottled.
// It costs three DynamoDB calls at two sequential latencies: count ∥ read login, then clear.
func (s *Service) SignIn(ctx context.Context, email, password string, kinds ...OrgKind) (Login, error) {
	if len(kinds) == 0 {
		kinds = []OrgKind{OrgPartner}
	}
	var p Problems
	email = NormalizeEmail(&p, "email", email)
	if password == "" {
		p.Add("password", "required", "is required")
	} else if len(password) > 4*MaxPasswordLength {
		p.Add("password", "too_long", "must have at most 128 characters")
	}
	if err := p.Err(); err != nil {
		return Login{}, err
	}
	now := s.Now()
	// The attempt is admitted and counted before the password is checked, in one conditional
	// write, so parallel guesses cannot all pass; the login is read at the same time.
	var (
		login    Login
		loginErr error
		wg       sync.WaitGroup
	)
	wg.Go(func() { login, loginErr = s.Store.Login(ctx, email) })
	g, admitted, err := s.Store.AdmitSignInAttempt(ctx, email, now, s.signInPolicy())
	wg.Wait()
	if err != nil {
		return Login{}, err
	}
	if loginErr != nil && ErrorCode(loginErr) != CodeNotFound {
		return Login{}, loginErr
	}
	if !admitted {
		wait := max(s.signInPolicy().Wait(g, now), time.Second)
		return Login{}, &Error{Code: CodeSignInThrottled, Message: "too many failed sign-in attempts; try again later",
			RetryAfter: int(math.Ceil(wait.Seconds()))}
	}
	// Verify always runs (against a dummy for unknown emails): equal time for both answers.
	if !s.Passwords.Verify(login.PasswordHash, password) || !slices.Contains(kinds, login.OrgKind) {
		return Login{}, Errorf(CodeInvalidCredentials, "the email or password is wrong")
	}
	if err := s.Store.ClearSignInAttempts(ctx, email, now, s.signInPolicy()); err != nil {
		return Login{}, err
	}
	return login, nil
}

// ChangePassword replaces the caller's password; it clears a temporary password's restriction and
// invalidates access tokens issued before. Errors: CodeInvalidCredentials, CodeWeakPassword.
func (s *Service) ChangePassword(ctx context.Context, sess Session, current, next string) (User, error) {
	u := sess.Principal.User
	if current == "" {
		return User{}, FieldErr("currentPassword", "required", "is required")
	}
	if err := CheckPassword("newPassword", next, u.Email, u.DisplayName); err != nil {
		return User{}, err
	}
	if current == next {
		return User{}, &Error{Code: CodeWeakPassword, Message: "must differ from the current password",
			Fields: []FieldError{{"newPassword", "reused", "must differ from the current password"}}}
	}
	login, err := s.Store.Login(ctx, u.Email)
	if err != nil && ErrorCode(err) != CodeNotFound {
		return User{}, err
	}
	if !s.Passwords.Verify(login.PasswordHash, current) {
		return User{}, Errorf(CodeInvalidCredentials, "the current password is wrong")
	}
	hash, err := s.Passwords.Hash(next)
	if err != nil {
		return User{}, err
	}
	after := u
	after.PasswordChangeRequired = false
	now := s.Now()
	after.SessionEpoch++
	after.Version++
	after.UpdatedAt = now
	act := s.activity(sess.Principal, u.OrgID, "user.password_changed", Target{"user", u.ID}, nil, nil)
	if err := s.Store.SetPassword(ctx, after, u.Version, hash, act); err != nil {
		return User{}, err
	}
	return after, nil
}

func (s *Service) activity(by Principal, orgID, action string, t Target, before, after map[string]any) Activity {
	return Activity{ID: s.NewID("act"), OrgID: orgID, At: s.Now(), Actor: ActorOf(by), Action: action, Target: t, Before: before, After: after}
}

func contactFields(c Contact) map[string]any {
	m := map[string]any{"name": c.Name, "phone": c.Phone, "email": c.Email, "website": c.Website}
	if c.Address != nil {
		m["address"] = *c.Address
	}
	return m
}

func userFields(u User) map[string]any {
	return map[string]any{"email": u.Email, "displayName": u.DisplayName, "companyRole": string(u.CompanyRole), "customerAccess": string(u.CustomerAccess)}
}

// diffFields keeps only the keys whose values differ.
func diffFields(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if before[k] != v {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}
