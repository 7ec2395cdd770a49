package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// An outbox item stores an email as a template name and a map of facts, the contract between
// the business transactions and the mailer (docs/architecture.md, "Email outbox"). This file is
// the one place that turns the domain's typed messages into that stored shape. Facts are values,
// not wording: times are RFC 3339, counts are decimal, lists are JSON arrays; shared/email
// decides subjects, sentences, date formats and the 21Vianet variants.

// Outbox template names (shared/email has a template of each name).
const (
	tplTrialInvitation     = "trial_invitation"
	tplPurchaseOffer       = "purchase_offer"
	tplDelegatedAdminOffer = "delegated_admin_offer"
	tplCustomerWelcome     = "customer_welcome"
	tplPartnerAnswer       = "partner_answer"
	tplDelegatedAdminEnded = "delegated_admin_ended"
	tplRequestSent         = "service_request_sent"
	tplRequestAttention    = "service_request_attention"
)

// OutboxEmail is an email in its stored shape: what an outbox item holds besides its state.
type OutboxEmail struct {
	ID       string
	OrgID    string
	Template string
	To       []string
	Data     map[string]string
	Sealed   map[string]string // secret facts, sealed (seal.go)
}

// lineFact and subscriptionFact are the stored shapes of list facts (JSON in a data value).
type lineFact struct {
	ProductName string `json:"productName"`
	Licenses    int    `json:"licenses"`
}

type subscriptionFact struct {
	ProductName string `json:"productName"`
	Licenses    int    `json:"licenses"`
	Status      string `json:"status"`
	TrialEndsAt string `json:"trialEndsAt,omitempty"` // RFC 3339
}

// outboxEmail encodes a domain email in its stored shape.
func outboxEmail(e admin.Email) (OutboxEmail, error) {
	tpl, data, err := encodeMessage(e.Message)
	if err != nil {
		return OutboxEmail{}, fmt.Errorf("store: email %s: %w", e.ID, err)
	}
	return OutboxEmail{ID: e.ID, OrgID: e.OrgID, Template: tpl, To: e.To, Data: data}, nil
}

func encodeMessage(m admin.Message) (string, map[string]string, error) {
	switch m := m.(type) {
	case admin.LinkInvitation:
		return encodeInvitation(m)
	case admin.CustomerWelcome:
		d := partnerFacts(m.Partner)
		delete(d, "partnerWebsite")
		d["customerName"] = m.Customer.Name
		outcomeFacts(d, m.Outcome)
		return tplCustomerWelcome, d, nil
	case admin.PartnerAnswer:
		d := map[string]string{"partnerName": m.Partner.Contact.Name, "cloud": string(m.Partner.Cloud),
			"customerName": m.Customer.Name, "customerDomain": m.Customer.DomainPrefix, "offerKind": string(m.Kind), "answer": "accepted"}
		if m.Declined {
			d["answer"] = "declined"
		}
		outcomeFacts(d, m.Outcome)
		return tplPartnerAnswer, d, nil
	case admin.DelegatedAdminEnded:
		return tplDelegatedAdminEnded, map[string]string{"partnerName": m.Partner.Contact.Name, "cloud": string(m.Partner.Cloud),
			"customerName": m.Customer.Name, "customerDomain": m.Customer.DomainPrefix, "endedAt": stamp(m.EndedAt)}, nil
	case admin.ServiceRequestSent:
		r := m.Request
		d := requestFacts(r)
		d["severity"], d["topic"], d["description"], d["sentAt"] = string(r.Severity), m.Topic.Name, r.Description, stamp(r.SentAt)
		d["customerDomain"], d["contactName"], d["contactEmail"], d["contactPhone"] = r.CustomerDomain, r.Contact.Name, r.Contact.Email, r.Contact.Phone
		d["cc"] = jsonFact(append([]string{}, r.CC...))
		return tplRequestSent, d, nil
	case admin.ServiceRequestAttention:
		d := requestFacts(m.Request)
		d["note"] = m.Note.Text
		return tplRequestAttention, d, nil
	case admin.CustomerPasswordReset:
		return tplCustomerPasswordReset, map[string]string{"partnerName": m.Partner.Contact.Name, "cloud": string(m.Partner.Cloud),
			"customerName": m.Customer.Name, "customerDomain": m.Customer.DomainPrefix, "userName": m.User.DisplayName, "userEmail": m.User.Email}, nil
	}
	if enc, ok := contextEncoders.Load(reflect.TypeOf(m)); ok {
		return enc.(encoder)(m)
	}
	return "", nil, fmt.Errorf("no stored shape for message %T", m)
}

// encoder gives a message its template and facts.
type encoder func(admin.Message) (string, map[string]string, error)

