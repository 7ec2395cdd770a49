package admin

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fakeCustomerStore serves CustomerOfPartner from maps (the customer's side of each relationship
// keyed by customer and partner).
type fakeCustomerStore struct {
	customers map[string]Customer
	rels      map[string]Relationship // key: customerID + "/" + partnerID
	reads     int
	searched  []string // folded queries (directory_test.go)
}

var _ CustomerStore = (*fakeCustomerStore)(nil)

func (f *fakeCustomerStore) CustomerOfPartner(_ context.Context, partnerID, customerID string) (Customer, Relationship, error) {
	f.reads++
	c, ok := f.customers[customerID]
	r, ok2 := f.rels[customerID+"/"+partnerID]
	if !ok || !ok2 {
		return Customer{}, Relationship{}, NotFound("customer")
	}
	return c, r, nil
}

// TestCustomerRights is the domain's matrix: every authorization set × company role × customer
// access × relationship state × right, against the rule stated independently here.
func TestCustomerRights(t *testing.T) {
	pid, cid := "ptn_000000000000000000000000p1", "cus_000000000000000000000000c1"
	grant := func(scope CustomerAccess, status string, ends time.Duration) *DelegatedAdmin {
		return &DelegatedAdmin{Scope: scope, StartsAt: testNow.Add(-time.Hour), EndsAt: testNow.Add(ends), Status: status}
	}
	states := map[string]*DelegatedAdmin{
		"active full":    grant(AccessFull, "active", time.Hour),
		"active limited": grant(AccessLimited, "active", time.Hour),
		"ended":          grant(AccessFull, "ended", time.Hour),
		"expired":        grant(AccessFull, "active", 0), // due this very second
		"none":           nil,
	}
	rights := []CustomerRight{RightListCustomers, RightReadCustomer, RightResetUserPassword, RightResetAdminPassword,
		RightManageSubscriptions, RightManageCustomerUsers, RightManageServiceRequests}
	limitedMay := map[CustomerRight]bool{RightListCustomers: true, RightReadCustomer: true, RightResetUserPassword: true}
	for mask := 0; mask < 8; mask++ {
		var auths []Authorization
		for i, a := range Authorizations {
			if mask&(1<<i) != 0 {
				auths = append(auths, a)
			}
		}
		for _, role := range CompanyRoles {
			for _, access := range CustomerAccesses {
				for state, da := range states {
					for _, right := range rights {
						name := fmt.Sprintf("%v/%s/%s/%s/%s", auths, role, access, state, right)
						st := &fakeCustomerStore{customers: map[string]Customer{cid: {ID: cid, Cloud: CloudGlobal}},
							rels: map[string]Relationship{cid + "/" + pid: {CustomerID: cid, PartnerID: pid, DelegatedAdmin: da, Version: 3}}}
						svc := &CustomerService{Env: testEnv(), Store: st}
						sess := Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: "usr_1", OrgID: pid, CompanyRole: role, CustomerAccess: access}},
							Partner: Partner{ID: pid, Cloud: CloudGlobal, Authorizations: auths}}
						scope, err := svc.Enter(context.Background(), sess, cid, right)

						// The rule, stated on its own.
						var want Code
						allows := func(a CustomerAccess) bool { return a == AccessFull || a == AccessLimited && limitedMay[right] }
						switch {
						case !(mask&1 != 0 || mask&4 != 0):
							want = CodeFeatureNotAuthorized
						case !allows(access):
							want = CodeForbidden
						case da == nil || da.Status != "active" || state == "expired":
							want = CodeDelegatedAdminRequired
						case !allows(da.Scope):
							want = CodeForbidden
						}
						got := Code("")
						if err != nil {
							got = ErrorCode(err)
						}
						if got != want {
							t.Fatalf("%s: got %q, want %q (%v)", name, got, want, err)
						}
						if err != nil && (scope.Customer.ID != "" || scope.Relationship.Version != 0) {
							t.Fatalf("%s: refused, but the scope carries what was read", name)
						}
						if err == nil && scope.Relationship.Version != 3 {
							t.Fatalf("%s: the scope lost the relationship's version", name)
						}
					}
				}
			}
		}
	}
}

// TestEnterUnknownCustomer: a malformed id is refused before any read; an unknown one and
// another cloud's are the same not found.
func TestEnterUnknownCustomer(t *testing.T) {
	pid := "ptn_000000000000000000000000p1"
	st := &fakeCustomerStore{customers: map[string]Customer{"cus_000000000000000000000000c2": {ID: "cus_000000000000000000000000c2", Cloud: Cloud21Vianet}},
		rels: map[string]Relationship{"cus_000000000000000000000000c2/" + pid: {DelegatedAdmin: &DelegatedAdmin{Scope: AccessFull, Status: "active", EndsAt: testNow.Add(time.Hour)}}}}
	svc := &CustomerService{Env: testEnv(), Store: st}
	sess := Session{Principal: Principal{Kind: PrincipalUser, User: User{CompanyRole: RoleNone, CustomerAccess: AccessFull}},
		Partner: Partner{ID: pid, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin}}}
	for _, id := range []string{"not-an-id", "cus_000000000000000000000000c9", "cus_000000000000000000000000c2"} {
		_, err := svc.Enter(context.Background(), sess, id, RightReadCustomer)
		if e, ok := err.(*Error); !ok || e.Code != CodeNotFound || e.Message != "customer not found" {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if st.reads != 2 {
		t.Fatalf("reads = %d, want 2 (the malformed id is not looked up)", st.reads)
	}
}

// TestCustomerActivities: an action inside a customer is logged in both logs, naming the partner.
func TestCustomerActivities(t *testing.T) {
	svc := &CustomerService{Env: testEnv()}
	sc := CustomerScope{Session: Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: "usr_1", Email: "a@p.example"}}, Partner: Partner{ID: "ptn_1"}},
		Customer: Customer{ID: "cus_1"}}
	acts := svc.activities(sc, "subscription.updated", Target{"subscription", "sub_1"}, map[string]any{"licenses": 5}, map[string]any{"licenses": 6})
	if len(acts) != 2 || acts[0].OrgID != "ptn_1" || acts[1].OrgID != "cus_1" || acts[0].ID == acts[1].ID {
		t.Fatalf("activities %+v", acts)
	}
	for _, a := range acts {
		if a.PartnerID != "ptn_1" || a.CustomerID != "cus_1" || a.Actor.ID != "usr_1" || a.Before["licenses"] != 5 {
			t.Fatalf("activity %+v", a)
		}
	}
}
