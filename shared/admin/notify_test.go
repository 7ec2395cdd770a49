package admin

import (
	"slices"
	"testing"
	"time"
)

func subAt(status SubscriptionStatus, licenses, version int, por string) Subscription {
	return Subscription{ID: "sub_01jd0000000000000000000001", CustomerID: "cus_01jd0000000000000000000001", ProductID: "m365-business-premium",
		ProductName: "Business Premium", Licenses: licenses, Status: status, PartnerOfRecord: por, Version: version}
}

// TestChangeKind: every kind of change is told apart from the two images, and a change no event
// reports (or an image that did not move on) is none.
func TestChangeKind(t *testing.T) {
	const a, b = "ptn_01jd000000000000000000000a", "ptn_01jd000000000000000000000b"
	ptr := func(s Subscription) *Subscription { return &s }
	cases := []struct {
		name   string
		before *Subscription
		after  Subscription
		want   EventKind
		ok     bool
	}{
		{"created", nil, subAt(SubscriptionTrial, 25, 1, a), EventSubscriptionCreated, true},
		{"licenses", ptr(subAt(SubscriptionActive, 10, 1, a)), subAt(SubscriptionActive, 12, 2, a), EventLicensesChanged, true},
		{"trial licenses", ptr(subAt(SubscriptionTrial, 25, 1, a)), subAt(SubscriptionTrial, 20, 2, a), EventLicensesChanged, true},
		{"suspended", ptr(subAt(SubscriptionActive, 10, 3, a)), subAt(SubscriptionSuspended, 10, 4, a), EventSuspended, true},
		{"reactivated", ptr(subAt(SubscriptionSuspended, 10, 4, a)), subAt(SubscriptionActive, 10, 5, a), EventReactivated, true},
		{"cancelled", ptr(subAt(SubscriptionActive, 10, 1, a)), subAt(SubscriptionCancelled, 10, 2, a), EventCancelled, true},
		{"cancelled while suspended", ptr(subAt(SubscriptionSuspended, 10, 1, a)), subAt(SubscriptionCancelled, 10, 2, a), EventCancelled, true},
		{"trial converted", ptr(subAt(SubscriptionTrial, 25, 1, a)), subAt(SubscriptionActive, 30, 2, a), EventTrialConverted, true},
		{"expired trial converted", ptr(subAt(SubscriptionExpired, 25, 2, a)), subAt(SubscriptionActive, 25, 3, a), EventTrialConverted, true},
		{"trial expired", ptr(subAt(SubscriptionTrial, 25, 1, a)), subAt(SubscriptionExpired, 25, 2, a), EventTrialExpired, true},
		{"partner of record", ptr(subAt(SubscriptionActive, 10, 1, a)), subAt(SubscriptionActive, 10, 2, b), EventPartnerOfRecordChanged, true},
		{"partner of record wins over licenses", ptr(subAt(SubscriptionActive, 10, 1, a)), subAt(SubscriptionActive, 11, 2, b), EventPartnerOfRecordChanged, true},
		{"same version", ptr(subAt(SubscriptionActive, 10, 2, a)), subAt(SubscriptionActive, 12, 2, a), "", false},
		{"older version", ptr(subAt(SubscriptionActive, 10, 3, a)), subAt(SubscriptionSuspended, 10, 2, a), "", false},
		{"nothing reported changed", ptr(subAt(SubscriptionActive, 10, 1, a)), subAt(SubscriptionActive, 10, 2, a), "", false},
		{"cancelled stays cancelled", ptr(subAt(SubscriptionCancelled, 10, 1, a)), subAt(SubscriptionCancelled, 10, 2, a), "", false},
	}
	for _, c := range cases {
		got, ok := ChangeKind(c.before, c.after)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %q %v, want %q %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestEventsOf: one event for the Partner of Record, two for a change of it (the old and the new
// partner), with ids that are the same for the same change and partner and differ otherwise.
func TestEventsOf(t *testing.T) {
	const a, b = "ptn_01jd000000000000000000000a", "ptn_01jd000000000000000000000b"
	cust := Customer{ID: "cus_01jd0000000000000000000001", Name: "Fabrikam", Cloud: CloudGlobal}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	before := subAt(SubscriptionActive, 10, 1, a)
	evs := EventsOf(&before, subAt(SubscriptionActive, 10, 2, b), cust, at)
	if len(evs) != 2 || evs[0].PartnerID != a || evs[1].PartnerID != b || evs[0].ID == evs[1].ID {
		t.Fatalf("change of partner of record: %+v", evs)
	}
	for _, e := range evs {
		if e.Kind != EventPartnerOfRecordChanged || e.CustomerName != "Fabrikam" || e.Cloud != CloudGlobal || !e.At.Equal(at) || e.Before == nil || !ValidID("evt", e.ID) {
			t.Errorf("event %+v", e)
		}
	}
	again := EventsOf(&before, subAt(SubscriptionActive, 10, 2, b), cust, at.Add(time.Hour))
	if again[0].ID != evs[0].ID || again[1].ID != evs[1].ID {
		t.Error("a redelivered change got other event ids")
	}
	one := EventsOf(&before, subAt(SubscriptionSuspended, 10, 2, a), cust, at)
	if len(one) != 1 || one[0].PartnerID != a || one[0].Kind != EventSuspended || one[0].ID != EventID(before.ID, 2, a) {
		t.Errorf("suspension: %+v", one)
	}
	if EventID(before.ID, 3, a) == EventID(before.ID, 2, a) || EventID("sub_01jd0000000000000000000002", 2, a) == EventID(before.ID, 2, a) {
		t.Error("event ids of different changes collide")
	}
	if evs := EventsOf(nil, subAt(SubscriptionActive, 10, 1, ""), cust, at); len(evs) != 0 {
		t.Errorf("a subscription without a Partner of Record made events: %+v", evs)
	}
	if evs := EventsOf(&before, subAt(SubscriptionActive, 10, 2, a), cust, at); len(evs) != 0 {
		t.Errorf("no change made events: %+v", evs)
	}
}

// TestChangedAt: creation and a new Partner of Record carry their own time; other changes are
// dated when seen.
func TestChangedAt(t *testing.T) {
	t0, t1, seen := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	created := subAt(SubscriptionActive, 1, 1, "ptn_a")
	created.CreatedAt = t0
	if got := ChangedAt(nil, created, seen); !got.Equal(t0) {
		t.Errorf("created at %v", got)
	}
	moved := created
	moved.PartnerOfRecord, moved.Version, moved.PORHistory = "ptn_b", 2, []PORPeriod{{PartnerID: "ptn_a", From: t0, To: &t1}, {PartnerID: "ptn_b", From: t1}}
	if got := ChangedAt(&created, moved, seen); !got.Equal(t1) {
		t.Errorf("partner of record changed at %v", got)
	}
	suspended := created
	suspended.Status, suspended.Version = SubscriptionSuspended, 2
	if got := ChangedAt(&created, suspended, seen); !got.Equal(seen) {
		t.Errorf("suspended at %v", got)
	}
}

// TestRecipients: a user's own choice, else the default (every kind for global admins, nothing
// for the others); email off sends nothing.
func TestRecipients(t *testing.T) {
	ga := User{ID: "usr_ga", OrgID: "ptn_a", Email: "ga@p.example", CompanyRole: RoleGlobalAdmin, Status: UserActive}
	gaOff := User{ID: "usr_gaoff", OrgID: "ptn_a", Email: "gaoff@p.example", CompanyRole: RoleGlobalAdmin, Status: UserActive}
	member := User{ID: "usr_m", OrgID: "ptn_a", Email: "m@p.example", CompanyRole: RoleNone, Status: UserActive}
	chooser := User{ID: "usr_c", OrgID: "ptn_a", Email: "c@p.example", CompanyRole: RoleUserAdmin, Status: UserActive}
	settings := []NotificationSettings{
		{UserID: "usr_gaoff", Email: false, Kinds: EventKinds},
		{UserID: "usr_c", Email: true, Kinds: []EventKind{EventCancelled}},
		{UserID: "usr_gone", Email: true, Kinds: EventKinds}, // a deleted user's settings
	}
	users := []User{ga, gaOff, member, chooser}
	if got := Recipients(users, settings, EventCancelled); !slices.Equal(got, []string{"ga@p.example", "c@p.example"}) {
		t.Errorf("cancelled: %v", got)
	}
	if got := Recipients(users, settings, EventLicensesChanged); !slices.Equal(got, []string{"ga@p.example"}) {
		t.Errorf("licenses: %v", got)
	}
	if d := DefaultNotificationSettings(member); d.Email || len(d.Kinds) != 0 || d.Version != 0 {
		t.Errorf("a member's default %+v", d)
	}
}
