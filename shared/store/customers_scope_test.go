package store

import (
	"context"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
)

// TestInsideCustomerGuard: a write inside a customer lands only while the customer's side of the
// relationship is the version it was authorized against; after the customer ends delegated
// administration (a new version) the same write fails whole, with nothing of it stored.
func TestInsideCustomerGuard(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	s := New(db, testenv.NewTable(t, db))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	rel := admin.Relationship{CustomerID: "cus_1", PartnerID: "ptn_1", Since: now, Version: 1,
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: now, EndsAt: now.Add(time.Hour), Status: "active"}}
	cs, ps := relationshipItems(rel)
	var setup txn
	setup.put(s.table, cs, "", nil, nil, nil)
	setup.put(s.table, ps, "", nil, nil, nil)
	if err := s.commit(ctx, "setup", &setup); err != nil {
		t.Fatal(err)
	}
	write := func(id string) error {
		var w txn
		w.insideCustomer(s.table, rel)
		w.activity(s.table, admin.Activity{ID: id, OrgID: "cus_1", At: now, Action: "test.write", Target: admin.Target{Type: "customer", ID: "cus_1"}})
		return s.commit(ctx, "write inside customer", &w)
	}
	if err := write("act_1"); err != nil {
		t.Fatalf("write under the current grant: %v", err)
	}
	ended := rel
	ended.Version = 2
	ended.DelegatedAdmin = &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: now, EndsAt: now.Add(time.Hour), Status: "ended", EndedAt: &now}
	if err := s.EndDelegatedAdmin(ctx, ended, 1, []admin.Activity{{ID: "act_end", OrgID: "cus_1", At: now, Action: "delegated_admin.ended"}},
		admin.Email{ID: "out_1", OrgID: "cus_1", To: []string{"p@example.com"}, Message: admin.DelegatedAdminEnded{EndedAt: now}}); err != nil {
		t.Fatal(err)
	}
	if err := write("act_2"); admin.ErrorCode(err) != admin.CodeConcurrentRequest {
		t.Fatalf("write after the end: %v, want %s", err, admin.CodeConcurrentRequest)
	}
	var it activityItem
	if ok, err := s.get(ctx, "read", customerPK("cus_1"), activitySK("act_2"), &it); err != nil || ok {
		t.Fatalf("the refused write left its activity entry (found %v, %v)", ok, err)
	}
}
