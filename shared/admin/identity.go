package admin

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// IdentityStore is what identity and sign-in need from storage.
type IdentityStore interface {
	// PartnerPrincipal reads a partner user, its partner and the session of the access token in
	// one round trip (strongly consistent), so that every request authorizes against the current
	// records; CodeNotFound when any is missing.
	PartnerPrincipal(ctx context.Context, partnerID, userID, sessionID string) (User, Partner, UserSession, error)
	// CustomerPrincipal reads a customer's user, the customer and the session likewise.
	CustomerPrincipal(ctx context.Context, customerID, userID, sessionID string) (User, Customer, UserSession, error)
	// Login reads the credential record of an email (CodeNotFound when there is none).
	Login(ctx context.Context, email string) (Login, error)
	// AdmitSignInAttempt counts one attempt for an email (known or not) if the policy admits it
	// now, atomically, and returns whether it did and the guard as it was before.
	AdmitSignInAttempt(ctx context.Context, email string, now time.Time, p SignInPolicy) (SignInGuard, bool, error)
	// ClearSignInAttempts forgets the attempts of an email after a successful sign-in.
	ClearSignInAttempts(ctx context.Context, email string, now time.Time, p SignInPolicy) error
	// SetPassword writes the user (guarded by prevVersion), its login's new hash, the activity
	// entry and, when given, the session the user continues in, in one transaction.
	SetPassword(ctx context.Context, u User, prevVersion int, passwordHash string, a Activity, next *UserSession) error
}

// IdentityService is the identity context: it signs users in, authenticates the callers of
// every request against their current records, and changes passwords.
type IdentityService struct {
	Env
	Store     IdentityStore
	Passwords Passwords
	// SignInPolicy is the sign-in throttling policy; zero means DefaultSignInPolicy.
	SignInPolicy SignInPolicy
}

func (s *IdentityService) signInPolicy() SignInPolicy {
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
	// SessionID is the sign-in session of the request's access token.
	SessionID string
}

// Token is what an access token says: whose it is and of which session.
type Token struct {
	OrgID     string
	UserID    string
	Epoch     int
	SessionID string
}

// Authenticate loads the current records of the user an access token names. A removed user, a
// token of an earlier session epoch (before a password change), an ended session or a foreign
// org are all unauthenticated. Errors: CodeUnauthenticated.
func (s *IdentityService) Authenticate(ctx context.Context, t Token) (Session, error) {
	u, p, err := current(ctx, s.Now(), "ptn", t, s.Store.PartnerPrincipal)
	if err != nil {
		return Session{}, err
	}
	return Session{Principal: Principal{Kind: PrincipalUser, User: u}, Partner: p, SessionID: t.SessionID}, nil
}

// current reads the user a token names with its organization (of the id prefix orgKind) and the
// token's session, and checks that the token is still the user's: the same for partner and
// customer tokens.
func current[O any](ctx context.Context, now time.Time, orgKind string, t Token,
	read func(ctx context.Context, orgID, userID, sessionID string) (User, O, UserSession, error)) (User, O, error) {
	var none O
	if !ValidID(orgKind, t.OrgID) || !ValidID("usr", t.UserID) || !ValidID("ses", t.SessionID) {
		return User{}, none, Errorf(CodeUnauthenticated, "the access token is not valid")
	}
	u, org, ses, err := read(ctx, t.OrgID, t.UserID, t.SessionID)
	if ErrorCode(err) == CodeNotFound {
		return User{}, none, Errorf(CodeUnauthenticated, "the access token is no longer valid; sign in again")
	}
	if err != nil {
		return User{}, none, err
	}
	if t.Epoch != u.SessionEpoch || !ses.LiveFor(u, now) {
		return User{}, none, Errorf(CodeUnauthenticated, "the access token is no longer valid; sign in again")
	}
	return u, org, nil
}

// Require checks that the session's user may do action a. A user with a temporary password may
// do nothing but change it, and one whose role requires a second factor nothing but set it up.
func (s Session) Require(a Action) error {
	u := s.Principal.User
	if err := Restriction(u); err != nil {
		return err
	}
	if !RoleAllows(u.CompanyRole, a) {
		return errForbidden("your company role " + string(u.CompanyRole) + " does not allow " + string(a))
	}
	return nil
}

// CustomerSession is the authenticated context of a customer admin's request.
type CustomerSession struct {
	User     User
	Customer Customer
	// SessionID is the sign-in session of the request's access token.
	SessionID string
}

// AuthenticateCustomer loads the current records of the customer user a token names; only the
// customer's admins use self-service. Errors: CodeUnauthenticated, CodeForbidden.
func (s *IdentityService) AuthenticateCustomer(ctx context.Context, t Token) (CustomerSession, error) {
	cs, err := s.AuthenticateCustomerUser(ctx, t)
	if err != nil {
		return CustomerSession{}, err
	}
	if cs.User.CompanyRole != RoleGlobalAdmin {
		return CustomerSession{}, errForbidden("customer self-service is for the organization's administrators")
	}
	if err := Restriction(cs.User); err != nil {
		return CustomerSession{}, err
	}
	return cs, nil
}

// AuthenticateCustomerUser loads the current records of the customer user a token names, of
// any role and with a temporary password too (the routes every user has: GET /me,
// POST /me/password). Errors: CodeUnauthenticated.
func (s *IdentityService) AuthenticateCustomerUser(ctx context.Context, t Token) (CustomerSession, error) {
	u, c, err := current(ctx, s.Now(), "cus", t, s.Store.CustomerPrincipal)
	if err != nil {
		return CustomerSession{}, err
	}
	return CustomerSession{User: u, Customer: c, SessionID: t.SessionID}, nil
}

// SignIn checks an email and password and returns the credential record; with kinds, the login
// must belong to an organization of one of them (default: partners). Errors:
// CodeInvalidCredentials (for an unknown email and a wrong password alike), CodeSignInThrottled.
// It costs three DynamoDB calls at two sequential latencies: count ∥ read login, then clear.
func (s *IdentityService) SignIn(ctx context.Context, email, password string, kinds ...OrgKind) (Login, error) {
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

// ChangePassword replaces the password of u, the caller as authenticated for this request (a
// partner user or a customer user of any role); it clears a temporary password's restriction and
// ends every session and access token of the user. The caller continues in cont, a session made
// by SessionService.New (its epoch set here to the new one), written in the same transaction. The
// activity entry goes to the user's organization's log. Errors: CodeInvalidCredentials,
// CodeWeakPassword.
func (s *IdentityService) ChangePassword(ctx context.Context, u User, current, next string, cont *UserSession) (User, error) {
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
	act := s.activity(Principal{Kind: PrincipalUser, User: u}, u.OrgID, "user.password_changed", Target{"user", u.ID}, nil, nil)
	cont.Epoch = after.SessionEpoch
	if err := s.Store.SetPassword(ctx, after, u.Version, hash, act, cont); err != nil {
		return User{}, err
	}
	return after, nil
}
