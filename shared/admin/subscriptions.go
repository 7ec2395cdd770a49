package admin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// CancellationWindow is how long after its purchase (Purchased) a subscription may be
// cancelled: the window is open while less than 7 × 24 hours have passed, so at exactly 7 days
// it is closed (like a delegated administration's end, compared with the clock every time).
const CancellationWindow = 7 * 24 * time.Hour

// A partner manages a customer's subscriptions under the customer's active delegated
// administration. The states and what may happen in each:
//
//	trial      licenses (within the product's limits and the trial's cap), until TrialEndsAt.
//	           Not suspended: reactivating a suspension makes a subscription active, which for a
//	           trial would turn it into a paid subscription without a purchase. Not cancelled:
//	           a trial ends by itself at TrialEndsAt (cancellation_window_closed, the one answer
//	           to "this cannot be cancelled", with a detail saying why). After TrialEndsAt it
//	           takes no change at all.
//	active     licenses (within the product's limits), suspended, cancelled (within the window).
//	suspended  active again (reactivated), cancelled (within the window); licenses only after
//	           reactivation.
//	cancelled  final.
//	expired    a trial that ended unconverted (the clock sets it): no change by the partner; the
//	           customer may still convert it (trials.go).
//
// A change the state does not allow is CodeInvalidTransition (409), also "suspend a suspended
// subscription" and "reactivate an active one"; setting licenses to the current count changes
// nothing (200, no write, no log entry).

// SubscriptionStore is what managing a customer's subscriptions needs from storage.
type SubscriptionStore interface {
	// Subscriptions lists a customer's subscriptions (CodeInvalidCursor).
	Subscriptions(ctx context.Context, customerID string, page PageRequest) (Page[Subscription], error)
	// CustomerSubscription reads what CustomerStore.CustomerOfPartner reads and one subscription
	// of that customer, in one round trip. CodeNotFound ("customer") when the customer is not
	// this partner's; a nil subscription when the customer has none of that id.
	CustomerSubscription(ctx context.Context, partnerID, customerID, subscriptionID string) (Customer, Relationship, *Subscription, error)
	// UpdateSubscription writes the changed subscription guarded by prevVersion
	// (CodeVersionConflict), the relationship condition of a write inside a customer (rel as
	// authorized: CodeConcurrentRequest when it changed) and the activity entries, in one
	// transaction.
	UpdateSubscription(ctx context.Context, sub Subscription, prevVersion int, rel Relationship, acts []Activity) error
}

// SubscriptionService is a partner's management of a customer's subscriptions: it enters the
// customer through Customers (the gate, the relationship, the activity entries).
type SubscriptionService struct {
	Customers *CustomerService
	Store     SubscriptionStore
}

// SubscriptionChange is a partner's change of a subscription: exactly one of Licenses and
// Status, made against Version.
type SubscriptionChange struct {
	Licenses *int
	Status   *SubscriptionStatus // active (reactivate), suspended or cancelled
	Version  int
}

func (ch SubscriptionChange) validate() error {
	var p Problems
	switch {
	case ch.Licenses == nil && ch.Status == nil:
		p.Add("licenses", "one_required", "give licenses or status")
		p.Add("status", "one_required", "give licenses or status")
	case ch.Licenses != nil && ch.Status != nil:
		p.Add("status", "exclusive", "give licenses or status, not both")
	case ch.Status != nil && *ch.Status != SubscriptionActive && *ch.Status != SubscriptionSuspended && *ch.Status != SubscriptionCancelled:
		p.Add("status", "invalid", "must be active, suspended or cancelled")
	}
	checkVersion(&p, ch.Version)
	return p.Err()
}

// CustomerSubscriptions lists a customer's subscriptions for a partner user.
// Errors: those of CustomerService.Enter, CodeInvalidCursor.
func (s *SubscriptionService) CustomerSubscriptions(ctx context.Context, c Caller, customerID string, page PageRequest) (Page[Subscription], error) {
	return readInside(ctx, s.Customers, c, customerID, RightReadCustomer, func(ctx context.Context) (Page[Subscription], error) {
		return s.Store.Subscriptions(ctx, customerID, page)
	})
}

// UpdateCustomerSubscription changes a customer's subscription: its licenses, or its status
// (suspend, reactivate, cancel); full access only. It reads the customer, the relationship and
// the subscription in one round trip and writes in one transaction. A write that met a
// concurrent one (CodeConcurrentRequest: a conflicting transaction, or the customer's delegated
// administration changed since the read) is decided again from a fresh read, so the answer is
// the one the state now gives: the winner's change is a version conflict, an ended delegated
// administration is CodeDelegatedAdminRequired.
// Errors: those of CustomerService.Enter, CodeValidation, CodeNotFound (no such subscription of
// this customer), CodeVersionConflict, CodeInvalidTransition, CodeCancellationWindowClosed,
// CodeConcurrentRequest (still conflicting after retries).
func (s *SubscriptionService) UpdateCustomerSubscription(ctx context.Context, c Caller, customerID, subscriptionID string, ch SubscriptionChange) (Subscription, error) {
	for attempt := 0; ; attempt++ {
		sub, err := s.updateSubscription(ctx, c, customerID, subscriptionID, ch)
		if ErrorCode(err) != CodeConcurrentRequest || attempt == 2 {
			return sub, err
		}
		if err := pause(ctx, time.Duration(5+rand.IntN(20<<attempt))*time.Millisecond); err != nil {
			return Subscription{}, fmt.Errorf("update subscription %s: %w", subscriptionID, err)
		}
	}
}