// contextEncoders encode the messages of the contexts whose storage is a type of its own (the
// clock, notifications, webhooks, product keys): each registers its encoders when that type is
// built, so only the functions that build it link them. The link pages' binaries, which write
// outbox items too, are at their size budget.
var contextEncoders sync.Map // reflect.Type of the message → encoder

func registerEncoder(enc encoder, messages ...admin.Message) {
	for _, m := range messages {
		contextEncoders.LoadOrStore(reflect.TypeOf(m), enc)
	}
}

func encodeWebhookDisabled(m admin.Message) (string, map[string]string, error) {
	n := m.(admin.WebhookDisabledNotice)
	return tplWebhookDisabled, map[string]string{"partnerName": n.Partner.Contact.Name, "cloud": string(n.Partner.Cloud),
		"webhookId": n.Webhook.ID, "webhookUrl": n.Webhook.URL, "failingSince": stamp(n.FailingSince), "disabledAt": stamp(n.Webhook.DisabledAt)}, nil
}

func encodeCustomerAdminAccount(m admin.Message) (string, map[string]string, error) {
	a := m.(admin.CustomerAdminAccount)
	d := partnerFacts(a.Partner)
	d["customerName"], d["customerDomain"], d["userName"], d["userEmail"] = a.Customer.Name, a.Customer.DomainPrefix, a.Admin.DisplayName, a.Admin.Email
	d["subscriptions"] = jsonFact([]subscriptionFact{{ProductName: a.Subscription.ProductName, Licenses: a.Subscription.Licenses, Status: string(a.Subscription.Status)}})
	return tplCustomerAdminAccount, d, nil
}

func encodeSubscriptionNotice(m admin.Message) (string, map[string]string, error) {
	return tplSubscriptionEvent, subscriptionEventFacts(m.(admin.SubscriptionNotice)), nil
}

// tplCustomerPasswordReset carries the temporary password as a sealed fact.
const tplCustomerPasswordReset = "customer_password_reset"

// secretFacts are the facts of m that are stored sealed, never in data.
func secretFacts(m admin.Message) map[string]string {
	switch m := m.(type) {
	case admin.CustomerPasswordReset:
		return map[string]string{"temporaryPassword": m.Password}
	case admin.CustomerAdminAccount:
		return map[string]string{"temporaryPassword": m.Password}
	}
	return nil
}

// tplCustomerAdminAccount carries the new admin's temporary password as a sealed fact.
const tplCustomerAdminAccount = "customer_admin_account"

func encodeInvitation(m admin.LinkInvitation) (string, map[string]string, error) {
	d := partnerFacts(m.Partner)
	d["link"], d["message"] = m.URL, m.Note
	if o := m.Link.DelegatedAdmin; o != nil {
		d["delegatedAdmin"], d["scope"], d["durationDays"] = string(o.Scope), string(o.Scope), strconv.Itoa(o.DurationDays)
	}
	switch m.Link.Kind {
	case admin.LinkTrial:
		if m.Trial == nil {
			return "", nil, fmt.Errorf("trial invitation without its product")
		}
		d["productName"], d["trialDays"] = m.Trial.Name, strconv.Itoa(m.Trial.TrialLength())
		return tplTrialInvitation, d, nil
	case admin.LinkOffer:
		lines := make([]lineFact, len(m.Lines))
		for i, l := range m.Lines {
			lines[i] = lineFact{ProductName: l.ProductName, Licenses: l.Licenses}
		}
		d["lines"] = jsonFact(lines)
		return tplPurchaseOffer, d, nil
	case admin.LinkDelegatedAdmin:
		return tplDelegatedAdminOffer, d, nil
	}
	return "", nil, fmt.Errorf("no invitation template for link kind %q", m.Link.Kind)
}

func partnerFacts(p admin.Partner) map[string]string {
	c := p.Contact
	return map[string]string{"partnerName": c.Name, "partnerPhone": c.Phone, "partnerEmail": c.Email,
		"partnerWebsite": c.Website, "cloud": string(p.Cloud)}
}

// outcomeFacts adds what an acceptance set up: the subscriptions and the delegated
// administration granted (scope and end) or declined.
func outcomeFacts(d map[string]string, o admin.Outcome) {
	subs := make([]subscriptionFact, len(o.Subscriptions))
	for i, s := range o.Subscriptions {
		subs[i] = subscriptionFact{ProductName: s.ProductName, Licenses: s.Licenses, Status: string(s.Status)}
		if !s.TrialEndsAt.IsZero() {
			subs[i].TrialEndsAt = stamp(s.TrialEndsAt)
		}
	}
	d["subscriptions"] = jsonFact(subs)
	if da := o.DelegatedAdmin; da != nil {
		d["grantScope"], d["grantEndsAt"] = string(da.Scope), stamp(da.EndsAt)
	}
	if o.DelegatedAdminDeclined {
		d["grantDeclined"] = "true"
	}
}

