package admin

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// Two-factor sign-in (TOTP, RFC 6238) with single-use recovery codes.

// PendingEnrolmentTTL is how long a started enrolment waits for its first code.
const PendingEnrolmentTTL = 15 * time.Minute

// MFARequired reports whether u must sign in with a second factor: a partner's global admins and
// every partner user with full admin access to customers (since the 2021 attacks on delegated
// administrators, Microsoft requires the same of partner admin accounts).
func MFARequired(u User) bool {
	return u.OrgKind == OrgPartner && (u.CompanyRole == RoleGlobalAdmin || u.CustomerAccess == AccessFull)
}

// Restriction is what u must do before anything else — change a temporary password, then set up
// two-factor sign-in where it is required — or nil. Errors: CodePasswordChangeNeeded,
// CodeMFAEnrolmentRequired.
func Restriction(u User) error {
	if u.PasswordChangeRequired {
		return Errorf(CodePasswordChangeNeeded, "change your temporary password first (POST /me/password)")
	}
	if MFARequired(u) && !u.MFAEnabled {
		return Errorf(CodeMFAEnrolmentRequired, "set up two-factor sign-in first (POST /me/mfa/totp): your role requires it")
	}
	return nil
}

// SecondFactor is a user's TOTP credential: the secret (stored sealed), the last step whose code
// was accepted (a code is accepted once), the hashes of the unused recovery codes, and a pending
// enrolment's secret until its first code confirms it.
type SecondFactor struct {
	OrgID  string
	UserID string
	// Active and Pending say whether a secret, and a pending enrolment's secret, are stored; the
	// secrets themselves are opened only where the sealing key is configured.
	Active         bool
	Pending        bool
	Secret         string
	LastStep       int64
	RecoveryHashes []string
	PendingSecret  string
	PendingAt      time.Time
	EnabledAt      time.Time
	// Version is 0 for a user without the item.
	Version int
}

// Enabled reports whether the factor is set up.
func (f SecondFactor) Enabled() bool { return f.Active }

// Authenticator makes and checks TOTP secrets (shared/auth implements it).
type Authenticator interface {
	// NewKey makes a secret for account, with its otpauth:// URL and that URL as a QR code (a
	// data: URL).
	NewKey(account string) (secret, url, qrCode string, err error)
	// Match reports whether code belongs to secret at now (or a neighbouring step) and which step.
	Match(secret, code string, now time.Time) (step int64, ok bool)
}

// MFAStore is what two-factor sign-in needs from storage. The factor lives in its user's
// organization's partition.
type MFAStore interface {
	// SecondFactor reads a user's factor (zero Version when there is none) and the user in one
	// round trip; CodeNotFound when the user is missing.
	SecondFactor(ctx context.Context, orgID, userID string) (SecondFactor, User, error)
	// SavePendingFactor writes f, guarded by prevVersion (0: must not exist).
	SavePendingFactor(ctx context.Context, f SecondFactor, prevVersion int) error
	// SetFactor writes the user (guarded by prevUserVersion; its MFAEnabled and epoch mirrored
	// on the login), the factor (guarded by prevVersion; deleted when neither Active nor
	// Pending) and the activity entry in one transaction.
	SetFactor(ctx context.Context, u User, prevUserVersion int, f SecondFactor, prevVersion int, a Activity) error
	// UseTOTPStep records step as used if it is later than the last used one (CodeInvalidMFACode
	// if not: the code was used already).
	UseTOTPStep(ctx context.Context, orgID, userID string, step int64) error
	// UseRecoveryCode removes a recovery code's hash if it is there (CodeInvalidMFACode if not),
	// with the activity entry.
	UseRecoveryCode(ctx context.Context, orgID, userID, hash string, a Activity) error
}

// AttemptGuard counts guesses against the sign-in policy (IdentityStore's).
type AttemptGuard interface {
	AdmitSignInAttempt(ctx context.Context, key string, now time.Time, p SignInPolicy) (SignInGuard, bool, error)
	ClearSignInAttempts(ctx context.Context, key string, now time.Time, p SignInPolicy) error
}

// TwoFactorService is the context of two-factor sign-in: enrolment, the second step of a
// sign-in, recovery codes, removal and an admin's reset.
type TwoFactorService struct {
	Env
	Store    MFAStore
	Attempts AttemptGuard
	// Policy is the throttling of wrong codes; zero means DefaultSignInPolicy.
	Policy  SignInPolicy
	Secrets Secrets
	// TOTP is set only in the functions that enrol users or check their codes (shared/totp.Wire).
	TOTP Authenticator
}

