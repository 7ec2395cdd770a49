package admin

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Product keys. The operator issues keys to a subscription advisor that bought them: a product of
// the partner's cloud, a license count, optionally an expiry. The partner sees its inventory,
// previews a key (what it is, before anything happens) and redeems it for a customer: an existing
// customer of the partner, or a new organization set up on the spot; the redemption creates the
// subscription with the partner as its Partner of Record. A key is redeemed once, by its owner.
//
// Who may (besides the partner's product_keys feature, the subscription_advisor authorization, and
// a changed temporary password):
//
//	read the inventory, preview a key   global admins, and users with limited or full customer access
//	redeem a key                        global admins, and users with full customer access
//	redeem with a delegated-admin offer  as creating a delegated-admin offer besides (the partner's
//	                                    delegated_admin authorization, full customer access)
//
// A key is stored only as its keyed hash (KeyHasher), under its partner: another partner's key, or
// an unknown one, is one and the same not_found.

// ProductKeyState is the state of a product key, derived from its record and the time.
type ProductKeyState string

const (
	KeyAvailable ProductKeyState = "available"
	KeyRedeemed  ProductKeyState = "redeemed"
	KeyExpired   ProductKeyState = "expired" // not redeemed before ExpiresAt
	KeyRevoked   ProductKeyState = "revoked" // by the operator, before it was redeemed
)

// ProductKeyStates lists every state.
var ProductKeyStates = []ProductKeyState{KeyAvailable, KeyRedeemed, KeyExpired, KeyRevoked}

// Issuing limits.
const (
	MaxKeysPerIssue = 500
	MaxKeyValidity  = 3 * 365 * 24 * time.Hour
)

// ProductKey is one product key of a partner. The key itself is never stored: Hash is its keyed
// hash (the lookup), LastGroup its last five characters (what the inventory shows).
type ProductKey struct {
	ID         string
	PartnerID  string
	Cloud      Cloud
	ProductID  string
	Licenses   int
	Hash       string
	LastGroup  string
	ExpiresAt  time.Time // zero: never
	Revoked    bool
	RevokedAt  time.Time
	Redemption *KeyRedemption // nil until redeemed
	IssuedBy   string         // the operator
	Version    int
	CreatedAt  time.Time
}

// KeyRedemption records a key's redemption: when, by whom, for which customer and subscription.
type KeyRedemption struct {
	At             time.Time
	UserID         string
	CustomerID     string
	CustomerName   string
	SubscriptionID string
}

// State is the key's state at now. A redemption is final; a revoked key stays revoked; an
// unredeemed key is expired from ExpiresAt on.
func (k ProductKey) State(now time.Time) ProductKeyState {
	switch {
	case k.Redemption != nil:
		return KeyRedeemed
	case k.Revoked:
		return KeyRevoked
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return KeyExpired
	}
	return KeyAvailable
}

