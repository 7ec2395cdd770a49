package admin

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Customer is a customer organization (tenant). It lives in one cloud, like its partners.
type Customer struct {
	ID           string
	Name         string
	DomainPrefix string // unique per cloud: <prefix>.onmicrosoft.com (or .partner.onmschina.cn)
	Country      string
	Cloud        Cloud
	Version      int
	CreatedAt    time.Time
	// Admins is the number of the customer's admins, maintained transactionally; it guards "the
	// last admin". Customers signed up before it was kept have none recorded (0): they have
	// exactly their one admin from sign-up (AdminCount).
	Admins int
	// SubscriptionCount is kept on the profile by every transaction that creates a subscription,
	// for the customer list (read with the profile, never counted per request).
	SubscriptionCount int
}

// AdminCount is the number of the customer's admins (an unrecorded count is the sign-up's one).
func (c Customer) AdminCount() int { return max(c.Admins, 1) }

// SubscriptionStatus is the state of a customer subscription.
type SubscriptionStatus string

const (
	SubscriptionTrial     SubscriptionStatus = "trial"
	SubscriptionActive    SubscriptionStatus = "active"
	SubscriptionSuspended SubscriptionStatus = "suspended" // by the partner; reactivated to active
	SubscriptionCancelled SubscriptionStatus = "cancelled" // final (subscriptions.go)
	// SubscriptionExpired is a trial that ended without being converted: its licenses are no
	// longer usable; a customer admin may still convert it for a while (the clock sets it).
	SubscriptionExpired SubscriptionStatus = "expired"
)

// Subscription is a customer's subscription to a product. The partner through whose link it was
// set up is its Partner of Record (POR), kept as a dated history.
type Subscription struct {
	ID              string
	CustomerID      string
	ProductID       string
	ProductName     string
	Licenses        int
	Status          SubscriptionStatus
	TrialEndsAt     time.Time
	PartnerOfRecord string
	PORHistory      []PORPeriod
	LinkID          string
	Version         int
	CreatedAt       time.Time
	// PurchasedAt is when a converted trial became paid (zero: bought at CreatedAt); the
	// cancellation window counts from the purchase (Purchased).
	PurchasedAt time.Time
}

// Purchased is when the subscription was bought: its conversion for a converted trial, else
// its creation.
func (s Subscription) Purchased() time.Time {
	if !s.PurchasedAt.IsZero() {
		return s.PurchasedAt
	}
	return s.CreatedAt
}

// PORPeriod is one period of a subscription's Partner of Record history.
type PORPeriod struct {
	PartnerID string
	From      time.Time
	To        *time.Time // when the next Partner of Record took over; nil for the current one
}

// DelegatedAdmin is a customer's grant of delegated administration to a partner: a scope and an
// end date (no standing access), optionally extending itself; the customer may end it any time.
type DelegatedAdmin struct {
	Scope      CustomerAccess
	StartsAt   time.Time
	EndsAt     time.Time
	AutoExtend bool
	Status     string // active or ended
	EndedAt    *time.Time
}

// Relationship links a customer and a partner: since when, and any delegated administration.
type Relationship struct {
	CustomerID     string
	CustomerName   string
	CustomerDomain string
	PartnerID      string
	PartnerName    string
	Since          time.Time
	DelegatedAdmin *DelegatedAdmin
	Version        int
}

// NewCustomer is the sign-up form of a link page.
type NewCustomer struct {
	Name         string
	DomainPrefix string
	Country      string
	AdminName    string
	Email        string
	Password     string
}

// Acceptance is what a customer answers on a link page.
type Acceptance struct {
	Code string
	// Exactly one of SignUp and SignIn.
	SignUp *NewCustomer
	SignIn *Credentials
	// Licenses overrides a purchase offer's counts, by product id, within the product's limits.
	Licenses map[string]int
	// DelegatedAdmin answers an included or stand-alone delegated-admin offer: "accept" or
	// "decline" (a stand-alone offer must be accepted to be of any use).
	DelegatedAdmin string
	// SourceIP of the request (rate limits).
	SourceIP string
}

// Credentials are an existing customer admin's email and password.
type Credentials struct {
	Email, Password string
}

