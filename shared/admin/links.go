package admin

import (
	"context"
	"slices"
	"strings"
	"time"
)

// LinkKind is the kind of a customer-facing link.
type LinkKind string

const (
	LinkTrial          LinkKind = "trial"           // trial invitation
	LinkOffer          LinkKind = "offer"           // purchase offer
	LinkDelegatedAdmin LinkKind = "delegated-admin" // delegated-admin offer on its own
)

// LinkKinds lists every kind.
var LinkKinds = []LinkKind{LinkTrial, LinkOffer, LinkDelegatedAdmin}

// feature returns the feature that gates creating links of the kind.
func (k LinkKind) feature() Feature {
	switch k {
	case LinkOffer:
		return FeaturePurchaseOffers
	case LinkDelegatedAdmin:
		return FeatureDelegatedAdminOffers
	}
	return FeatureTrialInvitations
}

// Path is the link page's path prefix: the URL is PUBLIC_BASE_URL + Path + code.
func (k LinkKind) Path() string { return "/" + string(k) + "/" }

// Delegated-admin durations (GDAP: at most two years, no standing access).
const (
	MinDelegatedAdminDays     = 1
	MaxDelegatedAdminDays     = 730
	DefaultDelegatedAdminDays = 730
	AutoExtendDays            = 180
)

// TargetedOfferLifetime is how long a delegated-admin offer made to one customer waits for its
// acceptance: it expires after it (earlier when the partner said so).
const TargetedOfferLifetime = 90 * 24 * time.Hour

// TargetedOfferExpiry is the expiry of a targeted offer created at created with the expiry
// requested (zero: none): at most TargetedOfferLifetime later.
func TargetedOfferExpiry(created, requested time.Time) time.Time {
	limit := created.Add(TargetedOfferLifetime).UTC()
	if requested.IsZero() || requested.After(limit) {
		return limit
	}
	return requested
}

// DelegatedAdminOffer is the delegated administration a link offers: a scope, a duration from
// acceptance, and whether it extends itself before it ends.
type DelegatedAdminOffer struct {
	Scope        CustomerAccess // full or limited
	DurationDays int
	AutoExtend   bool
}

// OfferLine is one line of a purchase offer.
type OfferLine struct {
	ProductID string
	Licenses  int
}

// LinkState is the state of a link, derived from its record and the time.
type LinkState string

const (
	LinkActive  LinkState = "active"
	LinkExpired LinkState = "expired"
	LinkUsedUp  LinkState = "used_up"
	LinkRevoked LinkState = "revoked"
)

// Link is a trial invitation, purchase offer or delegated-admin offer: a URL carrying a code that
// identifies the advisor. Only the code's hash and a nonce are stored; the code is HMAC(link key,
// nonce), so the server can rebuild the URL (to email it) and nobody without the key can.
type Link struct {
	ID               string
	PartnerID        string
	Kind             LinkKind
	ProductID        string      // trial: the one trial product
	Lines            []OfferLine // offer: products and license counts
	DelegatedAdmin   *DelegatedAdminOffer
	TargetCustomerID string // delegated-admin offers may name one customer
	ExpiresAt        time.Time
	MaxUses          int // 0: no limit
	Uses             int
	Revoked          bool
	Nonce            []byte
	CodeHash         string
	EmailsSent       int
	CreatedBy        string
	LastUsedAt       time.Time
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// State returns the link's state at now.
func (l Link) State(now time.Time) LinkState {
	switch {
	case l.Revoked:
		return LinkRevoked
	case !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt):
		return LinkExpired
	case l.MaxUses > 0 && l.Uses >= l.MaxUses:
		return LinkUsedUp
	}
	return LinkActive
}

// LinkUse records one acceptance of a link: who, when, and the delegated-admin answer.
type LinkUse struct {
	LinkID         string
	CustomerID     string
	CustomerName   string
	At             time.Time
	DelegatedAdmin string // accepted, declined or ""
}

// Codes makes and hashes link codes. The implementation (shared/auth) holds the link key.
type Codes interface {
	// Nonce returns 16 bytes from crypto/rand.
	Nonce() ([]byte, error)
	// Code returns the link code of a nonce (HMAC with the link key, base32, ≥128 bits).
	Code(nonce []byte) (string, error)
	// Hash returns the stored lookup hash of a code.
	Hash(code string) string
}

// NewLink is the input of CreateLink.
type NewLink struct {
	Kind             LinkKind
	ProductID        string
	Lines            []OfferLine
	DelegatedAdmin   *DelegatedAdminOffer
	TargetCustomerID string
	ExpiresAt        *time.Time
	MaxUses          *int
}

