package admin

import (
	"context"
	"slices"
)

// A subscription's Partner of Record is the partner credited with it: the one whose link or key
// created it, until a customer admin names another. Its dated history (PORHistory: who, from
// when, to when) keeps every earlier one. Only a partner authorized as a subscription advisor in
// the customer's cloud can be named; any other id, existing or not, is the same not-found.

// PartnerOfRecordStore is what changing a Partner of Record needs from storage.
type PartnerOfRecordStore interface {
	// SubscriptionAndPartner reads a customer's subscription and a partner in one round trip;
	// nil for what does not exist.
	SubscriptionAndPartner(ctx context.Context, customerID, subscriptionID, partnerID string) (*Subscription, *Partner, error)
	// ChangePartnerOfRecord writes the subscription guarded by prevVersion
	// (CodeVersionConflict), on the condition that the new partner is still a subscription
	// advisor of the subscription's cloud (CodeNotFound "partner"), with the activity entries,
	// in one transaction.
	ChangePartnerOfRecord(ctx context.Context, sub Subscription, prevVersion int, cloud Cloud, acts []Activity) error
}

// PartnerOfRecordService is the customer admin's change of a subscription's Partner of Record.
type PartnerOfRecordService struct {
	Env
	Store PartnerOfRecordStore
}

// PORChange names the new Partner of Record of a subscription, against Version.
type PORChange struct {
	PartnerID string
	Version   int
}

// ChangePartnerOfRecord makes ch.PartnerID the Partner of Record of one of the customer's
// subscriptions: the current period ends now and the new one starts; the customer's log and both
// partners' logs get an entry. Naming the current one changes nothing. The table's change
// stream tells both partners (the notifier).
// Errors: CodeValidation (partnerId, version), CodeNotFound ("subscription"; "partner": unknown,
// not a subscription advisor or of another cloud), CodeVersionConflict, CodeInvalidTransition
// (a cancelled subscription).
func (s *PartnerOfRecordService) ChangePartnerOfRecord(ctx context.Context, cs CustomerSession, subscriptionID string, ch PORChange) (Subscription, error) {
	var p Problems
	switch {
	case ch.PartnerID == "":
		p.Add("partnerId", "required", "is required: the partner to make Partner of Record")
	case !ValidID("ptn", ch.PartnerID):
		p.Add("partnerId", "id", "must be a partner id")
	}
	checkVersion(&p, ch.Version)
	if err := p.Err(); err != nil {
		return Subscription{}, err
	}
	if !ValidID("sub", subscriptionID) {
		return Subscription{}, NotFound("subscription")
	}
	sub, partner, err := s.Store.SubscriptionAndPartner(ctx, cs.Customer.ID, subscriptionID, ch.PartnerID)
	if err != nil {
		return Subscription{}, err
	}
	if sub == nil {
		return Subscription{}, NotFound("subscription")
	}
	if partner == nil || partner.Cloud != cs.Customer.Cloud || !slices.Contains(partner.Authorizations, AuthSubscriptionAdvisor) {
		return Subscription{}, NotFound("partner")
	}
	if ch.Version != sub.Version {
		return Subscription{}, versionConflict(sub.Version)
	}
	if sub.PartnerOfRecord == ch.PartnerID {
		return *sub, nil
	}
	if sub.Status == SubscriptionCancelled {
		return Subscription{}, invalidTransition("partnerId", "the subscription is cancelled; its Partner of Record stays as it was")
	}
	now := s.Now()
	after := *sub
	after.PORHistory = slices.Clone(sub.PORHistory)
	if n := len(after.PORHistory); n > 0 && after.PORHistory[n-1].To == nil {
		after.PORHistory[n-1].To = &now
	}
	after.PORHistory = append(after.PORHistory, PORPeriod{PartnerID: ch.PartnerID, From: now})
	after.PartnerOfRecord, after.Version = ch.PartnerID, sub.Version+1
	actor := Actor{Type: "user", ID: cs.User.ID, Email: cs.User.Email}
	before, changed := map[string]any{"partnerOfRecord": sub.PartnerOfRecord}, map[string]any{"partnerOfRecord": ch.PartnerID}
	entry := func(orgID string) Activity {
		return Activity{ID: s.NewID("act"), OrgID: orgID, At: now, Actor: actor, Action: string(EventPartnerOfRecordChanged),
			Target: Target{"subscription", sub.ID}, CustomerID: cs.Customer.ID, Before: before, After: changed}
	}
	acts := []Activity{entry(cs.Customer.ID), entry(ch.PartnerID)}
	if sub.PartnerOfRecord != "" {
		acts = append(acts, entry(sub.PartnerOfRecord))
	}
	if err := s.Store.ChangePartnerOfRecord(ctx, after, sub.Version, cs.Customer.Cloud, acts); err != nil {
		return Subscription{}, err
	}
	return after, nil
}
