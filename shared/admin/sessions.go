package admin

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// Session lifetimes: a session ends after 8 hours without a refresh and 12 hours after sign-in,
// whichever comes first.
const (
	SessionIdleTimeout = 8 * time.Hour
	SessionLifetime    = 12 * time.Hour
	// MaxUsedRefreshTokens bounds the hashes a session keeps of its rotated-out refresh tokens
	// (reuse detection); a 12-hour session refreshed every 15 minutes uses 48.
	MaxUsedRefreshTokens = 200
)

// UserSession is a sign-in session: one family of refresh tokens, each used once. A refresh
// token used a second time ends the whole family (RFC 9700, 4.14.2: someone holds a copy).
type UserSession struct {
	ID      string
	OrgID   string
	OrgKind OrgKind
	UserID  string
	// Epoch is the user's session epoch at sign-in; a password change, a sign-out everywhere or
	// a removal of the user's second factor raises the user's and so ends every session.
	Epoch int
	// TokenHash is the hash of the current refresh token's secret; Used those of the secrets
	// rotated out, newest last.
	TokenHash  string
	Used       []string
	UserAgent  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	// EndedAt is set when the session was ended (EndReason says why); zero while it lasts.
	EndedAt   time.Time
	EndReason string
	Version   int
}

// Why a session ended.
const (
	EndSignedOut     = "signed_out"
	EndRevoked       = "ended"          // by the user from another session
	EndReuseDetected = "reuse_detected" // a rotated-out refresh token came back
)

// ExpiresAt is the session's absolute end.
func (s UserSession) ExpiresAt() time.Time { return s.CreatedAt.Add(SessionLifetime) }

// IdleExpiresAt is when the session ends unless refreshed before.
func (s UserSession) IdleExpiresAt() time.Time {
	return minTime(s.LastUsedAt.Add(SessionIdleTimeout), s.ExpiresAt())
}

