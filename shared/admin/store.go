package admin

import "time"

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