// updateSubscription is one read, decision and write of UpdateCustomerSubscription.
func (s *SubscriptionService) updateSubscription(ctx context.Context, c Caller, customerID, subscriptionID string, ch SubscriptionChange) (Subscription, error) {
	// The customer, the relationship and the subscription: one round trip, alongside the caller's
	// authentication.
	var sub *Subscription
	scope, err := s.Customers.enterVia(ctx, c, customerID, RightManageSubscriptions,
		func(ctx context.Context, partnerID, customerID string) (Customer, Relationship, error) {
			if !ValidID("sub", subscriptionID) {
				return s.Customers.Store.CustomerOfPartner(ctx, partnerID, customerID)
			}
			c, rel, found, err := s.Store.CustomerSubscription(ctx, partnerID, customerID, subscriptionID)
			sub = found
			return c, rel, err
		}, ch.validate)
	if err != nil {
		return Subscription{}, err
	}
	cust := scope.Customer
	if sub == nil {
		return Subscription{}, NotFound("subscription")
	}
	if ch.Version != sub.Version {
		return Subscription{}, versionConflict(sub.Version)
	}
	prod, ok := FindProduct(cust.Cloud, sub.ProductID)
	if !ok {
		return Subscription{}, fmt.Errorf("admin: subscription %s: product %s is not in the %s catalog", sub.ID, sub.ProductID, cust.Cloud)
	}
	after, action, err := sub.apply(ch, prod, s.Customers.Now())
	if err != nil || action == "" {
		return after, err
	}
	before, changed := diffFields(subscriptionFields(*sub), subscriptionFields(after))
	after.Version++
	acts := s.Customers.activities(scope, action, Target{"subscription", sub.ID}, before, changed)
	if err := s.Store.UpdateSubscription(ctx, after, ch.Version, scope.Relationship, acts); err != nil {
		return Subscription{}, err
	}
	return after, nil
}

// apply returns the subscription after ch at now and the activity's action ("" when nothing
// changes), or the rule ch breaks. prod is the subscription's product.
func (sub Subscription) apply(ch SubscriptionChange, prod Product, now time.Time) (Subscription, string, error) {
	field := "status"
	if ch.Licenses != nil {
		field = "licenses"
	}
	if sub.Status == SubscriptionExpired {
		return sub, "", invalidTransition(field, "the trial expired at "+sub.TrialEndsAt.UTC().Format(time.RFC3339)+"; it takes no changes (the customer may convert it)")
	}
	if sub.Status == SubscriptionTrial && !now.Before(sub.TrialEndsAt) {
		return sub, "", invalidTransition(field, "the trial ended at "+sub.TrialEndsAt.UTC().Format(time.RFC3339)+"; it takes no changes")
	}
	after := sub
	if n := ch.Licenses; n != nil {
		if sub.Status != SubscriptionTrial && sub.Status != SubscriptionActive {
			return sub, "", invalidTransition(field, "the licenses of a "+string(sub.Status)+" subscription cannot be changed")
		}
		lo, hi, what := prod.MinLicenses, prod.MaxLicenses, ""
		if sub.Status == SubscriptionTrial {
			hi, what = min(hi, prod.TrialLicenseCap), " during the trial"
		}
		if *n < lo || *n > hi {
			return sub, "", FieldErr("licenses", "range", "must be from "+itoa(lo)+" to "+itoa(hi)+what)
		}
		if *n == sub.Licenses {
			return sub, "", nil
		}
		after.Licenses = *n
		return after, "subscription.licenses_changed", nil
	}
	to := *ch.Status
	var action string
	switch {
	case sub.Status == SubscriptionCancelled:
		return sub, "", invalidTransition(field, "the subscription is cancelled; that is final")
	case sub.Status == to:
		return sub, "", invalidTransition(field, "the subscription is "+string(to)+" already")
	case sub.Status == SubscriptionTrial && to == SubscriptionCancelled:
		return sub, "", windowClosed(field, "a trial cannot be cancelled; it ends by itself at "+sub.TrialEndsAt.UTC().Format(time.RFC3339))
	case sub.Status == SubscriptionTrial:
		return sub, "", invalidTransition(field, "a trial cannot be suspended or reactivated; it ends by itself at "+sub.TrialEndsAt.UTC().Format(time.RFC3339))
	case to == SubscriptionCancelled:
		if closes := sub.Purchased().Add(CancellationWindow); !now.Before(closes) {
			return sub, "", windowClosed(field, "a subscription can be cancelled only within 7 days of its purchase; this one's window closed at "+closes.UTC().Format(time.RFC3339))
		}
		action = "subscription.cancelled"
	case to == SubscriptionSuspended:
		action = "subscription.suspended" // from active
	default:
		action = "subscription.reactivated" // from suspended
	}
	after.Status = to
	return after, action, nil
}

func windowClosed(field, detail string) *Error {
	return &Error{Code: CodeCancellationWindowClosed, Message: detail, Fields: []FieldError{{Field: field, Code: "window_closed", Detail: detail}}}
}

func invalidTransition(field, detail string) *Error {
	return &Error{Code: CodeInvalidTransition, Message: detail, Fields: []FieldError{{Field: field, Code: "invalid_transition", Detail: detail}}}
}

// subscriptionFields are the fields a partner changes, as logged before and after.
func subscriptionFields(s Subscription) map[string]any {
	return map[string]any{"licenses": s.Licenses, "status": string(s.Status)}
}