// requestFacts are the facts every service request email has.
func requestFacts(r admin.ServiceRequest) map[string]string {
	return map[string]string{"requestId": r.ID, "title": r.Title, "customerName": r.CustomerName, "partnerName": r.PartnerName, "cloud": string(r.Cloud)}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func jsonFact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode %T: %v", v, err)) // plain structs always encode
	}
	return string(b)
}

// tplSubscriptionEvent tells a partner's subscribed users of a change of a subscription.
const tplSubscriptionEvent = "subscription_event"

func subscriptionEventFacts(m admin.SubscriptionNotice) map[string]string {
	e, sub := m.Event, m.Event.Subscription
	d := map[string]string{"partnerName": m.Partner.Contact.Name, "cloud": string(m.Partner.Cloud), "customerName": e.CustomerName,
		"productName": sub.ProductName, "subscriptionId": sub.ID, "eventKind": string(e.Kind), "licenses": strconv.Itoa(sub.Licenses),
		"status": string(sub.Status), "changedAt": stamp(e.At)}
	if b := e.Before; b != nil {
		d["previousLicenses"], d["previousStatus"] = strconv.Itoa(b.Licenses), string(b.Status)
	}
	if e.Kind == admin.EventPartnerOfRecordChanged {
		d["porRole"] = "new"
		if sub.PartnerOfRecord != e.PartnerID {
			d["porRole"] = "previous"
		}
	}
	return d
}

// tplWebhookDisabled tells a partner's global admins that a webhook endpoint was disabled.
const tplWebhookDisabled = "webhook_disabled"

// The clock's emails (admin/clock.go).
const (
	tplTrialEnding            = "trial_ending"
	tplTrialExpired           = "trial_expired"
	tplDelegatedAdminEnding   = "delegated_admin_ending"
	tplDelegatedAdminExtended = "delegated_admin_extended"
	tplDelegatedAdminExpired  = "delegated_admin_expired"
)

func encodeClockMessage(m admin.Message) (string, map[string]string, error) {
	trial := func(p admin.Partner, c admin.Customer, sub admin.Subscription) map[string]string {
		d := partnerFacts(p)
		d["customerName"], d["productName"], d["licenses"], d["trialEndsAt"] = c.Name, sub.ProductName, strconv.Itoa(sub.Licenses), stamp(sub.TrialEndsAt)
		return d
	}
	grant := func(a admin.Audience, p admin.Partner, r admin.Relationship) map[string]string {
		d := map[string]string{"audience": string(a), "partnerName": p.Contact.Name, "cloud": string(p.Cloud),
			"customerName": r.CustomerName, "customerDomain": r.CustomerDomain}
		if g := r.DelegatedAdmin; g != nil {
			d["scope"], d["endsAt"] = string(g.Scope), stamp(g.EndsAt)
		}
		return d
	}
	switch m := m.(type) {
	case admin.TrialEnding:
		d := trial(m.Partner, m.Customer, m.Subscription)
		d["audience"], d["daysLeft"] = string(m.Audience), strconv.Itoa(m.DaysLeft)
		return tplTrialEnding, d, nil
	case admin.TrialExpired:
		d := trial(m.Partner, m.Customer, m.Subscription)
		d["convertBy"] = stamp(m.ConvertBy)
		return tplTrialExpired, d, nil
	case admin.DelegatedAdminEnding:
		d := grant(m.Audience, m.Partner, m.Relationship)
		d["daysLeft"] = strconv.Itoa(m.DaysLeft)
		if m.Extends {
			d["extends"] = "true"
		}
		return tplDelegatedAdminEnding, d, nil
	case admin.DelegatedAdminExtended:
		d := grant(m.Audience, m.Partner, m.Relationship)
		d["previousEndsAt"] = stamp(m.PreviousEnd)
		return tplDelegatedAdminExtended, d, nil
	case admin.DelegatedAdminExpired:
		d := grant(m.Audience, m.Partner, m.Relationship)
		if g := m.Relationship.DelegatedAdmin; g != nil && g.EndedAt != nil {
			d["endedAt"] = stamp(*g.EndedAt)
		}
		if m.AutoExtendRefused {
			d["autoExtendRefused"] = "true"
		}
		return tplDelegatedAdminExpired, d, nil
	}
	return "", nil, fmt.Errorf("no stored shape for message %T", m)
}