// Accepted is the outcome shown on the confirmation page.
type Accepted struct {
	Customer       Customer
	Partner        Partner
	Subscriptions  []Subscription
	DelegatedAdmin *DelegatedAdmin // nil: not offered or declined
	Declined       bool
	NewCustomer    bool
}

// LinkView is what a link page shows: the link and its partner.
type LinkView struct {
	Link    Link
	Partner Partner
}

// AcceptStore is what the customer-facing link pages need from storage.
type AcceptStore interface {
	// ResolveCode reads the link and partner of a code's hash (CodeNotFound if unknown).
	ResolveCode(ctx context.Context, codeHash string) (Link, Partner, error)
	// CountInvalidCode counts a failed code lookup of a source in the current window and
	// returns the count.
	CountInvalidCode(ctx context.Context, source string, now time.Time, window time.Duration) (int, error)
	// Accept writes every effect of an acceptance in one transaction. The link condition
	// (active, not expired, uses left) is checked in it; a failure is ErrLinkInvalid. A
	// conflict with a concurrent write is CodeConcurrentRequest; a taken domain prefix is
	// CodeValidation, a taken email CodeEmailTaken.
	Accept(ctx context.Context, a AcceptWrite) error
	// Relationship reads a customer's relationship with a partner (CodeNotFound if none).
	Relationship(ctx context.Context, customerID, partnerID string) (Relationship, error)
}

// CredentialChecker checks an existing customer admin's email and password (IdentityService).
type CredentialChecker interface {
	SignIn(ctx context.Context, email, password string, kinds ...OrgKind) (Login, error)
}

// AcceptService is the customer's side of the links context: the link pages open a link and
// accept it (signing a new organization up, or an existing admin in).
type AcceptService struct {
	Env
	Store       AcceptStore
	Codes       Codes
	Passwords   Passwords
	Credentials CredentialChecker
	// Retry is how often a conflict with a concurrent acceptance of the same link is retried
	// (0: 6), each after a random pause that grows with the attempt.
	Retry int
}

// AcceptWrite is everything one acceptance writes.
type AcceptWrite struct {
	Link            Link
	Use             LinkUse
	Now             time.Time
	NewCustomer     *Customer // with Admin and AdminLogin
	Admin           User
	AdminLogin      Login
	Subscriptions   []Subscription
	Relationship    Relationship
	NewRelationship bool // else the existing one is updated (version-guarded)
	PrevVersion     int
	Activities      []Activity
	Emails          []Email
}

// Invalid-code rate limit: failed lookups per source address and window.
const (
	InvalidCodeWindow = 10 * time.Minute
	MaxInvalidCodes   = 20
)

// ErrLinkInvalid is the one answer for unknown, expired, revoked and used-up codes.
var ErrLinkInvalid = Errorf(CodeNotFound, "this link is not valid")

// OpenLink resolves a code for its page. Unknown, expired, revoked and used-up codes all get
// ErrLinkInvalid; a source that tries too many unknown codes is throttled (the only write a GET
// may cause is that counter; no business state changes).
func (s *AcceptService) OpenLink(ctx context.Context, code, sourceIP string) (LinkView, error) {
	l, p, err := s.resolve(ctx, code, sourceIP)
	return LinkView{Link: l, Partner: p}, err
}

func (s *AcceptService) resolve(ctx context.Context, code, sourceIP string) (Link, Partner, error) {
	now := s.Now()
	var l Link
	var p Partner
	var err error = ErrLinkInvalid
	if wellFormedCode(code) {
		l, p, err = s.Store.ResolveCode(ctx, s.Codes.Hash(code))
		if err == nil && l.State(now) != LinkActive {
			return Link{}, Partner{}, ErrLinkInvalid // a real code, past its use: not a guess
		}
	}
	if ErrorCode(err) != CodeNotFound {
		return l, p, err
	}
	// An unknown or malformed code: count it against the source's guessing budget.
	n, cerr := s.Store.CountInvalidCode(ctx, sourceIP, now, InvalidCodeWindow)
	if cerr != nil {
		return Link{}, Partner{}, cerr
	}
	if n > MaxInvalidCodes {
		return Link{}, Partner{}, &Error{Code: CodeSignInThrottled, Message: "too many invalid links from this address; try again later",
			RetryAfter: int(InvalidCodeWindow.Seconds())}
	}
	return Link{}, Partner{}, ErrLinkInvalid
}

