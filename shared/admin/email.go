package admin

import "time"

// Email is one email to send, written as an outbox item in the same transaction as the business
// change that causes it (docs/architecture.md, "Email outbox"). The domain says what happened —
// Message is one of the message types below, with the facts it reports — and the email side
// (shared/email, reached through the outbox in shared/store) decides the template, subject,
// wording, date formats and the 21Vianet variants.
type Email struct {
	ID    string
	OrgID string // the organization whose action caused it
	To    []string
	Message
}

// Message is what an email says: LinkInvitation, CustomerWelcome, PartnerAnswer or
// DelegatedAdminEnded.
type Message interface{ isMessage() }

// LinkInvitation sends a link to a prospective customer on behalf of the partner, with the
// partner's personal note.
type LinkInvitation struct {
	Partner Partner
	Link    Link
	URL     string
	Note    string
	// Trial is the product of a trial invitation; Lines are a purchase offer's products with
	// their names.
	Trial *Product
	Lines []ProductLine
}

// ProductLine is a product and a license count, as an email names it.
type ProductLine struct {
	ProductName string
	Licenses    int
}

// Outcome is what an acceptance set up, as both sides are told.
type Outcome struct {
	Subscriptions []Subscription
	// DelegatedAdmin is the grant the customer accepted; nil when none was offered or the
	// customer declined (DelegatedAdminDeclined).
	DelegatedAdmin         *DelegatedAdmin
	DelegatedAdminDeclined bool
}

// CustomerWelcome tells a customer admin what was set up through a partner's link.
type CustomerWelcome struct {
	Customer Customer
	Partner  Partner
	Outcome  Outcome
}

// PartnerAnswer tells the partner how a customer answered its link.
type PartnerAnswer struct {
	Partner  Partner
	Customer Customer
	Kind     LinkKind
	// Declined: the customer declined a stand-alone delegated-admin offer (for the other kinds
	// the link was accepted; a declined included offer shows in the Outcome).
	Declined bool
	Outcome  Outcome
}

// DelegatedAdminEnded tells the partner that a customer ended its delegated administration.
type DelegatedAdminEnded struct {
	Partner  Partner
	Customer Customer
	EndedAt  time.Time
}

// CustomerPasswordReset hands a customer user's temporary password, set by a partner user, to the
// address the partner user named. Password is a secret: the outbox stores it sealed, only the
// mailer opens it, and it is removed from the item once sent (shared/store, "sealed facts").
type CustomerPasswordReset struct {
	Partner  Partner
	Customer Customer
	User     User
	Password string
}

func (CustomerPasswordReset) isMessage() {}

func (LinkInvitation) isMessage()      {}
func (CustomerWelcome) isMessage()     {}
func (PartnerAnswer) isMessage()       {}
func (DelegatedAdminEnded) isMessage() {}

// ServiceRequestSent tells the cloud's support desk about a request a partner sent.
type ServiceRequestSent struct {
	Request ServiceRequest
	Topic   SupportTopic
}

// ServiceRequestAttention tells a request's contact (and CC addresses) that the support desk
// needs the partner's answer, with the desk's note.
type ServiceRequestAttention struct {
	Request ServiceRequest
	Note    RequestNote
}

func (ServiceRequestSent) isMessage()      {}
func (ServiceRequestAttention) isMessage() {}

// WebhookDisabledNotice tells a partner's global admins that one of its webhook endpoints was
// disabled after failing for WebhookDisableAfter.
type WebhookDisabledNotice struct {
	Partner      Partner
	Webhook      Webhook
	FailingSince time.Time
}

func (WebhookDisabledNotice) isMessage() {}

// Audience is who a clock email is for: the customer's admins or the partner's global admins.
type Audience string

const (
	AudienceCustomer Audience = "customer"
	AudiencePartner  Audience = "partner"
)

// TrialEnding reminds of a trial's end, DaysLeft days before it: the customer's admins (to
// convert it) and its Partner of Record's global admins (to follow up).
type TrialEnding struct {
	Audience     Audience
	Partner      Partner // the Partner of Record
	Customer     Customer
	Subscription Subscription
	DaysLeft     int
}

// TrialExpired tells the customer's admins that a trial ended unconverted and until when it can
// still be converted.
type TrialExpired struct {
	Partner      Partner // the Partner of Record
	Customer     Customer
	Subscription Subscription
	ConvertBy    time.Time
}

// DelegatedAdminEnding reminds both sides of a delegated administration's end, DaysLeft days
// before it; Extends says it will extend itself instead.
type DelegatedAdminEnding struct {
	Audience     Audience
	Partner      Partner
	Relationship Relationship
	DaysLeft     int
	Extends      bool
}

// DelegatedAdminExtended tells both sides that a delegated administration extended itself at
// PreviousEnd (its new end is in the relationship).
type DelegatedAdminExtended struct {
	Audience     Audience
	Partner      Partner
	Relationship Relationship
	PreviousEnd  time.Time
}

// DelegatedAdminExpired tells both sides that a delegated administration reached its end;
// AutoExtendRefused: it had asked to extend itself, which a full one cannot.
type DelegatedAdminExpired struct {
	Audience          Audience
	Partner           Partner
	Relationship      Relationship
	AutoExtendRefused bool
}

func (TrialEnding) isMessage()            {}
func (TrialExpired) isMessage()           {}
func (DelegatedAdminEnding) isMessage()   {}
func (DelegatedAdminExtended) isMessage() {}
func (DelegatedAdminExpired) isMessage()  {}

// CustomerAdminAccount tells the admin of a customer organization a partner set up (redeeming a
// product key) how to sign in: the sign-in address and a one-time temporary password, which
// must be changed at the first sign-in. Password is a secret: stored sealed, like
// CustomerPasswordReset's.
type CustomerAdminAccount struct {
	Partner      Partner
	Customer     Customer
	Admin        User
	Password     string
	Subscription Subscription
}

func (CustomerAdminAccount) isMessage() {}
