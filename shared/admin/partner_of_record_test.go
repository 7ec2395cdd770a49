package admin

import (
	"context"
	"testing"
	"time"
)

// fakePORStore serves one customer's subscriptions and the partners, and records the writes.
type fakePORStore struct {
	subs     map[string]Subscription
	partners map[string]Partner
	writes   []porWrite
}

type porWrite struct {
	sub   Subscription
	prev  int
	cloud Cloud
	acts  []Activity
}

var _ PartnerOfRecordStore = (*fakePORStore)(nil)

func (f *fakePORStore) SubscriptionAndPartner(_ context.Context, customerID, subscriptionID, partnerID string) (*Subscription, *Partner, error) {
	var s *Subscription
	if v, ok := f.subs[subscriptionID]; ok && v.CustomerID == customerID {
		s = &v
	}
	var p *Partner
	if v, ok := f.partners[partnerID]; ok {
		p = &v
	}
	return s, p, nil
}

func (f *fakePORStore) ChangePartnerOfRecord(_ context.Context, sub Subscription, prev int, cloud Cloud, acts []Activity) error {
	f.writes = append(f.writes, porWrite{sub, prev, cloud, acts})
	return nil
}

// TestChangePartnerOfRecord: only a subscription advisor of the customer's cloud can be named
// (every other id is the same not-found), against the current version; the history gets a dated
// period, three logs an entry; every refusal writes nothing.
func TestChangePartnerOfRecord(t *testing.T) {
	const (
		cid     = "cus_01jd0000000000000000000001"
		sid     = "sub_01jd0000000000000000000001"
		old     = "ptn_01jd000000000000000000000a"
		advisor = "ptn_01jd000000000000000000000b"
		notAdv  = "ptn_01jd000000000000000000000c"
		vianet  = "ptn_01jd000000000000000000000d"
		unknown = "ptn_01jd000000000000000000000e"
	)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	newStore := func() *fakePORStore {
		sub := subAt(SubscriptionActive, 10, 3, old)
		sub.ID, sub.CustomerID, sub.PORHistory = sid, cid, []PORPeriod{{PartnerID: old, From: t0}}
		cancelled := sub
		cancelled.ID, cancelled.Status = "sub_01jd0000000000000000000002", SubscriptionCancelled
		return &fakePORStore{subs: map[string]Subscription{sid: sub, cancelled.ID: cancelled}, partners: map[string]Partner{
			old:     {ID: old, Cloud: CloudGlobal, Authorizations: []Authorization{AuthSubscriptionAdvisor}},
			advisor: {ID: advisor, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin, AuthSubscriptionAdvisor}},
			notAdv:  {ID: notAdv, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin}},
			vianet:  {ID: vianet, Cloud: Cloud21Vianet, Authorizations: []Authorization{AuthSubscriptionAdvisor}},
		}}
	}
	cs := CustomerSession{User: User{ID: "usr_01jd0000000000000000000001", Email: "admin@c.example"}, Customer: Customer{ID: cid, Cloud: CloudGlobal}}
	refusals := []struct {
		name string
		sub  string
		ch   PORChange
		code Code
	}{
		{"no partner", sid, PORChange{Version: 3}, CodeValidation},
		{"malformed partner", sid, PORChange{PartnerID: "contoso", Version: 3}, CodeValidation},
		{"no version", sid, PORChange{PartnerID: advisor}, CodeValidation},
		{"unknown subscription", "sub_01jd0000000000000000000009", PORChange{PartnerID: advisor, Version: 3}, CodeNotFound},
		{"malformed subscription", "nope", PORChange{PartnerID: advisor, Version: 3}, CodeNotFound},
		{"not an advisor", sid, PORChange{PartnerID: notAdv, Version: 3}, CodeNotFound},
		{"other cloud", sid, PORChange{PartnerID: vianet, Version: 3}, CodeNotFound},
		{"unknown partner", sid, PORChange{PartnerID: unknown, Version: 3}, CodeNotFound},
		{"stale version", sid, PORChange{PartnerID: advisor, Version: 2}, CodeVersionConflict},
		{"cancelled", "sub_01jd0000000000000000000002", PORChange{PartnerID: advisor, Version: 3}, CodeInvalidTransition},
	}
	for _, c := range refusals {
		st := newStore()
		svc := &PartnerOfRecordService{Env: testEnv(), Store: st}
		_, err := svc.ChangePartnerOfRecord(context.Background(), cs, c.sub, c.ch)
		if ErrorCode(err) != c.code || len(st.writes) != 0 {
			t.Errorf("%s: %v (writes %d), want %s", c.name, err, len(st.writes), c.code)
		}
	}
	st := newStore()
	svc := &PartnerOfRecordService{Env: testEnv(), Store: st}
	same, err := svc.ChangePartnerOfRecord(context.Background(), cs, sid, PORChange{PartnerID: old, Version: 3})
	if err != nil || same.Version != 3 || len(st.writes) != 0 {
		t.Fatalf("naming the current one: %v %+v writes %d", err, same, len(st.writes))
	}
	got, err := svc.ChangePartnerOfRecord(context.Background(), cs, sid, PORChange{PartnerID: advisor, Version: 3})
	if err != nil {
		t.Fatal(err)
	}
	now := testEnv().Now()
	h := got.PORHistory
	if got.PartnerOfRecord != advisor || got.Version != 4 || len(h) != 2 || h[0].To == nil || !h[0].To.Equal(now) || h[1].PartnerID != advisor ||
		!h[1].From.Equal(now) || h[1].To != nil {
		t.Fatalf("changed: %+v", got)
	}
	if len(st.writes) != 1 || st.writes[0].prev != 3 || st.writes[0].cloud != CloudGlobal || len(st.writes[0].acts) != 3 {
		t.Fatalf("writes %+v", st.writes)
	}
	orgs := map[string]bool{}
	for _, a := range st.writes[0].acts {
		orgs[a.OrgID] = a.Action == "subscription.partner_of_record_changed" && a.Before["partnerOfRecord"] == old && a.After["partnerOfRecord"] == advisor
	}
	if !orgs[cid] || !orgs[old] || !orgs[advisor] {
		t.Errorf("activity entries %+v", st.writes[0].acts)
	}
	if st.subs[sid].PORHistory[0].To != nil {
		t.Error("the change wrote into the history it read")
	}
}