func wellFormedCode(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// Accept carries out a customer's answer to a link in one transaction. Errors: ErrLinkInvalid,
// CodeValidation and CodeWeakPassword (form fields), CodeEmailTaken, CodeInvalidCredentials,
// CodeSignInThrottled, CodeForbidden (a customer of another cloud).
func (s *AcceptService) Accept(ctx context.Context, in Acceptance) (Accepted, error) {
	l, p, err := s.resolve(ctx, in.Code, in.SourceIP)
	if err != nil {
		return Accepted{}, err
	}
	// Validate the answers before anything else.
	var pr Problems
	offersDA := l.DelegatedAdmin != nil
	switch {
	case offersDA && in.DelegatedAdmin != "accept" && in.DelegatedAdmin != "decline":
		pr.Add("delegatedAdmin", "required", "accept or decline the delegated administration")
	case !offersDA && in.DelegatedAdmin != "":
		pr.Add("delegatedAdmin", "not_offered", "this link offers no delegated administration")
	case l.Kind == LinkDelegatedAdmin && in.DelegatedAdmin == "decline":
		// A stand-alone offer may be declined: the partner is told; nothing else changes.
	}
	lines := l.Lines
	if l.Kind == LinkOffer {
		lines = make([]OfferLine, len(l.Lines))
		for i, line := range l.Lines {
			lines[i] = line
			if n, ok := in.Licenses[line.ProductID]; ok {
				prod, _ := FindProduct(p.Cloud, line.ProductID)
				if n < prod.MinLicenses || n > prod.MaxLicenses {
					pr.Add("licenses."+line.ProductID, "range", "must be from "+itoa(prod.MinLicenses)+" to "+itoa(prod.MaxLicenses))
				}
				lines[i].Licenses = n
			}
		}
		for id := range in.Licenses {
			if !slicesContainsLine(l.Lines, id) {
				pr.Add("licenses."+id, "not_offered", "is not a product of this offer")
			}
		}
	}
	if (in.SignUp == nil) == (in.SignIn == nil) {
		pr.Add("account", "required", "sign up a new organization or sign in as an existing customer admin")
	}
	now := s.Now()
	w := AcceptWrite{Link: l, Now: now}
	var customer Customer
	if in.SignUp != nil {
		c, u, login, err := s.newCustomer(&pr, p.Cloud, *in.SignUp, now)
		if err != nil {
			return Accepted{}, err
		}
		customer, w.NewCustomer, w.Admin, w.AdminLogin = c, &c, u, login
	}
	if err := pr.Err(); err != nil {
		return Accepted{}, err
	}
	if in.SignIn != nil {
		login, err := s.Credentials.SignIn(ctx, in.SignIn.Email, in.SignIn.Password, OrgCustomer)
		if err != nil {
			return Accepted{}, err
		}
		if login.Cloud != p.Cloud {
			return Accepted{}, errForbidden("this organization is in another cloud than the partner; it cannot accept this link")
		}
		customer = Customer{ID: login.OrgID, Name: login.OrgName, DomainPrefix: login.OrgDomain, Cloud: login.Cloud}
		w.Admin = User{ID: login.UserID, OrgID: login.OrgID, OrgKind: OrgCustomer, Email: login.Email}
	}
	if l.TargetCustomerID != "" && l.TargetCustomerID != customer.ID {
		return Accepted{}, ErrLinkInvalid // offered to another customer: as if it did not exist
	}
	// The subscriptions bought or tried through the link, with its partner as POR.
	switch l.Kind {
	case LinkTrial:
		prod, _ := FindProduct(p.Cloud, l.ProductID)
		w.Subscriptions = append(w.Subscriptions, s.subscription(customer.ID, p.ID, l.ID, prod, prod.TrialLicenseCap, SubscriptionTrial, now.AddDate(0, 0, prod.TrialLength()), now))
	case LinkOffer:
		for _, line := range lines {
			prod, _ := FindProduct(p.Cloud, line.ProductID)
			w.Subscriptions = append(w.Subscriptions, s.subscription(customer.ID, p.ID, l.ID, prod, line.Licenses, SubscriptionActive, time.Time{}, now))
		}
	}
	// The relationship: new, or the existing one (a returning customer).
	rel := Relationship{CustomerID: customer.ID, CustomerName: customer.Name, CustomerDomain: customer.DomainPrefix,
		PartnerID: p.ID, PartnerName: p.Contact.Name, Since: now, Version: 1}
	w.NewRelationship = true
	if w.NewCustomer == nil {
		prev, err := s.Store.Relationship(ctx, customer.ID, p.ID)
		switch {
		case err == nil:
			rel, w.NewRelationship, w.PrevVersion = prev, false, prev.Version
			rel.Version++
		case ErrorCode(err) != CodeNotFound:
			return Accepted{}, err
		}
	}
	var da *DelegatedAdmin
	if offersDA && in.DelegatedAdmin == "accept" {
		da = &DelegatedAdmin{Scope: l.DelegatedAdmin.Scope, StartsAt: now, EndsAt: now.AddDate(0, 0, l.DelegatedAdmin.DurationDays),
			AutoExtend: l.DelegatedAdmin.AutoExtend, Status: "active"}
		rel.DelegatedAdmin = da
	}
	w.Relationship = rel
	answer := ""
	if offersDA {
		answer = in.DelegatedAdmin + "ed"
		if in.DelegatedAdmin == "decline" {
			answer = "declined"
		}
	}
	w.Use = LinkUse{LinkID: l.ID, CustomerID: customer.ID, CustomerName: customer.Name, At: now, DelegatedAdmin: answer}
	w.Activities, w.Emails = s.acceptRecords(p, l, customer, w, answer)
	// A conflict with a concurrent acceptance of the same link is retried: the link's condition
	// decides who gets the remaining uses. The pauses end with the request's context.
	retries := s.Retry
	if retries == 0 {
		retries = 6
	}
	for attempt := 0; ; attempt++ {
		err = s.Store.Accept(ctx, w)
		if ErrorCode(err) != CodeConcurrentRequest || attempt == retries {
			break
		}
		if perr := pause(ctx, time.Duration(5+rand.IntN(20<<min(attempt, 8)))*time.Millisecond); perr != nil {
			return Accepted{}, fmt.Errorf("accept link %s: %w", l.ID, perr)
		}
	}
	if err != nil {
		return Accepted{}, err
	}
	return Accepted{Customer: customer, Partner: p, Subscriptions: w.Subscriptions, DelegatedAdmin: da,
		Declined: answer == "declined", NewCustomer: w.NewCustomer != nil}, nil
}

func slicesContainsLine(lines []OfferLine, id string) bool {
	for _, l := range lines {
		if l.ProductID == id {
			return true
		}
	}
	return false
}

// subscription is a new subscription of a customer with partnerID as its Partner of Record from
// now on (a link's acceptance, a product key's redemption).
func (e Env) subscription(customerID, partnerID, linkID string, prod Product, licenses int, st SubscriptionStatus, trialEnds, now time.Time) Subscription {
	return Subscription{ID: e.NewID("sub"), CustomerID: customerID, ProductID: prod.ID, ProductName: prod.Name, Licenses: licenses,
		Status: st, TrialEndsAt: trialEnds, PartnerOfRecord: partnerID, PORHistory: []PORPeriod{{PartnerID: partnerID, From: now}},
		LinkID: linkID, Version: 1, CreatedAt: now}
}

// newCustomer validates a sign-up and builds the organization, its admin and the admin's login.
func (s *AcceptService) newCustomer(pr *Problems, cloud Cloud, n NewCustomer, now time.Time) (Customer, User, Login, error) {
	c, u, l := s.newOrganization(pr, signUpFields, cloud, n, now)
	if err := CheckPassword("password", n.Password, u.Email, u.DisplayName); err != nil {
		var e *Error
		if errors.As(err, &e) {
			*pr = append(*pr, e.Fields...)
		}
	}
	if len(*pr) > 0 {
		return Customer{}, User{}, Login{}, nil
	}
	hash, err := s.Passwords.Hash(n.Password)
	if err != nil {
		return Customer{}, User{}, Login{}, err
	}
	l.PasswordHash = hash
	return c, u, l, nil
}

// orgFields names the fields of a new organization's form in the problems it gets.
type orgFields struct{ name, prefix, country, adminName, email string }

// signUpFields are the field names of a link page's sign-up form.
var signUpFields = orgFields{"organization", "domainPrefix", "country", "adminName", "email"}

// newOrganization validates a new customer organization's form (its password aside) and builds
// the organization, its admin and the admin's login without a password hash: the one way a
// customer organization comes to be, through a link's acceptance or a product key's redemption.
func (e Env) newOrganization(pr *Problems, f orgFields, cloud Cloud, n NewCustomer, now time.Time) (Customer, User, Login) {
	name := text(pr, f.name, n.Name, 1, 200)
	prefix := strings.ToLower(strings.TrimSpace(n.DomainPrefix))
	if !validPrefix(prefix) {
		pr.Add(f.prefix, "domain_prefix", "must be 3 to 27 lower-case letters and digits, starting with a letter")
	}
	country := strings.ToUpper(strings.TrimSpace(n.Country))
	if len(country) != 2 || !isUpper(country[0]) || !isUpper(country[1]) {
		pr.Add(f.country, "country", "must be an ISO 3166-1 alpha-2 country code such as DE")
	}
	adminName := text(pr, f.adminName, n.AdminName, 1, 100)
	email := NormalizeEmail(pr, f.email, n.Email)
	c := Customer{ID: e.NewID("cus"), Name: name, DomainPrefix: prefix, Country: country, Cloud: cloud, Admins: 1, Version: 1, CreatedAt: now}
	u := User{ID: e.NewID("usr"), OrgID: c.ID, OrgKind: OrgCustomer, Email: email, DisplayName: adminName,
		CompanyRole: RoleGlobalAdmin, CustomerAccess: AccessNone, Status: UserActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	l := Login{Email: email, UserID: u.ID, OrgID: c.ID, OrgKind: OrgCustomer, Cloud: cloud, OrgName: name, OrgDomain: prefix}
	return c, u, l
}

func validPrefix(s string) bool {
	if len(s) < 3 || len(s) > 27 || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// acceptRecords are the activity entries (partner and customer logs) and the two emails.
func (s *AcceptService) acceptRecords(p Partner, l Link, c Customer, w AcceptWrite, answer string) ([]Activity, []Email) {
	actor := Actor{Type: "user", ID: w.Admin.ID, Email: w.Admin.Email}
	after := map[string]any{"link": l.ID, "kind": string(l.Kind), "subscriptions": len(w.Subscriptions)}
	if answer != "" {
		after["delegatedAdmin"] = answer
	}
	acts := []Activity{
		{ID: s.NewID("act"), OrgID: p.ID, At: w.Now, Actor: actor, Action: "link.accepted", Target: Target{"link", l.ID}, CustomerID: c.ID, After: after},
		{ID: s.NewID("act"), OrgID: c.ID, At: w.Now, Actor: actor, Action: "partner.offer_accepted", Target: Target{"partner", p.ID}, CustomerID: c.ID, After: after},
	}
	// The grant in force after the acceptance: this link's, or a returning customer's earlier
	// one while it is active.
	out := Outcome{Subscriptions: w.Subscriptions, DelegatedAdminDeclined: answer == "declined"}
	if da := w.Relationship.DelegatedAdmin; da != nil && da.Status == "active" {
		out.DelegatedAdmin = da
	}
	emails := []Email{
		{ID: s.NewID("out"), OrgID: c.ID, To: []string{w.Admin.Email}, Message: CustomerWelcome{Customer: c, Partner: p, Outcome: out}},
		{ID: s.NewID("out"), OrgID: p.ID, To: []string{p.Contact.Email}, Message: PartnerAnswer{Partner: p, Customer: c, Kind: l.Kind,
			Declined: answer == "declined" && l.Kind == LinkDelegatedAdmin, Outcome: out}},
	}
	return acts, emails
}
