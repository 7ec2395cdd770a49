package admin

import "time"

// Contact is the partner's company information that customers see (landing pages, emails).
type Contact struct {
	Name    string
	Phone   string
	Email   string
	Website string
	Address *Address
}

// Validate normalizes and checks the contact information.
func (c Contact) Validate(p *Problems, prefix string) Contact {
	c.Name = text(p, prefix+"name", c.Name, 1, 200)
	c.Phone = phone(p, prefix+"phone", c.Phone, false)
	c.Email = NormalizeEmail(p, prefix+"email", c.Email)
	c.Website = website(p, prefix+"website", c.Website)
	if c.Address != nil {
		a := c.Address.validate(p, prefix+"address")
		c.Address = &a
	}
	return c
}

// Partner is an authorized cloud partner: its company information, cloud and authorizations.
type Partner struct {
	ID             string
	Contact        Contact
	Cloud          Cloud
	Authorizations []Authorization
	CustomerCount  int
	UserCount      int
	GlobalAdmins   int // maintained transactionally; guards "the last global admin"
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Has reports whether the partner may use feature f.
func (p Partner) Has(f Feature) bool { return HasFeature(p.Cloud, p.Authorizations, f) }

// UserStatus is the state of a user account.
type UserStatus string

const UserActive UserStatus = "active"

// OrgKind says which kind of organization a user belongs to.
type OrgKind string

const (
	OrgPartner  OrgKind = "partner"
	OrgCustomer OrgKind = "customer"
)

// User is a user of a partner organization.
type User struct {
	ID             string
	OrgID          string
	OrgKind        OrgKind
	Email          string
	DisplayName    string
	CompanyRole    CompanyRole
	CustomerAccess CustomerAccess
	Status         UserStatus
	// PasswordChangeRequired is set for temporary passwords: until changed, the user may only
	// change it.
	PasswordChangeRequired bool
	// SessionEpoch is carried in access tokens; raising it (password change) invalidates every
	// token issued before, exactly.
	SessionEpoch int
	// MFAEnabled is set while the user has a second factor (SecondFactor); Restriction holds a
	// user whose role requires one without it.
	MFAEnabled bool
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Login is the credential record of a user, keyed by the normalized email.
type Login struct {
	Email        string
	UserID       string
	OrgID        string
	OrgKind      OrgKind
	PasswordHash string
	// PasswordChangeRequired and SessionEpoch mirror the user's, so sign-in needs one read.
	PasswordChangeRequired bool
	SessionEpoch           int
	// MFAEnabled mirrors the user's: sign-in asks for the second factor.
	MFAEnabled bool
	// Customer logins also carry the organization's cloud, name and domain prefix, so that a
	// link page can check and show them without another read.
	Cloud     Cloud
	OrgName   string
	OrgDomain string
}

// PrincipalKind distinguishes callers.
type PrincipalKind string

const (
	PrincipalUser     PrincipalKind = "user"
	PrincipalOperator PrincipalKind = "operator"
)

// Principal is an authenticated caller: a user (whose record was re-read for this request) or the
// operator (authenticated by IAM).
type Principal struct {
	Kind PrincipalKind
	User User   // for PrincipalUser
	ARN  string // for PrincipalOperator: the IAM caller
}

// Actor is how the activity log records who did something.
type Actor struct {
	Type  string // "user" or "operator"
	ID    string
	Email string
}

// ActorOf returns the activity-log actor for a principal.
func ActorOf(p Principal) Actor {
	if p.Kind == PrincipalOperator {
		return Actor{Type: "operator", ID: p.ARN}
	}
	return Actor{Type: "user", ID: p.User.ID, Email: p.User.Email}
}

// Target names the object an activity touched.
type Target struct {
	Type string
	ID   string
}

// Activity is one entry of the activity log, written in the same transaction as the change.
type Activity struct {
	ID         string // sortable by time (ULID)
	OrgID      string
	At         time.Time
	Actor      Actor
	Action     string
	Target     Target
	CustomerID string
	// PartnerID is the partner on whose behalf a partner user acted inside a customer (both
	// entries of such an action carry it); empty otherwise.
	PartnerID string
	Before    map[string]any
	After     map[string]any
}

// Page is one page of a listing. Cursor is opaque to the domain; the store binds it to its scope.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// PageRequest asks for a page.
type PageRequest struct {
	Limit  int
	Cursor string
}

// Paging limits (API4: records per page are clamped).
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// ActivityQuery filters the activity log by time range [From, To).
type ActivityQuery struct {
	PageRequest
	From, To time.Time
}