// Unavailable is the error of redeeming (or revoking) k at now when it is not available: each
// state its own code. It is nil for an available key.
func (k ProductKey) Unavailable(now time.Time) error {
	switch k.State(now) {
	case KeyRedeemed:
		r := k.Redemption
		return Errorf(CodeProductKeyRedeemed, "this product key was redeemed at %s for customer %s (%s)",
			r.At.UTC().Format(time.RFC3339), r.CustomerName, r.CustomerID)
	case KeyRevoked:
		return Errorf(CodeProductKeyRevoked, "this product key was revoked")
	case KeyExpired:
		return Errorf(CodeProductKeyExpired, "this product key expired at %s", k.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// KeyHasher is the keyed hash of product keys (shared/auth: HMAC-SHA256 under a key derived from
// the deployment's link key).
type KeyHasher interface {
	Hash(canonical string) string
}

// ProductKeyStore is what product keys need from storage.
type ProductKeyStore interface {
	Partner(ctx context.Context, partnerID string) (Partner, error)
	// IssueProductKeys writes the keys and the activity entry (with the idempotency record, when
	// given: *IdempotencyConflict), in several transactions when there are many; when one fails,
	// the keys written before are revoked.
	IssueProductKeys(ctx context.Context, keys []ProductKey, a Activity, idem *Idempotency) error
	// ProductKeyByID reads a key by its id (CodeNotFound).
	ProductKeyByID(ctx context.Context, keyID string) (ProductKey, error)
	// RevokeProductKey writes the revoked key guarded by prevVersion and its being unredeemed
	// (k.Unavailable of the stored key, or CodeConcurrentRequest), with the activity entry.
	RevokeProductKey(ctx context.Context, k ProductKey, prevVersion int, a Activity) error
	// ProductKeys lists a partner's keys newest first, keeping those keep accepts; a page may
	// hold fewer than its limit, with a cursor (CodeInvalidCursor).
	ProductKeys(ctx context.Context, partnerID string, keep func(ProductKey) bool, page PageRequest) (Page[ProductKey], error)
	// RedemptionTarget reads the partner's key of a hash and, with a customer id, the customer's
	// profile and its side of the relationship with the partner, in one round trip (nil: none).
	RedemptionTarget(ctx context.Context, partnerID, keyHash, customerID string) (*ProductKey, *Customer, *Relationship, error)
	// CustomerUsers lists a customer's users (their admins are emailed a delegated-admin offer).
	CustomerUsers(ctx context.Context, customerID string, page PageRequest) (Page[User], error)
	// IdempotencyRecord reads the record of an Idempotency-Key (nil: none).
	IdempotencyRecord(ctx context.Context, idem Idempotency) (*IdempotencyConflict, error)
	// CustomerSubscription reads a customer of the partner and one of its subscriptions (a
	// replayed redemption's answer).
	CustomerSubscription(ctx context.Context, partnerID, customerID, subscriptionID string) (Customer, Relationship, *Subscription, error)
	// Redeem writes w in one transaction (with the idempotency record, when given:
	// *IdempotencyConflict). The key's condition (the version read, unredeemed) is
	// checked in it: a failure is the stored key's Unavailable error, or CodeConcurrentRequest.
	// A taken domain prefix is CodeValidation, a taken email CodeEmailTaken.
	Redeem(ctx context.Context, w RedeemWrite) error
}

// RedeemWrite is everything one redemption writes.
type RedeemWrite struct {
	Key          ProductKey // redeemed
	PrevVersion  int
	Now          time.Time
	NewCustomer  *Customer // with Admin and AdminLogin; nil: Relationship is the existing one
	Admin        User
	AdminLogin   Login
	Subscription Subscription
	Relationship Relationship
	Offer        *Link // a delegated-admin offer to the customer
	Activities   []Activity
	Emails       []Email
	Idempotency  *Idempotency
}

// ProductKeyService is the product keys context: the operator's issuing and revoking, the
// partner's inventory, preview and redemption.
type ProductKeyService struct {
	Env
	Store     ProductKeyStore
	Hasher    KeyHasher
	Passwords Passwords    // a new customer admin's temporary password
	Links     *LinkService // the delegated-admin offers made with a redemption
	// Retry is how often a redemption that met a concurrent write is decided again (0: 6).
	Retry int
	// Random is where new keys are drawn from; nil is crypto/rand. Only the local demo's seed
	// sets it, to derive its demo keys again on every run (local/seed).
	Random io.Reader
}

// newKey draws a new key's text from s.Random, or crypto/rand.
func (s *ProductKeyService) newKey() (string, error) {
	if s.Random == nil {
		return NewProductKey()
	}
	return ProductKeyFrom(s.Random)
}

// requireProductKeys is the gate of the partner's product-key routes (see the table above).
// Errors: CodePasswordChangeNeeded, CodeFeatureNotAuthorized, CodeForbidden.
func requireProductKeys(s Session, redeem bool) error {
	if err := s.Require(ActReadOverview); err != nil {
		return err // temporary password
	}
	if !s.Partner.Has(FeatureProductKeys) {
		return featureGate(FeatureProductKeys)
	}
	u := s.Principal.User
	switch {
	case u.CompanyRole == RoleGlobalAdmin:
		return nil
	case redeem && u.CustomerAccess != AccessFull:
		return errForbidden("redeeming product keys needs the global admin role or full customer access")
	case u.CustomerAccess == AccessNone:
		return errForbidden("product keys need the global admin role or customer access (limited or full)")
	}
	return nil
}

// NewProductKeys is the operator's order of keys for a partner.
type NewProductKeys struct {
	ProductID string
	Licenses  int
	Count     int
	ExpiresAt *time.Time
}

// IssuedKey is an issued key with its text, shown once.
type IssuedKey struct {
	ProductKey
	Key string // display form
}

// Issue issues keys to a partner (operator only): the answer is the only place their text ever
// appears, so a replay of the same Idempotency-Key answers none (replayed true) and issues none.
// Errors: CodeForbidden, CodeValidation, CodeNotFound (partner), CodeFeatureNotAuthorized (the
// partner is no subscription advisor), CodeIdempotencyKeyReused.
func (s *ProductKeyService) Issue(ctx context.Context, op Principal, partnerID string, in NewProductKeys, idem *Idempotency) ([]IssuedKey, bool, error) {
	if err := requireOperator(op); err != nil {
		return nil, false, err
	}
	now := s.Now()
	var p Problems
	if in.ProductID == "" {
		p.Add("productId", "required", "is required")
	}
	if in.Count < 1 || in.Count > MaxKeysPerIssue {
		p.Add("count", "range", "must be from 1 to 500")
	}
	if in.ExpiresAt != nil && (!in.ExpiresAt.After(now) || in.ExpiresAt.Sub(now) > MaxKeyValidity) {
		p.Add("expiresAt", "range", "must be in the future and at most three years ahead")
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	if !ValidID("ptn", partnerID) {
		return nil, false, NotFound("partner")
	}
	partner, err := s.Store.Partner(ctx, partnerID)
	if err != nil {
		return nil, false, err
	}
	if !partner.Has(FeatureProductKeys) {
		return nil, false, featureGate(FeatureProductKeys)
	}
	prod, ok := FindProduct(partner.Cloud, in.ProductID)
	if !ok {
		return nil, false, FieldErr("productId", "unknown_product", "is not a product of the "+string(partner.Cloud)+" catalog")
	}
	if in.Licenses < prod.MinLicenses || in.Licenses > prod.MaxLicenses {
		return nil, false, FieldErr("licenses", "range", "must be from "+itoa(prod.MinLicenses)+" to "+itoa(prod.MaxLicenses))
	}
	out := make([]IssuedKey, in.Count)
	keys := make([]ProductKey, in.Count)
	for i := range out {
		text, err := s.newKey()
		if err != nil {
			return nil, false, err
		}
		canonical, _ := ParseProductKey(text)
		k := ProductKey{ID: s.NewID("pky"), PartnerID: partner.ID, Cloud: partner.Cloud, ProductID: prod.ID, Licenses: in.Licenses,
			Hash: s.Hasher.Hash(canonical), LastGroup: lastGroup(canonical), IssuedBy: op.ARN, Version: 1, CreatedAt: now}
		if in.ExpiresAt != nil {
			k.ExpiresAt = in.ExpiresAt.UTC()
		}
		keys[i], out[i] = k, IssuedKey{ProductKey: k, Key: text}
	}
	after := map[string]any{"productId": prod.ID, "licenses": in.Licenses, "count": in.Count}
	if in.ExpiresAt != nil {
		after["expiresAt"] = in.ExpiresAt.UTC().Format(time.RFC3339)
	}
	act := s.activity(op, partner.ID, "product_keys.issued", Target{"partner", partner.ID}, nil, after)
	if idem != nil {
		idem.ResourceID = act.ID
	}
	err = s.Store.IssueProductKeys(ctx, keys, act, idem)
	if _, ok := asReplay(err, idem); ok {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out, false, nil
}

// Revoke revokes an unredeemed key (operator only); revoking a revoked key changes nothing.
// Errors: CodeForbidden, CodeNotFound, CodeProductKeyRedeemed, CodeConcurrentRequest.
func (s *ProductKeyService) Revoke(ctx context.Context, op Principal, keyID string) (ProductKey, error) {
	if err := requireOperator(op); err != nil {
		return ProductKey{}, err
	}
	if !ValidID("pky", keyID) {
		return ProductKey{}, NotFound("product key")
	}
	k, err := s.Store.ProductKeyByID(ctx, keyID)
	if err != nil || k.Revoked {
		return k, err
	}
	now := s.Now()
	if k.Redemption != nil {
		return ProductKey{}, k.Unavailable(now)
	}
	after := k
	after.Revoked, after.RevokedAt, after.Version = true, now, k.Version+1
	act := s.activity(op, k.PartnerID, "product_key.revoked", Target{"product_key", k.ID}, nil, map[string]any{"lastGroup": k.LastGroup})
	if err := s.Store.RevokeProductKey(ctx, after, k.Version, act); err != nil {
		return ProductKey{}, err
	}
	return after, nil
}

// KeyQuery filters the inventory: by state and product ("" for any).
type KeyQuery struct {
	PageRequest
	State     ProductKeyState
	ProductID string
}

// Inventory lists the partner's keys, newest first, read alongside the caller's authentication.
// Errors: those of requireProductKeys, CodeUnauthenticated, CodeInvalidQuery, CodeInvalidCursor.
func (s *ProductKeyService) Inventory(ctx context.Context, c Caller, q KeyQuery) (Page[ProductKey], error) {
	now := s.Now()
	keep := func(k ProductKey) bool {
		return (q.State == "" || k.State(now) == q.State) && (q.ProductID == "" || k.ProductID == q.ProductID)
	}
	var page Page[ProductKey]
	err := readAlongside(ctx, func(ctx context.Context) (err error) {
		page, err = s.Store.ProductKeys(ctx, c.PartnerID(), keep, q.PageRequest)
		return err
	}, func() error {
		sess, err := c.Authenticated()
		if err != nil {
			return err
		}
		if err := requireProductKeys(sess, false); err != nil {
			return err
		}
		if _, ok := FindProduct(sess.Partner.Cloud, q.ProductID); q.ProductID != "" && !ok {
			return &Error{Code: CodeInvalidQuery, Message: "productId is not a product of the " + string(sess.Partner.Cloud) + " catalog",
				Fields: []FieldError{{Field: "productId", Code: "unknown_product", Detail: "is not a product of the catalog"}}}
		}
		return nil
	})
	return page, err
}

// malformedKey is the error of a key that does not parse: required when empty.
func malformedKey(key string) *Error {
	if strings.TrimSpace(key) == "" {
		return FieldErr("key", "required", "is required: the product key, XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
	}
	d := "is not a product key: 25 characters in five groups of five (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX); check it for a typo"
	return &Error{Code: CodeMalformedProductKey, Message: d, Fields: []FieldError{{Field: "key", Code: "malformed", Detail: d}}}
}

func keyNotFound() *Error { return NotFound("product key") }

// Preview tells what a key is — its product, licenses and state — without redeeming it: the key
// is read alongside the caller's authentication. Errors: those of requireProductKeys,
// CodeUnauthenticated, CodeMalformedProductKey (before any lookup), CodeNotFound.
func (s *ProductKeyService) Preview(ctx context.Context, c Caller, key string) (ProductKey, error) {
	canonical, ok := ParseProductKey(key)
	var found *ProductKey
	read := func(ctx context.Context) (err error) {
		if ok {
			found, _, _, err = s.Store.RedemptionTarget(ctx, c.PartnerID(), s.Hasher.Hash(canonical), "")
		}
		return err
	}
	var sess Session
	err := readAlongside(ctx, read, func() (err error) {
		if sess, err = c.Authenticated(); err != nil {
			return err
		}
		if err := requireProductKeys(sess, false); err != nil {
			return err
		}
		if !ok {
			return malformedKey(key)
		}
		return nil
	})
	if err != nil {
		return ProductKey{}, err
	}
	if found == nil || found.Cloud != sess.Partner.Cloud {
		return ProductKey{}, keyNotFound()
	}
	return *found, nil
}

// Redemption is a partner's redemption of a key: for an existing customer of the partner
// (CustomerID) or a new organization (NewCustomer; its Password is not used: the admin gets a
// temporary one by email), optionally with a delegated-admin offer to the customer.
type Redemption struct {
	Key            string
	CustomerID     string
	NewCustomer    *NewCustomer
	DelegatedAdmin *DelegatedAdminOffer
}

// redeemFields are the field names of a redemption's new organization.
var redeemFields = orgFields{"customer.organization", "customer.domainPrefix", "customer.country", "customer.adminName", "customer.adminEmail"}

// Redeemed is what a redemption set up.
type Redeemed struct {
	Key          ProductKey
	Customer     Customer
	NewCustomer  bool
	Subscription Subscription
	Offer        *Link
}

// Redeem redeems a key for a customer in one transaction: the key (exactly once, by its owner),
// for a new customer the organization, its admin (a one-time temporary password, emailed with
// the sign-in address) and the relationship, the subscription with the partner as Partner of
// Record, the activity entries and, when asked, a delegated-admin offer to the customer, emailed
// to its admins (who accept it like any other offer). An existing customer must be the
// partner's, in any state of delegated administration. Errors: those of requireProductKeys and
// of creating a delegated-admin offer, CodeUnauthenticated, CodeMalformedProductKey (before any
// lookup), CodeValidation, CodeNotFound (key or customer), CodeProductKeyRedeemed,
// CodeProductKeyExpired, CodeProductKeyRevoked, CodeProductNotAvailable, CodeEmailTaken,
// CodeConcurrentRequest, CodeIdempotencyKeyReused. A replay of the same Idempotency-Key answers
// the key, the customer and the subscription it redeemed (replayed true).
func (s *ProductKeyService) Redeem(ctx context.Context, c Caller, in Redemption, idem *Idempotency) (Redeemed, bool, error) {
	canonical, wellFormed := ParseProductKey(in.Key)
	hash := ""
	if wellFormed {
		hash = s.Hasher.Hash(canonical)
	}
	customerID := ""
	if ValidID("cus", in.CustomerID) {
		customerID = in.CustomerID
	}
	var t redemptionTarget
	read := func(ctx context.Context) error {
		if !wellFormed {
			return nil
		}
		return t.read(ctx, s.Store, c.PartnerID(), hash, customerID, in.DelegatedAdmin != nil)
	}
	var (
		sess Session
		plan redemptionPlan
	)
	err := readAlongside(ctx, read, func() (err error) {
		if sess, err = c.Authenticated(); err != nil {
			return err
		}
		if err := requireProductKeys(sess, true); err != nil {
			return err
		}
		if !wellFormed {
			return malformedKey(in.Key)
		}
		plan, err = s.plan(sess, in)
		return err
	})
	if err != nil {
		return Redeemed{}, false, err
	}
	retries := s.Retry
	if retries == 0 {
		retries = 6
	}
	for attempt := 0; ; attempt++ {
		out, replayed, err := s.redeem(ctx, sess, plan, t, idem)
		_, sameRequest := asReplay(err, idem)
		if ErrorCode(err) != CodeConcurrentRequest && !sameRequest || attempt == retries {
			return out, replayed, err
		}
		if !sameRequest {
			if err := pause(ctx, time.Duration(5+rand.IntN(20<<min(attempt, 8)))*time.Millisecond); err != nil {
				return Redeemed{}, false, fmt.Errorf("redeem product key: %w", err)
			}
		}
		// Decide again from what is stored now: the winner's redemption is product_key_redeemed
		// (or, for the same request, its replay).
		t = redemptionTarget{}
		if err := t.read(ctx, s.Store, sess.Partner.ID, hash, customerID, in.DelegatedAdmin != nil); err != nil {
			return Redeemed{}, false, err
		}
	}
}

// replay answers a repeated redemption (the same Idempotency-Key and request) from what the first
// one stored, or nil when key is not redeemed under idem. Another request under the same key is
// an *IdempotencyConflict (CodeIdempotencyKeyReused at the API).
func (s *ProductKeyService) replay(ctx context.Context, partnerID string, key ProductKey, idem *Idempotency) (*Redeemed, error) {
	if idem == nil || key.Redemption == nil {
		return nil, nil
	}
	rec, err := s.Store.IdempotencyRecord(ctx, *idem)
	if err != nil || rec == nil {
		return nil, err
	}
	if rec.Fingerprint != idem.Fingerprint {
		return nil, rec
	}
	if rec.ResourceID != key.ID {
		return nil, nil
	}
	r := key.Redemption
	cust, _, sub, err := s.Store.CustomerSubscription(ctx, partnerID, r.CustomerID, r.SubscriptionID)
	if err != nil {
		return nil, err
	}
	if sub == nil {
		return nil, NotFound("subscription")
	}
	return &Redeemed{Key: key, Customer: cust, Subscription: *sub}, nil
}

// redemptionTarget is what a redemption reads: the key, an existing customer and its
// relationship with the partner, and (for a delegated-admin offer) the customer's users.
type redemptionTarget struct {
	key      *ProductKey
	customer *Customer
	rel      *Relationship
	users    []User
}

func (t *redemptionTarget) read(ctx context.Context, st ProductKeyStore, partnerID, hash, customerID string, withUsers bool) error {
	users := func(ctx context.Context) error { return nil }
	if customerID != "" && withUsers {
		users = func(ctx context.Context) error {
			page, err := st.CustomerUsers(ctx, customerID, PageRequest{Limit: MaxPageSize})
			t.users = page.Items
			return err
		}
	}
	return readAlongside(ctx, users, func() (err error) {
		t.key, t.customer, t.rel, err = st.RedemptionTarget(ctx, partnerID, hash, customerID)
		return err
	})
}

// redemptionPlan is a redemption's input, checked: the new organization built, the offer made.
type redemptionPlan struct {
	customerID string
	customer   *Customer
	admin      User
	login      Login
	password   string // the new admin's temporary password
	offer      *Link
}

// plan checks a redemption's input (after the gate) and builds what it does not need to read.
func (s *ProductKeyService) plan(sess Session, in Redemption) (redemptionPlan, error) {
	var p Problems
	var plan redemptionPlan
	switch {
	case (in.CustomerID == "") == (in.NewCustomer == nil):
		p.Add("customer", "one_required", "give customer.customerId (an existing customer) or the new organization, not both")
	case in.NewCustomer != nil:
		c, u, l := s.newOrganization(&p, redeemFields, sess.Partner.Cloud, *in.NewCustomer, s.Now())
		u.PasswordChangeRequired, l.PasswordChangeRequired = true, true
		plan.customer, plan.admin, plan.login = &c, u, l
	default:
		plan.customerID = in.CustomerID
	}
	if err := p.Err(); err != nil {
		return redemptionPlan{}, err
	}
	if in.DelegatedAdmin != nil {
		l, err := s.Links.newLink(sess, NewLink{Kind: LinkDelegatedAdmin, DelegatedAdmin: in.DelegatedAdmin})
		if err != nil {
			return redemptionPlan{}, err
		}
		plan.offer = &l
	}
	if plan.customer != nil {
		temp, hash, err := temporaryPassword(s.Passwords)
		if err != nil {
			return redemptionPlan{}, err
		}
		plan.password, plan.login.PasswordHash = temp, hash
	}
	return plan, nil
}

// redeem decides a planned redemption against what was read, and writes it.
func (s *ProductKeyService) redeem(ctx context.Context, sess Session, plan redemptionPlan, t redemptionTarget, idem *Idempotency) (Redeemed, bool, error) {
	now := s.Now()
	partner := sess.Partner
	if t.key == nil || t.key.PartnerID != partner.ID || t.key.Cloud != partner.Cloud {
		return Redeemed{}, false, keyNotFound()
	}
	key := *t.key
	if r, err := s.replay(ctx, partner.ID, key, idem); r != nil || err != nil {
		return deref(r), r != nil, err
	}
	if err := key.Unavailable(now); err != nil {
		return Redeemed{}, false, err
	}
	w := RedeemWrite{PrevVersion: key.Version, Now: now}
	var cust Customer
	if plan.customer != nil {
		cust = *plan.customer
		w.NewCustomer, w.Admin, w.AdminLogin = &cust, plan.admin, plan.login
		w.Relationship = Relationship{CustomerID: cust.ID, CustomerName: cust.Name, CustomerDomain: cust.DomainPrefix,
			PartnerID: partner.ID, PartnerName: partner.Contact.Name, Since: now, Version: 1}
	} else {
		if t.customer == nil || t.rel == nil || t.customer.Cloud != partner.Cloud {
			return Redeemed{}, false, NotFound("customer")
		}
		cust, w.Relationship = *t.customer, *t.rel
	}
	prod, ok := FindProduct(cust.Cloud, key.ProductID)
	if !ok || key.Licenses < prod.MinLicenses || key.Licenses > prod.MaxLicenses {
		return Redeemed{}, false, Errorf(CodeProductNotAvailable, "product %s with %d licenses is not available to this customer (the %s catalog)",
			key.ProductID, key.Licenses, cust.Cloud)
	}
	sub := s.subscription(cust.ID, partner.ID, "", prod, key.Licenses, SubscriptionActive, time.Time{}, now)
	key.Redemption = &KeyRedemption{At: now, UserID: sess.Principal.User.ID, CustomerID: cust.ID, CustomerName: cust.Name, SubscriptionID: sub.ID}
	key.Version++
	w.Key, w.Subscription = key, sub
	after := map[string]any{"productKey": key.ID, "lastGroup": key.LastGroup, "productId": prod.ID, "licenses": key.Licenses,
		"subscription": sub.ID, "newCustomer": plan.customer != nil}
	var offer *Link
	if plan.offer != nil {
		l := *plan.offer
		// Targeted at the customer: not accepted within 90 days, it expires (as every targeted offer).
		l.TargetCustomerID, l.ExpiresAt = cust.ID, TargetedOfferExpiry(l.CreatedAt, l.ExpiresAt)
		offer, w.Offer = &l, &l
		after["delegatedAdminOffer"] = l.ID
		w.Activities = append(w.Activities, s.Links.linkCreated(sess, l))
		url, err := s.Links.LinkURL(l)
		if err != nil {
			return Redeemed{}, false, err
		}
		msg := invitation(partner, l, url, "")
		for _, to := range offerRecipients(plan, t) {
			w.Emails = append(w.Emails, Email{ID: s.NewID("out"), OrgID: partner.ID, To: []string{to}, Message: msg})
		}
	}
	actor := ActorOf(sess.Principal)
	w.Activities = append(w.Activities,
		Activity{ID: s.NewID("act"), OrgID: partner.ID, At: now, Actor: actor, Action: "product_key.redeemed", Target: Target{"product_key", key.ID},
			CustomerID: cust.ID, PartnerID: partner.ID, After: after},
		Activity{ID: s.NewID("act"), OrgID: cust.ID, At: now, Actor: actor, Action: "subscription.created", Target: Target{"subscription", sub.ID},
			CustomerID: cust.ID, PartnerID: partner.ID, After: after})
	if plan.customer != nil {
		w.Emails = append(w.Emails, Email{ID: s.NewID("out"), OrgID: partner.ID, To: []string{plan.admin.Email},
			Message: CustomerAdminAccount{Partner: partner, Customer: cust, Admin: plan.admin, Password: plan.password, Subscription: sub}})
	}
	if idem != nil {
		idem.ResourceID = key.ID
		w.Idempotency = idem
	}
	if err := s.Store.Redeem(ctx, w); err != nil {
		return Redeemed{}, false, err
	}
	return Redeemed{Key: key, Customer: cust, NewCustomer: plan.customer != nil, Subscription: sub, Offer: offer}, false, nil
}

func deref(r *Redeemed) Redeemed {
	if r == nil {
		return Redeemed{}
	}
	return *r
}

// offerRecipients are the admins a delegated-admin offer made with a redemption is emailed to: a
// new organization's admin, or an existing customer's admins (among its first users).
func offerRecipients(plan redemptionPlan, t redemptionTarget) []string {
	if plan.customer != nil {
		return []string{plan.admin.Email}
	}
	var to []string
	for _, u := range t.users {
		if CustomerRoleOf(u) == CustomerRoleAdmin && !slices.Contains(to, u.Email) && len(to) < MaxRecipients {
			to = append(to, u.Email)
		}
	}
	return to
}