// requireLinks checks who may manage links of a kind: the partner's authorization (feature gate)
// and the user's customer access (any access for trials and offers, full access for delegated
// administration, which grants admin rights in the customer).
func requireLinks(s Session, kind LinkKind, withDelegatedAdmin bool) error {
	if err := s.Require(ActReadOverview); err != nil {
		return err // temporary password
	}
	p := s.Partner
	if !p.Has(kind.feature()) {
		return featureGate(kind.feature())
	}
	if withDelegatedAdmin && !p.Has(FeatureDelegatedAdminInOffers) {
		return featureGate(FeatureDelegatedAdminInOffers)
	}
	access := s.Principal.User.CustomerAccess
	if access == AccessNone {
		return errForbidden("links need customer access (limited or full)")
	}
	if (withDelegatedAdmin || kind == LinkDelegatedAdmin) && access != AccessFull {
		return errForbidden("delegated administration offers need full customer access")
	}
	return nil
}

func featureGate(f Feature) *Error {
	var req []string
	for _, c := range matrix {
		if c.Feature == f {
			for _, a := range c.AnyOf {
				req = append(req, string(a))
			}
		}
	}
	return Errorf(CodeFeatureNotAuthorized, "the partner is not authorized for %s (needs %s)", f, strings.Join(req, " or "))
}

