package webhook

import (
	"encoding/json"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Event is the JSON body of every webhook request.
type Event struct {
	ID        string     `json:"id"`   // the same on every retry
	Type      string     `json:"type"` // subscription.created, … or webhook.test
	CreatedAt time.Time  `json:"createdAt"`
	PartnerID string     `json:"partnerId"`
	Cloud     string     `json:"cloud,omitempty"`
	Data      *EventData `json:"data,omitempty"` // absent in a test event
}

// EventData is what changed: the customer, the subscription after the change and before it.
type EventData struct {
	Customer     Customer      `json:"customer"`
	Subscription Subscription  `json:"subscription"`
	Previous     *Subscription `json:"previous"` // null when created
}

// Customer names the customer of the subscription.
type Customer struct {
	CustomerID string `json:"customerId"`
	Name       string `json:"name"`
}

// Subscription is a subscription as an event carries it.
type Subscription struct {
	SubscriptionID  string     `json:"subscriptionId"`
	ProductID       string     `json:"productId"`
	ProductName     string     `json:"productName"`
	Licenses        int        `json:"licenses"`
	Status          string     `json:"status"`
	TrialEndsAt     *time.Time `json:"trialEndsAt,omitempty"`
	PartnerOfRecord string     `json:"partnerOfRecord"`
	Version         int        `json:"version"`
}

func toSubscription(s admin.Subscription) Subscription {
	out := Subscription{SubscriptionID: s.ID, ProductID: s.ProductID, ProductName: s.ProductName, Licenses: s.Licenses,
		Status: string(s.Status), PartnerOfRecord: s.PartnerOfRecord, Version: s.Version}
	if !s.TrialEndsAt.IsZero() {
		t := s.TrialEndsAt.UTC()
		out.TrialEndsAt = &t
	}
	return out
}

// Encode returns the body of a subscription event.
func Encode(e admin.SubscriptionEvent) ([]byte, error) {
	d := &EventData{Customer: Customer{CustomerID: e.CustomerID, Name: e.CustomerName}, Subscription: toSubscription(e.Subscription)}
	if e.Before != nil {
		prev := toSubscription(*e.Before)
		d.Previous = &prev
	}
	return json.Marshal(Event{ID: e.ID, Type: string(e.Kind), CreatedAt: e.At.UTC(), PartnerID: e.PartnerID, Cloud: string(e.Cloud), Data: d})
}

// TestEvent returns the body of a test event.
func TestEvent(id, partnerID string, at time.Time) ([]byte, error) {
	return json.Marshal(Event{ID: id, Type: admin.TestEventKind, CreatedAt: at.UTC(), PartnerID: partnerID})
}