func (s *TwoFactorService) policy() SignInPolicy {
	if s.Policy.Window == 0 {
		return DefaultSignInPolicy
	}
	return s.Policy
}

// TOTPEnrolment is a started enrolment as shown once to its user.
type TOTPEnrolment struct {
	Secret string
	URL    string
	QRCode string
}

// InvalidMFACode is the error of a wrong or used code (field "code") or recovery code
// ("recoveryCode").
func InvalidMFACode(field string) *Error {
	return &Error{Code: CodeInvalidMFACode, Message: "the code is wrong or was used already",
		Fields: []FieldError{{field, "invalid", "is wrong or was used already"}}}
}

func errInvalidMFACode() error { return InvalidMFACode("code") }

// admitMFA counts a second-factor attempt of a user against the sign-in policy (its own guard,
// apart from the email's password attempts). Errors: CodeMFAThrottled.
func (s *TwoFactorService) admitMFA(ctx context.Context, userID string) error {
	now := s.Now()
	g, ok, err := s.Attempts.AdmitSignInAttempt(ctx, "mfa:"+userID, now, s.policy())
	if err != nil {
		return err
	}
	if !ok {
		wait := max(s.policy().Wait(g, now), time.Second)
		return &Error{Code: CodeMFAThrottled, Message: "too many wrong codes; try again later", RetryAfter: int(math.Ceil(wait.Seconds()))}
	}
	return nil
}

func (s *TwoFactorService) clearMFA(ctx context.Context, userID string) error {
	return s.Attempts.ClearSignInAttempts(ctx, "mfa:"+userID, s.Now(), s.policy())
}

