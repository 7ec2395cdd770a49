package admin

import (
	"context"
	"time"
)

// Store is what the domain needs from storage. Every write method is one transaction that carries
// the business items, the activity-log entry and (when given) the idempotency record; every
// update is guarded by the version the caller read. Errors are *Error with CodeNotFound,
// CodeVersionConflict, CodeEmailTaken, CodeLastGlobalAdmin or CodeConcurrentRequest, or an
// *IdempotencyConflict when the key was used before.
type Store interface {
	// UserWithPartner reads a partner user and its partner in one round trip (strongly consistent),
	// so that every request authorizes against the current records.
	UserWithPartner(ctx context.Context, partnerID, userID string) (User, Partner, error)
	Partner(ctx context.Context, partnerID string) (Partner, error)
	User(ctx context.Context, partnerID, userID string) (User, error)
	Users(ctx context.Context, partnerID string, page PageRequest) (Page[User], error)
	Activity(ctx context.Context, partnerID string, q ActivityQuery) (Page[Activity], error)

	CreatePartner(ctx context.Context, p Partner, admin User, login Login, a Activity, idem *Idempotency) error
	UpdatePartner(ctx context.Context, p Partner, prevVersion int, a Activity) error
	CreateUser(ctx context.Context, u User, login Login, a Activity, idem *Idempotency) error
	// UpdateUser writes u (prevVersion guards it); globalAdminDelta (-1, 0, +1) moves the partner's
	// global-admin count, never below one.
	UpdateUser(ctx context.Context, u User, prevVersion int, globalAdminDelta int, a Activity) error
	DeleteUser(ctx context.Context, u User, globalAdminDelta int, a Activity) error
	SetPassword(ctx context.Context, u User, prevVersion int, passwordHash string, a Activity) error

	// Login reads the credential record of an email (CodeNotFound when there is none).
	Login(ctx context.Context, email string) (Login, error)
	// AdmitSignInAttempt counts one attempt for an email (known or not) if the policy admits it
	// now, atomically, and returns whether it did and the guard as it was before.
	AdmitSignInAttempt(ctx context.Context, email string, now time.Time, p SignInPolicy) (SignInGuard, bool, error)
	// ClearSignInAttempts forgets the attempts of an email after a successful sign-in.
	ClearSignInAttempts(ctx context.Context, email string, now time.Time, p SignInPolicy) error
}

// Idempotency asks a create to record its Idempotency-Key: a replay of the same request returns
// the resource created the first time; the same key with another request is refused.
type Idempotency struct {
	Scope       string // who and what: caller id and operation
	Key         string
	Fingerprint string // hash of the request
	ResourceID  string // filled by the domain: what this request creates
}

// IdempotencyConflict is returned by a create whose key was used before.
type IdempotencyConflict struct {
	ResourceID  string
	Fingerprint string
}

func (e *IdempotencyConflict) Error() string { return "idempotency key used before" }

// SignInGuard is the attempt counter of one email address.
type SignInGuard struct {
	Attempts    int
	WindowStart time.Time
	LastAttempt time.Time
}

// SignInPolicy throttles sign-in per email address (known or not, so the answer never reveals
// which). Checked attempts since the last success are counted in fixed windows (numbered from
// the epoch): the first SlowFrom go at once, each further one must wait Gaps[i] after the
// previous, and after SlowFrom+len(Gaps) the address is locked until the window ends. Refused attempts are not
// counted, so a client that honours Retry-After gets all its tries.
type SignInPolicy struct {
	Window   time.Duration
	SlowFrom int
	Gaps     []time.Duration
}

// DefaultSignInPolicy: 5 checked attempts per 15 minutes, the 4th and 5th 1 s and 2 s apart.
var DefaultSignInPolicy = SignInPolicy{Window: 15 * time.Minute, SlowFrom: 3, Gaps: []time.Duration{time.Second, 2 * time.Second}}

// WindowOf returns the start of the fixed window holding now; windows are counted from the Unix
// epoch (time.Truncate would count from year 1, which only agrees for divisors of a day).
func (p SignInPolicy) WindowOf(now time.Time) time.Time {
	w := p.Window.Milliseconds()
	return time.UnixMilli(now.UnixMilli() / w * w)
}

// Max is the number of checked attempts per window.
func (p SignInPolicy) Max() int { return p.SlowFrom + len(p.Gaps) }

// Wait returns how long the next attempt must wait, given the guard.
func (p SignInPolicy) Wait(g SignInGuard, now time.Time) time.Duration {
	if g.Attempts == 0 || !p.WindowOf(now).Equal(g.WindowStart) {
		return 0
	}
	if g.Attempts >= p.Max() {
		return g.WindowStart.Add(p.Window).Sub(now)
	}
	if g.Attempts >= p.SlowFrom {
		if d := g.LastAttempt.Add(p.Gaps[g.Attempts-p.SlowFrom]).Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
