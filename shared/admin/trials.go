package admin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// TrialStore is what converting a trial needs from storage.
type TrialStore interface {
	// TenantSubscription reads one of a customer's subscriptions (CodeNotFound).
	TenantSubscription(ctx context.Context, customerID, subscriptionID string) (Subscription, error)
	// ConvertTrial writes the converted subscription guarded by prevVersion
	// (CodeVersionConflict), removes its clock entry and writes the activity entries, in one
	// transaction.
	ConvertTrial(ctx context.Context, sub Subscription, prevVersion int, acts []Activity) error
}

// TrialService is the customer admin's conversion of a trial to a paid subscription (the clock,
// clock.go, ends the trials nobody converts).
type TrialService struct {
	Env
	Store TrialStore
}

// ConvertTrial turns a trial into a paid subscription with licenses, keeping its id, before its
// end or within ConversionWindow after it (an expired trial too). The subscription becomes
// active, its version one higher; the customer's log and its Partner of Record's get an entry.
// A concurrent change (the clock expiring it) is decided again from a fresh read.
// Errors: CodeValidation (licenses missing or outside the product's limits), CodeNotFound,
// CodeInvalidTransition (not a trial), CodeConversionWindowClosed, CodeConcurrentRequest.
func (s *TrialService) ConvertTrial(ctx context.Context, cs CustomerSession, subscriptionID string, licenses *int) (Subscription, error) {
	if licenses == nil {
		return Subscription{}, FieldErr("licenses", "required", "is required: the number of paid licenses")
	}
	if !ValidID("sub", subscriptionID) {
		return Subscription{}, NotFound("subscription")
	}
	for attempt := 0; ; attempt++ {
		sub, err := s.convert(ctx, cs, subscriptionID, *licenses)
		if c := ErrorCode(err); c != CodeVersionConflict && c != CodeConcurrentRequest || attempt == 2 {
			if c == CodeVersionConflict {
				err = Errorf(CodeConcurrentRequest, "the subscription changed meanwhile; retry")
			}
			return sub, err
		}
		if err := pause(ctx, time.Duration(5+rand.IntN(20<<attempt))*time.Millisecond); err != nil {
			return Subscription{}, fmt.Errorf("convert trial %s: %w", subscriptionID, err)
		}
	}
}

func (s *TrialService) convert(ctx context.Context, cs CustomerSession, subscriptionID string, licenses int) (Subscription, error) {
	sub, err := s.Store.TenantSubscription(ctx, cs.Customer.ID, subscriptionID)
	if err != nil {
		return Subscription{}, err
	}
	now := s.Now()
	if sub.Status != SubscriptionTrial && sub.Status != SubscriptionExpired {
		return Subscription{}, Errorf(CodeInvalidTransition, "only a trial converts to a paid subscription; this one is %s", sub.Status)
	}
	if closes := sub.TrialEndsAt.Add(ConversionWindow); !now.Before(closes) {
		return Subscription{}, Errorf(CodeConversionWindowClosed,
			"a trial converts until 30 days after its end; this one's window closed at %s", closes.UTC().Format(time.RFC3339))
	}
	prod, ok := FindProduct(cs.Customer.Cloud, sub.ProductID)
	if !ok {
		return Subscription{}, fmt.Errorf("admin: subscription %s: product %s is not in the %s catalog", sub.ID, sub.ProductID, cs.Customer.Cloud)
	}
	if licenses < prod.MinLicenses || licenses > prod.MaxLicenses {
		return Subscription{}, FieldErr("licenses", "range", "must be from "+itoa(prod.MinLicenses)+" to "+itoa(prod.MaxLicenses))
	}
	after := sub
	// A conversion is a purchase: the 7-day cancellation window opens now.
	after.Status, after.Licenses, after.Version, after.PurchasedAt = SubscriptionActive, licenses, sub.Version+1, now
	before, changed := diffFields(subscriptionFields(sub), subscriptionFields(after))
	a := Activity{At: now, Actor: Actor{Type: "user", ID: cs.User.ID, Email: cs.User.Email}, Action: "subscription.trial_converted",
		Target: Target{"subscription", sub.ID}, CustomerID: cs.Customer.ID, PartnerID: sub.PartnerOfRecord, Before: before, After: changed}
	cust, por := a, a
	cust.ID, cust.OrgID = s.NewID("act"), cs.Customer.ID
	por.ID, por.OrgID = s.NewID("act"), sub.PartnerOfRecord
	if err := s.Store.ConvertTrial(ctx, after, sub.Version, []Activity{cust, por}); err != nil {
		return Subscription{}, err
	}
	return after, nil
}