// TestUpdateNotificationSettings: every field is required and checked; kinds are de-duplicated
// and ordered; customer users have no settings.
func TestUpdateNotificationSettings(t *testing.T) {
	svc := &NotificationService{Env: testEnv(), Store: nil}
	u := User{ID: "usr_01jd0000000000000000000001", OrgID: "ptn_01jd000000000000000000000a", OrgKind: OrgPartner}
	yes, zero, neg := true, 0, -1
	bad := []struct {
		ch    SettingsChange
		field string
	}{
		{SettingsChange{Kinds: []string{}, Version: &zero}, "email"},
		{SettingsChange{Email: &yes, Version: &zero}, "kinds"},
		{SettingsChange{Email: &yes, Kinds: []string{"subscription.renamed"}, Version: &zero}, "kinds[0]"},
		{SettingsChange{Email: &yes, Kinds: []string{}}, "version"},
		{SettingsChange{Email: &yes, Kinds: []string{}, Version: &neg}, "version"},
	}
	for _, c := range bad {
		_, err := svc.UpdateSettings(context.Background(), u, c.ch)
		e, ok := err.(*Error)
		if !ok || e.Code != CodeValidation || e.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want a validation error of %s", c.ch, err, c.field)
		}
	}
	cu := u
	cu.OrgKind = OrgCustomer
	if _, err := svc.UpdateSettings(context.Background(), cu, SettingsChange{Email: &yes, Kinds: []string{}, Version: &zero}); ErrorCode(err) != CodeForbidden {
		t.Errorf("customer user: %v", err)
	}
	if _, err := svc.Settings(context.Background(), cu); ErrorCode(err) != CodeForbidden {
		t.Errorf("customer user: %v", err)
	}
}
