package admin

import (
	"context"
	"errors"
	"time"
)

// The domain is split into one service per context, each with the narrow store interface it
// needs (docs/architecture.md, "Adding a context"):
//
//	IdentityService  sign-in, authentication of every request, password changes   (identity.go)
//	CompanyService   the partner's overview, company profile, users, activity log   (company.go)
//	PartnerService   the operator's onboarding and authorizations of partners       (operator.go)
//	LinkService      the partner's trial invitations, purchase offers, DA offers     (links.go)
//	AcceptService    the customer-facing link pages: open and accept a link          (accept.go)
//	TenantService    the customer admin's self-service                              (tenant.go)
//	ServiceRequestService  service requests: partner side and support desk     (servicerequests.go)

// Env is what every service needs besides its store: the clock and the id source. Services
// embed it.
type Env struct {
	Now   func() time.Time
	NewID func(prefix string) string
}

func (s Env) activity(by Principal, orgID, action string, t Target, before, after map[string]any) Activity {
	return Activity{ID: s.NewID("act"), OrgID: orgID, At: s.Now(), Actor: ActorOf(by), Action: action, Target: t, Before: before, After: after}
}

// Passwords hashes, verifies and generates passwords (argon2id in shared/auth).
type Passwords interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches hash. With an empty hash it still does the work of a
	// verification, so that unknown accounts take as long as known ones.
	Verify(hash, password string) bool
	// Temporary returns a random one-time password that satisfies the policy.
	Temporary() (string, error)
}

func temporaryPassword(p Passwords) (pw, hash string, err error) {
	pw, err = p.Temporary()
	if err != nil {
		return "", "", err
	}
	hash, err = p.Hash(pw)
	return pw, hash, err
}

func checkVersion(p *Problems, v int) {
	if v < 1 {
		p.Add("version", "required", "is required: the version you read (optimistic concurrency)")
	}
}

func versionConflict(current int) *Error {
	return Errorf(CodeVersionConflict, "the resource changed since you read it (current version %d); re-read and retry", current)
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

// pause waits d or until ctx ends, whichever is first; it returns ctx's error in the latter
// case. Retries in a request path wait with it, never with time.Sleep, so a cancelled request
// (a client gone, the function's deadline) stops at once.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
