package admin

import (
	"context"
	"time"
)

// EventKind is the kind of a change to a subscription that its Partner of Record is told about.
type EventKind string

const (
	EventSubscriptionCreated    EventKind = "subscription.created"
	EventLicensesChanged        EventKind = "subscription.licenses_changed"
	EventSuspended              EventKind = "subscription.suspended"
	EventReactivated            EventKind = "subscription.reactivated"
	EventCancelled              EventKind = "subscription.cancelled"
	EventTrialConverted         EventKind = "subscription.trial_converted"
	EventTrialExpired           EventKind = "subscription.trial_expired"
	EventPartnerOfRecordChanged EventKind = "subscription.partner_of_record_changed"
)

// EventKinds lists every event kind in a stable order.
var EventKinds = []EventKind{EventSubscriptionCreated, EventLicensesChanged, EventSuspended, EventReactivated,
	EventCancelled, EventTrialConverted, EventTrialExpired, EventPartnerOfRecordChanged}

// SubscriptionEvent is one change to a subscription as one of its Partners of Record learns of
// it (in the inbox, by email, by webhook). A change of Partner of Record is two events, one for
// the old and one for the new. ID is the same however often the same change is told to the same
// partner, so every channel refuses a duplicate by it.
type SubscriptionEvent struct {
	ID           string
	Kind         EventKind
	At           time.Time // when the change was made
	PartnerID    string    // the partner told
	Cloud        Cloud
	CustomerID   string
	CustomerName string
	Subscription Subscription  // after the change
	Before       *Subscription // before it; nil when created
}

// EventPublisher takes events beyond the inbox (webhooks). The notifier delivers at least once,
// so Publish must be idempotent by event ID.
type EventPublisher interface {
	Publish(ctx context.Context, e SubscriptionEvent) error
}