// LiveFor reports whether the session still lasts at now for u (its user as read now).
func (s UserSession) LiveFor(u User, now time.Time) bool {
	return s.EndedAt.IsZero() && now.Before(s.IdleExpiresAt()) && s.Epoch == u.SessionEpoch &&
		u.Status == UserActive && s.UserID == u.ID
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// RefreshToken is the opaque refresh token a client holds: the session's address and the secret
// whose hash the session stores. The address lets a refresh read the session by key.
type RefreshToken struct {
	OrgID, UserID, SessionID, Secret string
}

// String is the token's wire form: org.user.session.secret.
func (t RefreshToken) String() string {
	return t.OrgID + "." + t.UserID + "." + t.SessionID + "." + t.Secret
}

// ParseRefreshToken reads a token's wire form; ok is false for anything malformed.
func ParseRefreshToken(s string) (RefreshToken, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || len(s) > 256 {
		return RefreshToken{}, false
	}
	t := RefreshToken{OrgID: parts[0], UserID: parts[1], SessionID: parts[2], Secret: parts[3]}
	if !(ValidID("ptn", t.OrgID) || ValidID("cus", t.OrgID)) || !ValidID("usr", t.UserID) || !ValidID("ses", t.SessionID) || len(t.Secret) < 32 {
		return RefreshToken{}, false
	}
	return t, true
}

// Secrets makes random secrets and their stored hashes (shared/auth implements it).
type Secrets interface {
	// NewToken returns a new secret of 256 random bits.
	NewToken() (string, error)
	// NewRecoveryCodes returns a set of single-use recovery codes.
	NewRecoveryCodes() ([]string, error)
	// Hash is the stored form of a token.
	Hash(secret string) string
	// HashRecoveryCode is the stored form of a recovery code as typed.
	HashRecoveryCode(code string) string
}

// SessionStore is what sessions need from storage. Sessions live in their user's organization's
// partition, so every key derives from the authenticated caller.
type SessionStore interface {
	// CreateSession writes a new session.
	CreateSession(ctx context.Context, s UserSession) error
	// OrgUser reads a partner's or a customer's user (CodeNotFound).
	OrgUser(ctx context.Context, orgID, userID string) (User, error)
	// SessionWithUser reads a session and its user in one round trip; CodeNotFound when either
	// is missing.
	SessionWithUser(ctx context.Context, orgID, userID, sessionID string) (UserSession, User, error)
	// SaveSession writes a session guarded by its previous version (CodeVersionConflict when
	// another request changed it first), with an optional activity entry.
	SaveSession(ctx context.Context, s UserSession, prevVersion int, a *Activity) error
	// Sessions lists a user's sessions (live and ended, not yet expired from the table).
	Sessions(ctx context.Context, orgID, userID string) ([]UserSession, error)
	// SetSessionEpoch writes the user (guarded by prevVersion) and its login's mirror of the
	// epoch, with the activity entry: every session and access token of an earlier epoch ends.
	SetSessionEpoch(ctx context.Context, u User, prevVersion int, a Activity) error
}

// SessionService is the sessions' context: it begins sessions after sign-in, continues them with
// their refresh tokens, lists and ends them.
type SessionService struct {
	Env
	Store   SessionStore
	Secrets Secrets
}

// NewSession is a session just begun: the session, its first refresh token and the user.
type NewSession struct {
	Session UserSession
	Refresh RefreshToken
	User    User
}

// StartSession begins a session for a login whose credentials were checked (password, and the
// second factor where the user has one). The user is read alongside the write: the caller
// learns what the user must do first (a password change, enrolment in two-factor sign-in).
func (s *SessionService) StartSession(ctx context.Context, l Login, userAgent string) (NewSession, error) {
	now := s.Now()
	ns, err := s.New(l, userAgent)
	if err != nil {
		return NewSession{}, err
	}
	ses := ns.Session
	var (
		u          User
		readErr    error
		wg         sync.WaitGroup
		sessionErr error
	)
	wg.Go(func() { u, readErr = s.Store.OrgUser(ctx, l.OrgID, l.UserID) })
	sessionErr = s.Store.CreateSession(ctx, ses)
	wg.Wait()
	if sessionErr != nil {
		return NewSession{}, sessionErr
	}
	if readErr != nil && ErrorCode(readErr) != CodeNotFound {
		return NewSession{}, readErr
	}
	if u.ID == "" || !ses.LiveFor(u, now) {
		return NewSession{}, Errorf(CodeInvalidCredentials, "the email or password is wrong")
	}
	ns.User = u
	return ns, nil
}

// New makes (does not write) a new session of a login, begun now, and its first refresh token:
// for StartSession, and for a password change, which writes it in its own transaction.
func (s *SessionService) New(l Login, userAgent string) (NewSession, error) {
	now := s.Now()
	secret, err := s.Secrets.NewToken()
	if err != nil {
		return NewSession{}, err
	}
	ses := UserSession{ID: s.NewID("ses"), OrgID: l.OrgID, OrgKind: l.OrgKind, UserID: l.UserID, Epoch: l.SessionEpoch,
		TokenHash: s.Secrets.Hash(secret), UserAgent: clip(userAgent, 200), CreatedAt: now, LastUsedAt: now, Version: 1}
	return NewSession{Session: ses, Refresh: RefreshToken{OrgID: l.OrgID, UserID: l.UserID, SessionID: ses.ID, Secret: secret}}, nil
}

// Refresh exchanges a session's current refresh token for the next one. A token that was
// rotated out ends the session (and is logged); an unknown, ended or expired one is refused.
// Errors: CodeUnauthenticated.
func (s *SessionService) Refresh(ctx context.Context, token, userAgent string) (NewSession, error) {
	denied := Errorf(CodeUnauthenticated, "the session has ended; sign in again")
	t, ok := ParseRefreshToken(token)
	if !ok {
		return NewSession{}, denied
	}
	ses, u, err := s.Store.SessionWithUser(ctx, t.OrgID, t.UserID, t.SessionID)
	if ErrorCode(err) == CodeNotFound {
		return NewSession{}, denied
	}
	if err != nil {
		return NewSession{}, err
	}
	now := s.Now()
	if !ses.LiveFor(u, now) {
		return NewSession{}, denied
	}
	h := s.Secrets.Hash(t.Secret)
	if h != ses.TokenHash {
		if slices.Contains(ses.Used, usedHash(h)) {
			// A rotated-out token came back: the family ends, whoever holds the current token.
			if err := s.endSession(ctx, u, ses, EndReuseDetected, now); err != nil && ErrorCode(err) != CodeVersionConflict {
				return NewSession{}, err
			}
		}
		return NewSession{}, denied
	}
	secret, err := s.Secrets.NewToken()
	if err != nil {
		return NewSession{}, err
	}
	next := ses
	next.Used = append(append([]string(nil), ses.Used...), usedHash(h))
	if len(next.Used) > MaxUsedRefreshTokens {
		next.Used = next.Used[len(next.Used)-MaxUsedRefreshTokens:]
	}
	next.TokenHash, next.LastUsedAt, next.Version = s.Secrets.Hash(secret), now, ses.Version+1
	if userAgent != "" {
		next.UserAgent = clip(userAgent, 200)
	}
	err = s.Store.SaveSession(ctx, next, ses.Version, nil)
	if ErrorCode(err) == CodeVersionConflict {
		// Another request rotated the same token first: the token was used twice.
		cur, u, rerr := s.Store.SessionWithUser(ctx, t.OrgID, t.UserID, t.SessionID)
		if rerr == nil && cur.EndedAt.IsZero() && slices.Contains(cur.Used, usedHash(h)) {
			if err := s.endSession(ctx, u, cur, EndReuseDetected, now); err != nil && ErrorCode(err) != CodeVersionConflict {
				return NewSession{}, err
			}
		}
		return NewSession{}, denied
	}
	if err != nil {
		return NewSession{}, err
	}
	return NewSession{Session: next, Refresh: RefreshToken{OrgID: t.OrgID, UserID: t.UserID, SessionID: ses.ID, Secret: secret}, User: u}, nil
}

// usedHash is the stored form of a rotated-out token's hash: its first 128 bits are plenty to
// recognise it, and keep a long session's item small.
func usedHash(h string) string { return h[:min(len(h), 32)] }

func (s *SessionService) endSession(ctx context.Context, u User, ses UserSession, reason string, now time.Time) error {
	ended := ses
	ended.EndedAt, ended.EndReason, ended.Version = now, reason, ses.Version+1
	var act *Activity
	if reason == EndReuseDetected {
		a := s.activity(Principal{Kind: PrincipalUser, User: u}, u.OrgID, "session.reuse_detected", Target{"user", u.ID},
			nil, map[string]any{"sessionId": ses.ID})
		act = &a
	}
	return s.Store.SaveSession(ctx, ended, ses.Version, act)
}

// SignOut ends the caller's session; everywhere ends all the user's sessions (and access tokens)
// at once by raising the session epoch.
func (s *SessionService) SignOut(ctx context.Context, u User, sessionID string, everywhere bool) error {
	if everywhere {
		return s.raiseEpoch(ctx, u, "user.signed_out_everywhere")
	}
	return s.EndSession(ctx, u, sessionID)
}

// raiseEpoch ends every session and access token of u.
func (s *SessionService) raiseEpoch(ctx context.Context, u User, action string) error {
	after := u
	after.SessionEpoch++
	after.Version++
	after.UpdatedAt = s.Now()
	act := s.activity(Principal{Kind: PrincipalUser, User: u}, u.OrgID, action, Target{"user", u.ID}, nil, nil)
	return s.Store.SetSessionEpoch(ctx, after, u.Version, act)
}

// EndSession ends one of the caller's sessions. Errors: CodeNotFound (no such live session).
func (s *SessionService) EndSession(ctx context.Context, u User, sessionID string) error {
	if !ValidID("ses", sessionID) {
		return NotFound("session")
	}
	ses, cur, err := s.Store.SessionWithUser(ctx, u.OrgID, u.ID, sessionID)
	if err != nil {
		return err
	}
	now := s.Now()
	if !ses.LiveFor(cur, now) {
		return NotFound("session")
	}
	return s.endSession(ctx, cur, ses, EndSignedOut, now)
}

// ListSessions returns the caller's live sessions, the most recently used first.
func (s *SessionService) ListSessions(ctx context.Context, u User) ([]UserSession, error) {
	all, err := s.Store.Sessions(ctx, u.OrgID, u.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	live := all[:0]
	for _, ses := range all {
		if ses.LiveFor(u, now) {
			live = append(live, ses)
		}
	}
	slices.SortFunc(live, func(a, b UserSession) int { return b.LastUsedAt.Compare(a.LastUsedAt) })
	return live, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
