package store

import (
	"context"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
)

// TestCustomerSubscription: one read returns the customer, the partner's relationship and the
// subscription; another partner, another customer's subscription id and an unknown id are told
// apart only as the domain needs (customer not found vs. no subscription). The update lands only
// against the subscription's version and the relationship as authorized, whole or not at all.
func TestCustomerSubscription(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	s := New(db, testenv.NewTable(t, db))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	rel := admin.Relationship{CustomerID: "cus_1", PartnerID: "ptn_1", Since: now, Version: 1,
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: now, EndsAt: now.Add(time.Hour), Status: "active"}}
	sub := admin.Subscription{ID: "sub_1", CustomerID: "cus_1", ProductID: "m365-business-basic", ProductName: "Basic", Licenses: 10,
		Status: admin.SubscriptionActive, PartnerOfRecord: "ptn_1", Version: 1, CreatedAt: now}
	other := sub
	other.ID, other.CustomerID = "sub_2", "cus_2"
	var setup txn
	setup.put(s.table, toCustomerItem(admin.Customer{ID: "cus_1", Name: "C", DomainPrefix: "c", Country: "DE", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: now}), "", nil, nil, nil)
	cs, ps := relationshipItems(rel)
	setup.put(s.table, cs, "", nil, nil, nil)
	setup.put(s.table, ps, "", nil, nil, nil)
	setup.put(s.table, toSubscriptionItem(sub), "", nil, nil, nil)
	setup.put(s.table, toSubscriptionItem(other), "", nil, nil, nil)
	if err := s.commit(ctx, "setup", &setup); err != nil {
		t.Fatal(err)
	}

	c, r, got, err := s.CustomerSubscription(ctx, "ptn_1", "cus_1", "sub_1")
	if err != nil || c.ID != "cus_1" || r.Version != 1 || got == nil || got.Licenses != 10 || got.Version != 1 {
		t.Fatalf("read: %+v %+v %+v %v", c, r, got, err)
	}
	for _, id := range []string{"sub_2", "sub_9"} {
		if _, _, got, err := s.CustomerSubscription(ctx, "ptn_1", "cus_1", id); err != nil || got != nil {
			t.Fatalf("%s: %+v %v, want no subscription", id, got, err)
		}
	}
	if _, _, _, err := s.CustomerSubscription(ctx, "ptn_2", "cus_1", "sub_1"); admin.ErrorCode(err) != admin.CodeNotFound {
		t.Fatalf("another partner: %v", err)
	}

	act := func(id string) []admin.Activity {
		return []admin.Activity{{ID: id + "p", OrgID: "ptn_1", At: now, Action: "subscription.suspended", PartnerID: "ptn_1", CustomerID: "cus_1"},
			{ID: id + "c", OrgID: "cus_1", At: now, Action: "subscription.suspended", PartnerID: "ptn_1", CustomerID: "cus_1"}}
	}
	changed := sub
	changed.Status, changed.Version = admin.SubscriptionSuspended, 2
	if err := s.UpdateSubscription(ctx, changed, 7, rel, act("act_1")); admin.ErrorCode(err) != admin.CodeVersionConflict {
		t.Fatalf("stale version: %v", err)
	}
	staleRel := rel
	staleRel.Version = 0
	if err := s.UpdateSubscription(ctx, changed, 1, staleRel, act("act_2")); admin.ErrorCode(err) != admin.CodeConcurrentRequest {
		t.Fatalf("changed relationship: %v", err)
	}
	missing := changed
	missing.ID = "sub_9"
	if err := s.UpdateSubscription(ctx, missing, 1, rel, act("act_3")); admin.ErrorCode(err) != admin.CodeNotFound {
		t.Fatalf("missing subscription: %v", err)
	}
	if err := s.UpdateSubscription(ctx, changed, 1, rel, act("act_4")); err != nil {
		t.Fatal(err)
	}
	if _, _, got, _ := s.CustomerSubscription(ctx, "ptn_1", "cus_1", "sub_1"); got.Status != admin.SubscriptionSuspended || got.Version != 2 {
		t.Fatalf("after: %+v", got)
	}
	for _, k := range [][2]string{{partnerPK("ptn_1"), "act_4p"}, {customerPK("cus_1"), "act_4c"}, {partnerPK("ptn_1"), "act_1p"}, {customerPK("cus_1"), "act_2c"}, {customerPK("cus_1"), "act_3c"}} {
		var it activityItem
		ok, err := s.get(ctx, "read", k[0], activitySK(k[1]), &it)
		if want := k[1][:5] == "act_4"; err != nil || ok != want {
			t.Fatalf("activity %s in %s: found %v (%v), want %v", k[1], k[0], ok, err, want)
		}
	}
}
