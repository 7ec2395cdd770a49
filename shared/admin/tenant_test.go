package admin

import (
	"context"
	"testing"
	"time"
)

func newTenantWorld(da *DelegatedAdmin) (*TenantService, *fakeTenantStore, CustomerSession) {
	p := Partner{ID: testPartner, Cloud: Cloud21Vianet, Contact: Contact{Name: "Contoso", Email: "hello@contoso.example"}}
	st := &fakeTenantStore{partners: map[string]Partner{p.ID: p}, relationships: map[string]Relationship{
		testCustomer + "/" + p.ID: {CustomerID: testCustomer, PartnerID: p.ID, Version: 3, DelegatedAdmin: da},
	}}
	cs := CustomerSession{User: User{ID: uid(50), Email: "ada@fabrikam.example", CompanyRole: RoleGlobalAdmin},
		Customer: Customer{ID: testCustomer, Name: "Fabrikam", DomainPrefix: "fabrikam", Cloud: Cloud21Vianet}}
	return &TenantService{Env: testEnv(), Store: st}, st, cs
}

func TestEndDelegatedAdmin(t *testing.T) {
	ctx := context.Background()
	active := func() *DelegatedAdmin {
		return &DelegatedAdmin{Scope: AccessFull, StartsAt: testNow.AddDate(0, -1, 0), EndsAt: testNow.AddDate(0, 1, 0), Status: "active"}
	}
	t.Run("ends an active grant on both sides, logs it twice and tells the partner", func(t *testing.T) {
		svc, st, cs := newTenantWorld(active())
		if err := svc.EndDelegatedAdmin(ctx, cs, testPartner); err != nil {
			t.Fatal(err)
		}
		d := st.ended.DelegatedAdmin
		if d == nil || d.Status != "ended" || d.EndedAt == nil || !d.EndedAt.Equal(testNow) || st.prev != 3 || st.ended.Version != 4 {
			t.Fatalf("ended = %+v (grant %+v), guard %d; want ended now, version 3 -> 4", st.ended, d, st.prev)
		}
		if len(st.acts) != 2 || st.acts[0].OrgID != testCustomer || st.acts[1].OrgID != testPartner || st.acts[0].Action != "delegated_admin.ended" {
			t.Errorf("activities = %+v, want one in each log", st.acts)
		}
		m, ok := st.email.Message.(DelegatedAdminEnded)
		if !ok || st.email.To[0] != "hello@contoso.example" || !m.EndedAt.Equal(testNow) || m.Customer.Name != "Fabrikam" || m.Partner.Cloud != Cloud21Vianet {
			t.Errorf("email = %+v", st.email)
		}
	})
	for name, da := range map[string]*DelegatedAdmin{
		"no grant":      nil,
		"already ended": {Scope: AccessFull, EndsAt: testNow.AddDate(0, 1, 0), Status: "ended"},
		"past its end":  {Scope: AccessFull, EndsAt: testNow, Status: "active"},
	} {
		t.Run(name, func(t *testing.T) {
			svc, st, cs := newTenantWorld(da)
			if err := svc.EndDelegatedAdmin(ctx, cs, testPartner); codeOf(err) != CodeNotFound || len(st.writes) != 0 {
				t.Fatalf("err = %v, writes %v; want not_found, nothing written", err, st.writes)
			}
		})
	}
	t.Run("unknown and malformed partners", func(t *testing.T) {
		svc, st, cs := newTenantWorld(active())
		for _, id := range []string{"ptn_00000000000000000000000099", "PARTNER#x", ""} {
			if err := svc.EndDelegatedAdmin(ctx, cs, id); codeOf(err) != CodeNotFound {
				t.Errorf("%q: err = %v, want not_found", id, err)
			}
		}
		if len(st.writes) != 0 {
			t.Errorf("writes = %v", st.writes)
		}
	})
}

func TestTenantPartnersShowsGrantsPastTheirEndExpired(t *testing.T) {
	svc, st, cs := newTenantWorld(&DelegatedAdmin{Scope: AccessLimited, EndsAt: testNow.Add(-time.Second), Status: "active"})
	page, err := svc.TenantPartners(context.Background(), cs, PageRequest{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("page = %+v, %v", page, err)
	}
	if got := page.Items[0].DelegatedAdmin; got.Status != "expired" || got.EndedAt == nil || !got.EndedAt.Equal(got.EndsAt) {
		t.Errorf("grant = %+v, want expired at its end date (as the clock stores it)", got)
	}
	if stored := st.relationships[testCustomer+"/"+testPartner].DelegatedAdmin.Status; stored != "active" {
		t.Errorf("the stored grant was changed to %q by a read", stored)
	}
}