// validate checks a new link against the caller's cloud catalog.
func (n NewLink) validate(cloud Cloud, now time.Time) (NewLink, error) {
	var p Problems
	switch n.Kind {
	case LinkTrial:
		prod, ok := FindProduct(cloud, n.ProductID)
		switch {
		case n.ProductID == "":
			p.Add("productId", "required", "is required: the one trial product")
		case !ok:
			p.Add("productId", "unknown_product", "is not a product of the "+string(cloud)+" catalog")
		case !prod.Trial:
			p.Add("productId", "no_trial", "has no trial")
		}
		if len(n.Lines) > 0 {
			p.Add("lines", "not_allowed", "trial invitations hold exactly one product (productId)")
		}
	case LinkOffer:
		if n.ProductID != "" {
			p.Add("productId", "not_allowed", "purchase offers list their products in lines")
		}
		if len(n.Lines) == 0 || len(n.Lines) > 20 {
			p.Add("lines", "count", "must have 1 to 20 lines")
		}
		seen := map[string]bool{}
		for i, l := range n.Lines {
			f := indexField("lines", i)
			prod, ok := FindProduct(cloud, l.ProductID)
			switch {
			case !ok:
				p.Add(f+".productId", "unknown_product", "is not a product of the "+string(cloud)+" catalog")
			case seen[l.ProductID]:
				p.Add(f+".productId", "duplicate", "is listed twice")
			case l.Licenses < prod.MinLicenses || l.Licenses > prod.MaxLicenses:
				p.Add(f+".licenses", "range", "must be from "+itoa(prod.MinLicenses)+" to "+itoa(prod.MaxLicenses))
			}
			seen[l.ProductID] = true
		}
	case LinkDelegatedAdmin:
		if n.ProductID != "" || len(n.Lines) > 0 {
			p.Add("productId", "not_allowed", "delegated-admin offers offer no products")
		}
		if n.DelegatedAdmin == nil {
			n.DelegatedAdmin = &DelegatedAdminOffer{}
		}
	}
	if n.TargetCustomerID != "" && n.Kind != LinkDelegatedAdmin {
		p.Add("targetCustomerId", "not_allowed", "only delegated-admin offers name a customer")
	}
	if n.DelegatedAdmin != nil {
		d := *n.DelegatedAdmin
		if d.Scope == "" {
			d.Scope = AccessLimited // least privilege by default
		}
		if d.Scope != AccessFull && d.Scope != AccessLimited {
			p.Add("delegatedAdmin.scope", "enum", "must be full or limited")
		}
		if d.DurationDays == 0 {
			d.DurationDays = DefaultDelegatedAdminDays
		}
		if d.DurationDays < MinDelegatedAdminDays || d.DurationDays > MaxDelegatedAdminDays {
			p.Add("delegatedAdmin.durationDays", "range", "must be from 1 to 730 days (two years)")
		}
		if d.AutoExtend && d.Scope == AccessFull {
			p.Add("delegatedAdmin.autoExtend", "not_with_full", "a full delegated administration (global-admin rights) cannot extend itself; offer limited scope or no auto-extend")
		}
		n.DelegatedAdmin = &d
	}
	if n.ExpiresAt != nil && (!n.ExpiresAt.After(now) || n.ExpiresAt.After(now.AddDate(2, 0, 0))) {
		p.Add("expiresAt", "range", "must be in the future and at most two years ahead")
	}
	if n.MaxUses != nil && (*n.MaxUses < 1 || *n.MaxUses > 100000) {
		p.Add("maxUses", "range", "must be from 1 to 100000 (leave it out for no limit)")
	}
	return n, p.Err()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// LinkStore is what the partner's links need from storage.
type LinkStore interface {
	// CreateLink writes the link, its code's lookup item and the activity entry (with the
	// idempotency record, when given: *IdempotencyConflict).
	CreateLink(ctx context.Context, l Link, a Activity, idem *Idempotency) error
	// Link reads a partner's link with its newest uses (CodeNotFound).
	Link(ctx context.Context, partnerID string, kind LinkKind, id string) (Link, []LinkUse, error)
	Links(ctx context.Context, partnerID string, kind LinkKind, page PageRequest) (Page[Link], error)
	// RevokeLink writes the revoked link, guarded by its previous version.
	RevokeLink(ctx context.Context, l Link, a Activity) error
	// EmailLink writes the outbox emails and counts them on the link, unless it was revoked
	// meanwhile (CodeValidation).
	EmailLink(ctx context.Context, l Link, emails []Email, a Activity) error
	// HasCustomer reports whether a customer has a relationship with the partner.
	HasCustomer(ctx context.Context, partnerID, customerID string) (bool, error)
}

// LinkService is the partner's side of the links context: it creates, lists, revokes and emails
// trial invitations, purchase offers and delegated-admin offers. AcceptService is the
// customer's side.
type LinkService struct {
	Env
	Store LinkStore
	Codes Codes
	// BaseURL is where the link pages are served (PUBLIC_BASE_URL); a link's URL is
	// BaseURL + kind path + code.
	BaseURL string
}

// CreateLink creates a link; the caller gets its URL from LinkURL. Errors: CodeForbidden,
// CodeFeatureNotAuthorized, CodeValidation, CodeIdempotencyKeyReused.
func (s *LinkService) CreateLink(ctx context.Context, sess Session, in NewLink, idem *Idempotency) (Link, bool, error) {
	if !slices.Contains(LinkKinds, in.Kind) {
		return Link{}, false, NotFound("link kind")
	}
	l, err := s.newLink(sess, in)
	if err != nil {
		return Link{}, false, err
	}
	if l.TargetCustomerID != "" {
		ok, err := s.Store.HasCustomer(ctx, sess.Partner.ID, l.TargetCustomerID)
		if err != nil {
			return Link{}, false, err
		}
		if !ok {
			return Link{}, false, FieldErr("targetCustomerId", "unknown_customer", "is not a customer of this partner")
		}
	}
	if idem != nil {
		idem.ResourceID = l.ID
	}
	err = s.Store.CreateLink(ctx, l, s.linkCreated(sess, l), idem)
	if replay, ok := asReplay(err, idem); ok {
		got, _, err := s.Store.Link(ctx, sess.Partner.ID, in.Kind, replay.ResourceID)
		return got, true, err
	}
	return l, false, err
}

// newLink checks who may create the link and its input, and builds it with a fresh code (nothing
// is written; a target customer is the caller's to check).
func (s *LinkService) newLink(sess Session, in NewLink) (Link, error) {
	if err := requireLinks(sess, in.Kind, in.DelegatedAdmin != nil); err != nil {
		return Link{}, err
	}
	now := s.Now()
	in, err := in.validate(sess.Partner.Cloud, now)
	if err != nil {
		return Link{}, err
	}
	nonce, err := s.Codes.Nonce()
	if err != nil {
		return Link{}, err
	}
	code, err := s.Codes.Code(nonce)
	if err != nil {
		return Link{}, err
	}
	l := Link{ID: s.NewID("lnk"), PartnerID: sess.Partner.ID, Kind: in.Kind, ProductID: in.ProductID, Lines: in.Lines,
		DelegatedAdmin: in.DelegatedAdmin, TargetCustomerID: in.TargetCustomerID, Nonce: nonce, CodeHash: s.Codes.Hash(code),
		CreatedBy: sess.Principal.User.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.ExpiresAt != nil {
		l.ExpiresAt = in.ExpiresAt.UTC()
	}
	if l.TargetCustomerID != "" {
		l.ExpiresAt = TargetedOfferExpiry(now, l.ExpiresAt)
	}
	if in.MaxUses != nil {
		l.MaxUses = *in.MaxUses
	}
	return l, nil
}

// linkCreated is the activity entry of a new link.
func (s *LinkService) linkCreated(sess Session, l Link) Activity {
	return s.activity(sess.Principal, sess.Partner.ID, "link.created", Target{"link", l.ID}, nil, map[string]any{"kind": string(l.Kind)})
}

// LinkURL rebuilds a link's URL under BaseURL.
func (s *LinkService) LinkURL(l Link) (string, error) {
	code, err := s.Codes.Code(l.Nonce)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s.BaseURL, "/") + l.Kind.Path() + code, nil
}

// GetLink returns a link with its uses. A link of another partner is not found. Errors:
// CodeForbidden, CodeFeatureNotAuthorized, CodeNotFound.
func (s *LinkService) GetLink(ctx context.Context, sess Session, kind LinkKind, id string) (Link, []LinkUse, error) {
	if err := requireLinks(sess, kind, false); err != nil {
		return Link{}, nil, err
	}
	if !ValidID("lnk", id) {
		return Link{}, nil, NotFound("link")
	}
	return s.Store.Link(ctx, sess.Partner.ID, kind, id)
}

// ListLinks lists a partner's links of a kind, newest first. Errors: CodeForbidden,
// CodeFeatureNotAuthorized, CodeInvalidCursor.
func (s *LinkService) ListLinks(ctx context.Context, sess Session, kind LinkKind, page PageRequest) (Page[Link], error) {
	if err := requireLinks(sess, kind, false); err != nil {
		return Page[Link]{}, err
	}
	return s.Store.Links(ctx, sess.Partner.ID, kind, page)
}

// RevokeLink revokes a link: its page shows the uniform invalid page from then on. Revoking a
// revoked link changes nothing. Errors: as GetLink, and CodeVersionConflict.
func (s *LinkService) RevokeLink(ctx context.Context, sess Session, kind LinkKind, id string) error {
	l, _, err := s.GetLink(ctx, sess, kind, id)
	if err != nil || l.Revoked {
		return err
	}
	l.Revoked, l.Version, l.UpdatedAt = true, l.Version+1, s.Now()
	act := s.activity(sess.Principal, sess.Partner.ID, "link.revoked", Target{"link", l.ID}, nil, nil)
	return s.Store.RevokeLink(ctx, l, act)
}

// MaxRecipients is how many addresses one send may name.
const MaxRecipients = 50

// EmailLink sends a link to up to MaxRecipients addresses with a personal message: one outbox
// email per recipient (recipients never see each other), written with the activity entry.
// Errors: as GetLink, and CodeValidation (recipients, message, a link that is not active).
func (s *LinkService) EmailLink(ctx context.Context, sess Session, kind LinkKind, id string, to []string, message string) (int, error) {
	l, _, err := s.GetLink(ctx, sess, kind, id)
	if err != nil {
		return 0, err
	}
	var p Problems
	if len(to) == 0 || len(to) > MaxRecipients {
		p.Add("recipients", "count", "must name 1 to 50 addresses")
	}
	var addrs []string
	for i, a := range to {
		a = NormalizeEmail(&p, indexField("recipients", i), a)
		if !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	message = messageText(&p, "message", message)
	if err := p.Err(); err != nil {
		return 0, err
	}
	if st := l.State(s.Now()); st != LinkActive {
		return 0, Errorf(CodeValidation, "the link is %s; create a new one", st)
	}
	url, err := s.LinkURL(l)
	if err != nil {
		return 0, err
	}
	msg := invitation(sess.Partner, l, url, message)
	emails := make([]Email, len(addrs))
	for i, a := range addrs {
		emails[i] = Email{ID: s.NewID("out"), OrgID: sess.Partner.ID, To: []string{a}, Message: msg}
	}
	act := s.activity(sess.Principal, sess.Partner.ID, "link.emailed", Target{"link", l.ID}, nil, map[string]any{"recipients": len(addrs)})
	return len(addrs), s.Store.EmailLink(ctx, l, emails, act)
}

// messageText validates a personal message: up to 2000 characters, line breaks allowed, no
// other control characters (it only ever reaches an email body, never a header).
func messageText(p *Problems, field, s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if len([]rune(s)) > 2000 {
		p.Add(field, "too_long", "must have at most 2000 characters")
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f {
			p.Add(field, "control_character", "must not contain control characters other than line breaks")
			break
		}
	}
	return s
}

// invitation is the email that sends link l: the partner, the link and what it offers.
func invitation(p Partner, l Link, url, note string) LinkInvitation {
	m := LinkInvitation{Partner: p, Link: l, URL: url, Note: note}
	switch l.Kind {
	case LinkTrial:
		prod, _ := FindProduct(p.Cloud, l.ProductID)
		m.Trial = &prod
	case LinkOffer:
		m.Lines = productLines(p.Cloud, l.Lines)
	}
	return m
}

// productLines names the products of offer lines from the cloud's catalog.
func productLines(cloud Cloud, lines []OfferLine) []ProductLine {
	out := make([]ProductLine, len(lines))
	for i, l := range lines {
		prod, _ := FindProduct(cloud, l.ProductID)
		out[i] = ProductLine{ProductName: prod.Name, Licenses: l.Licenses}
	}
	return out
}
