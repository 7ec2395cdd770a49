package admin

import (
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"
	"time"
)

// ChangeKind is the kind of event a change of a subscription is, from its stored images before
// and after (before is nil when the subscription was created). ok is false when the change is
// none its Partner of Record is told about: the same version (a write that changed nothing the
// partner cares about), or fields that no event reports.
//
// The order of the checks decides a change that touches several fields: a change of Partner of
// Record first, then the trial's end (converted or expired), then the status, then licenses.
func ChangeKind(before *Subscription, after Subscription) (EventKind, bool) {
	if before == nil {
		return EventSubscriptionCreated, true
	}
	if after.Version <= before.Version {
		return "", false
	}
	switch {
	case before.PartnerOfRecord != after.PartnerOfRecord:
		return EventPartnerOfRecordChanged, true
	case (before.Status == SubscriptionTrial || before.Status == SubscriptionExpired) && after.Status == SubscriptionActive:
		return EventTrialConverted, true
	case before.Status == SubscriptionTrial && after.Status == SubscriptionExpired:
		return EventTrialExpired, true
	case before.Status != SubscriptionCancelled && after.Status == SubscriptionCancelled:
		return EventCancelled, true
	case before.Status == SubscriptionActive && after.Status == SubscriptionSuspended:
		return EventSuspended, true
	case before.Status == SubscriptionSuspended && after.Status == SubscriptionActive:
		return EventReactivated, true
	case before.Status == after.Status && before.Licenses != after.Licenses:
		return EventLicensesChanged, true
	}
	return "", false
}

// EventID is the id of the event that tells partnerID of the change that made version of
// subscriptionID: the same however often the change is delivered, different for every other
// change or partner. It is an id of the "evt" family (ValidID), derived with SHA-256.
func EventID(subscriptionID string, version int, partnerID string) string {
	h := sha256.Sum256([]byte(subscriptionID + "#" + strconv.Itoa(version) + "#" + partnerID))
	return "evt_" + strings.ToLower(eventIDEncoding.EncodeToString(h[:]))[:26]
}

var eventIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// EventsOf are the events of a change of a subscription of customer: one for its Partner of
// Record, two for a change of Partner of Record (the old one and the new one), none for a change
// no event reports. at is when the change was made.
func EventsOf(before *Subscription, after Subscription, customer Customer, at time.Time) []SubscriptionEvent {
	kind, ok := ChangeKind(before, after)
	if !ok {
		return nil
	}
	partners := []string{after.PartnerOfRecord}
	if kind == EventPartnerOfRecordChanged {
		partners = []string{before.PartnerOfRecord, after.PartnerOfRecord}
	}
	var out []SubscriptionEvent
	for _, pid := range partners {
		if pid == "" {
			continue
		}
		out = append(out, SubscriptionEvent{ID: EventID(after.ID, after.Version, pid), Kind: kind, At: at, PartnerID: pid,
			Cloud: customer.Cloud, CustomerID: after.CustomerID, CustomerName: customer.Name, Subscription: after, Before: before})
	}
	return out
}

// ChangedAt is when the change from before to after was made, where the subscription records it
// (its creation, the start of a new Partner of Record's period); otherwise seen, when the change
// was first seen (the notifier reads the table's change stream within seconds of the write).
func ChangedAt(before *Subscription, after Subscription, seen time.Time) time.Time {
	if before == nil && !after.CreatedAt.IsZero() {
		return after.CreatedAt
	}
	if before != nil && before.PartnerOfRecord != after.PartnerOfRecord && len(after.PORHistory) > 0 {
		if from := after.PORHistory[len(after.PORHistory)-1].From; !from.IsZero() {
			return from
		}
	}
	return seen
}

// SubscriptionNotice tells a partner's users who subscribed to it of an event of a subscription
// whose Partner of Record the partner is (or was, for the old one of a change).
type SubscriptionNotice struct {
	Partner Partner
	Event   SubscriptionEvent
}

func (SubscriptionNotice) isMessage() {}