// codeInput checks that exactly one of a code and a recovery code is given.
func codeInput(code, recovery string, recoveryAllowed bool) error {
	switch {
	case code == "" && recovery == "" && recoveryAllowed:
		return FieldErr("code", "required", "is required (or recoveryCode)")
	case code == "" && recovery == "":
		return FieldErr("code", "required", "is required")
	case code != "" && recovery != "":
		return FieldErr("recoveryCode", "exclusive", "give either code or recoveryCode")
	case recovery != "" && !recoveryAllowed:
		return FieldErr("recoveryCode", "unknown", "is not accepted here")
	case code != "" && (len(code) != 6 || !digits(code)):
		return FieldErr("code", "format", "must be the 6 digits of the authenticator app")
	case len(recovery) > 64:
		return FieldErr("recoveryCode", "too_long", "must have at most 64 characters")
	}
	return nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// totp returns the authenticator, which only the functions of two-factor sign-in are given.
func (s *TwoFactorService) totp() (Authenticator, error) {
	if s.TOTP == nil {
		return nil, errors.New("admin: two-factor sign-in is not wired into this function (totp.Wire)")
	}
	return s.TOTP, nil
}

// checkFactor verifies a code (or a recovery code) of the user's enabled factor, rate-limited,
// each code accepted once. Errors: CodeInvalidMFACode, CodeMFAThrottled.
func (s *TwoFactorService) checkFactor(ctx context.Context, orgID, userID, code, recovery string, recoveryAllowed bool) (SecondFactor, User, error) {
	if err := codeInput(code, recovery, recoveryAllowed); err != nil {
		return SecondFactor{}, User{}, err
	}
	var (
		f        SecondFactor
		u        User
		readErr  error
		admitErr error
		wg       sync.WaitGroup
	)
	wg.Go(func() { f, u, readErr = s.Store.SecondFactor(ctx, orgID, userID) })
	admitErr = s.admitMFA(ctx, userID)
	wg.Wait()
	if admitErr != nil {
		return SecondFactor{}, User{}, admitErr
	}
	if readErr != nil {
		return SecondFactor{}, User{}, readErr
	}
	if !f.Enabled() {
		return SecondFactor{}, User{}, errInvalidMFACode()
	}
	if f.Secret == "" {
		return SecondFactor{}, User{}, errors.New("admin: a second factor is stored sealed, and this function has no key to open it")
	}
	if code != "" {
		tp, err := s.totp()
		if err != nil {
			return SecondFactor{}, User{}, err
		}
		step, ok := tp.Match(f.Secret, code, s.Now())
		if !ok || step <= f.LastStep {
			return SecondFactor{}, User{}, errInvalidMFACode()
		}
		if err := s.Store.UseTOTPStep(ctx, orgID, userID, step); err != nil {
			return SecondFactor{}, User{}, err
		}
	} else {
		h := s.Secrets.HashRecoveryCode(recovery)
		act := s.activity(Principal{Kind: PrincipalUser, User: u}, u.OrgID, "user.recovery_code_used", Target{"user", u.ID},
			nil, map[string]any{"remaining": len(f.RecoveryHashes) - 1})
		if err := s.Store.UseRecoveryCode(ctx, orgID, userID, h, act); err != nil {
			return SecondFactor{}, User{}, err
		}
	}
	return f, u, s.clearMFA(ctx, userID)
}

// SignInSecondFactor is the second step of a sign-in whose password was right: the user named by
// the step's token (its epoch still current) gives a code or a recovery code, and gets the
// credentials record for StartSession. Errors: CodeUnauthenticated, CodeInvalidMFACode,
// CodeMFAThrottled.
func (s *TwoFactorService) SignInSecondFactor(ctx context.Context, orgID, userID string, epoch int, code, recovery string) (Login, error) {
	_, u, err := s.checkFactor(ctx, orgID, userID, code, recovery, true)
	if ErrorCode(err) == CodeNotFound {
		return Login{}, Errorf(CodeUnauthenticated, "the sign-in has expired; sign in again")
	}
	if err != nil {
		return Login{}, err
	}
	if u.Status != UserActive || u.SessionEpoch != epoch {
		return Login{}, Errorf(CodeUnauthenticated, "the sign-in has expired; sign in again")
	}
	return Login{Email: u.Email, UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind, SessionEpoch: u.SessionEpoch,
		PasswordChangeRequired: u.PasswordChangeRequired, MFAEnabled: true}, nil
}

// StartTOTP begins (or begins again) the caller's enrolment: a new secret, shown once, waits
// for its first code. Errors: CodeInvalidTransition (already set up).
func (s *TwoFactorService) StartTOTP(ctx context.Context, u User) (TOTPEnrolment, error) {
	if u.PasswordChangeRequired {
		return TOTPEnrolment{}, Restriction(u)
	}
	f, _, err := s.Store.SecondFactor(ctx, u.OrgID, u.ID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if f.Enabled() {
		return TOTPEnrolment{}, Errorf(CodeInvalidTransition, "two-factor sign-in is set up already; remove it first to set up a new authenticator")
	}
	tp, err := s.totp()
	if err != nil {
		return TOTPEnrolment{}, err
	}
	secret, url, qr, err := tp.NewKey(u.Email)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	next := SecondFactor{OrgID: u.OrgID, UserID: u.ID, Pending: true, PendingSecret: secret, PendingAt: s.Now(), Version: f.Version + 1}
	if err := s.Store.SavePendingFactor(ctx, next, f.Version); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: secret, URL: url, QRCode: qr}, nil
}

// ConfirmTOTP completes the caller's enrolment with the first code of the new secret and returns
// the recovery codes, shown once (only their hashes are kept). Errors: CodeInvalidTransition (no
// enrolment pending, or it expired), CodeInvalidMFACode, CodeMFAThrottled.
func (s *TwoFactorService) ConfirmTOTP(ctx context.Context, u User, code string) ([]string, error) {
	if err := codeInput(code, "", false); err != nil {
		return nil, err
	}
	if err := s.admitMFA(ctx, u.ID); err != nil {
		return nil, err
	}
	f, cur, err := s.Store.SecondFactor(ctx, u.OrgID, u.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if f.Enabled() {
		return nil, Errorf(CodeInvalidTransition, "two-factor sign-in is set up already")
	}
	if !f.Pending || now.Sub(f.PendingAt) > PendingEnrolmentTTL {
		return nil, Errorf(CodeInvalidTransition, "no enrolment is waiting for its first code; start again (POST /me/mfa/totp)")
	}
	if f.PendingSecret == "" {
		return nil, errors.New("admin: a pending second factor is stored sealed, and this function has no key to open it")
	}
	tp, err := s.totp()
	if err != nil {
		return nil, err
	}
	step, ok := tp.Match(f.PendingSecret, code, now)
	if !ok {
		return nil, errInvalidMFACode()
	}
	codes, hashes, err := s.recoveryCodes()
	if err != nil {
		return nil, err
	}
	next := SecondFactor{OrgID: u.OrgID, UserID: u.ID, Active: true, Secret: f.PendingSecret, LastStep: step, RecoveryHashes: hashes,
		EnabledAt: now, Version: f.Version + 1}
	after := cur
	after.MFAEnabled, after.Version, after.UpdatedAt = true, cur.Version+1, now
	act := s.activity(Principal{Kind: PrincipalUser, User: cur}, cur.OrgID, "user.mfa_enabled", Target{"user", cur.ID}, nil, nil)
	if err := s.Store.SetFactor(ctx, after, cur.Version, next, f.Version, act); err != nil {
		return nil, err
	}
	return codes, s.clearMFA(ctx, u.ID)
}

func (s *TwoFactorService) recoveryCodes() (codes, hashes []string, err error) {
	if codes, err = s.Secrets.NewRecoveryCodes(); err != nil {
		return nil, nil, err
	}
	hashes = make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = s.Secrets.HashRecoveryCode(c)
	}
	return codes, hashes, nil
}

// RegenerateRecoveryCodes replaces the caller's recovery codes (a current code proves the
// authenticator is at hand); the old ones stop working. Errors: CodeInvalidMFACode,
// CodeMFAThrottled.
func (s *TwoFactorService) RegenerateRecoveryCodes(ctx context.Context, u User, code string) ([]string, error) {
	f, cur, err := s.checkFactor(ctx, u.OrgID, u.ID, code, "", false)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := s.recoveryCodes()
	if err != nil {
		return nil, err
	}
	f, err = s.refreshFactor(ctx, f)
	if err != nil {
		return nil, err
	}
	next := f
	next.RecoveryHashes, next.Version = hashes, f.Version+1
	after := cur
	after.Version, after.UpdatedAt = cur.Version+1, s.Now()
	act := s.activity(Principal{Kind: PrincipalUser, User: cur}, cur.OrgID, "user.recovery_codes_renewed", Target{"user", cur.ID}, nil, nil)
	if err := s.Store.SetFactor(ctx, after, cur.Version, next, f.Version, act); err != nil {
		return nil, err
	}
	return codes, nil
}

// refreshFactor re-reads a factor after checkFactor wrote its used step.
func (s *TwoFactorService) refreshFactor(ctx context.Context, f SecondFactor) (SecondFactor, error) {
	cur, _, err := s.Store.SecondFactor(ctx, f.OrgID, f.UserID)
	return cur, err
}

// RemoveTOTP removes the caller's own second factor (a current code proves the authenticator is
// at hand); not where the user's role requires it. Errors: CodeForbidden, CodeInvalidMFACode,
// CodeMFAThrottled.
func (s *TwoFactorService) RemoveTOTP(ctx context.Context, u User, code string) error {
	if MFARequired(u) {
		return errForbidden("your role requires two-factor sign-in; it cannot be removed")
	}
	f, cur, err := s.checkFactor(ctx, u.OrgID, u.ID, code, "", false)
	if err != nil {
		return err
	}
	if f, err = s.refreshFactor(ctx, f); err != nil {
		return err
	}
	after := cur
	after.MFAEnabled, after.Version, after.UpdatedAt = false, cur.Version+1, s.Now()
	act := s.activity(Principal{Kind: PrincipalUser, User: cur}, cur.OrgID, "user.mfa_removed", Target{"user", cur.ID}, nil, nil)
	return s.Store.SetFactor(ctx, after, cur.Version, SecondFactor{OrgID: f.OrgID, UserID: f.UserID}, f.Version, act)
}

// ResetSecondFactor removes another user's second factor (a lost phone) and ends the user's
// sessions; a user whose role requires it sets up a new one at the next sign-in. Global admins
// only; activity-logged. Errors: CodeForbidden, CodeNotFound, CodeInvalidTransition (none set up).
func (s *TwoFactorService) ResetSecondFactor(ctx context.Context, sess Session, userID string) error {
	if err := sess.Require(ActManageUsers); err != nil {
		return err
	}
	if sess.Principal.User.CompanyRole != RoleGlobalAdmin {
		return errForbidden("only a global admin can reset a user's two-factor sign-in")
	}
	if !ValidID("usr", userID) {
		return NotFound("user")
	}
	f, u, err := s.Store.SecondFactor(ctx, sess.Partner.ID, userID)
	if err != nil {
		return err
	}
	if !f.Active && !f.Pending && !u.MFAEnabled {
		return Errorf(CodeInvalidTransition, "the user has no two-factor sign-in to reset")
	}
	after := u
	after.MFAEnabled, after.SessionEpoch, after.Version, after.UpdatedAt = false, u.SessionEpoch+1, u.Version+1, s.Now()
	act := s.activity(sess.Principal, sess.Partner.ID, "user.mfa_reset", Target{"user", u.ID}, nil, nil)
	return s.Store.SetFactor(ctx, after, u.Version, SecondFactor{OrgID: u.OrgID, UserID: u.ID}, f.Version, act)
}
