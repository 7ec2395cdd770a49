package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

const testCustomer = "cus_00000000000000000000000077"

func newLinkService(auths ...Authorization) (*LinkService, *fakeLinkStore, Partner) {
	st := newFakeLinkStore()
	p := Partner{ID: testPartner, Cloud: CloudGlobal, Authorizations: auths, Version: 1,
		Contact: Contact{Name: "Contoso", Email: "hello@contoso.example"}}
	return &LinkService{Env: testEnv(), Store: st, Codes: &fakeCodes{}, BaseURL: "https://links.example/"}, st, p
}

func linkSession(p Partner, access CustomerAccess) Session {
	return Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: uid(1), OrgID: p.ID, CompanyRole: RoleNone, CustomerAccess: access}}, Partner: p}
}

// TestCreateLinkGates walks every kind, with and without an included delegated-admin offer, over
// every combination of the partner's authorizations and the user's customer access: the feature
// gate (the partner's authorizations) comes first, then the user's access. A refusal writes
// nothing.
func TestCreateLinkGates(t *testing.T) {
	inputs := map[LinkKind]NewLink{
		LinkTrial:          {Kind: LinkTrial, ProductID: "m365-e3"},
		LinkOffer:          {Kind: LinkOffer, Lines: []OfferLine{{ProductID: "m365-e3", Licenses: 5}}},
		LinkDelegatedAdmin: {Kind: LinkDelegatedAdmin},
	}
	var authSets [][]Authorization
	for mask := range 1 << len(Authorizations) {
		var set []Authorization
		for i, a := range Authorizations {
			if mask&(1<<i) != 0 {
				set = append(set, a)
			}
		}
		authSets = append(authSets, set)
	}
	for _, kind := range LinkKinds {
		for _, withDA := range []bool{false, true} {
			if kind == LinkDelegatedAdmin && withDA {
				continue // a delegated-admin offer is one
			}
			for _, auths := range authSets {
				for _, access := range CustomerAccesses {
					name := fmt.Sprintf("%s/da=%v/%v/%s", kind, withDA, auths, access)
					t.Run(name, func(t *testing.T) {
						want := Code("")
						switch {
						case kind == LinkDelegatedAdmin && !slices.Contains(auths, AuthDelegatedAdmin):
							want = CodeFeatureNotAuthorized
						case kind != LinkDelegatedAdmin && !slices.Contains(auths, AuthSubscriptionAdvisor):
							want = CodeFeatureNotAuthorized
						case withDA && !slices.Contains(auths, AuthDelegatedAdmin):
							want = CodeFeatureNotAuthorized
						case access == AccessNone:
							want = CodeForbidden
						case (withDA || kind == LinkDelegatedAdmin) && access != AccessFull:
							want = CodeForbidden
						}
						svc, st, p := newLinkService(auths...)
						in := inputs[kind]
						if withDA {
							in.DelegatedAdmin = &DelegatedAdminOffer{Scope: AccessFull, DurationDays: 30}
						}
						l, _, err := svc.CreateLink(context.Background(), linkSession(p, access), in, nil)
						if got := codeOf(err); got != want {
							t.Fatalf("code = %q (%v), want %q", got, err, want)
						}
						if want != "" {
							if len(st.writes) != 0 {
								t.Errorf("writes = %v, want none", st.writes)
							}
							return
						}
						if !slices.Equal(st.writes, []string{"CreateLink"}) || st.created.ID != l.ID || l.PartnerID != p.ID || l.Kind != kind {
							t.Errorf("writes %v, created %+v", st.writes, st.created)
						}
						if a := st.acts[0]; a.Action != "link.created" || a.Target.ID != l.ID || a.OrgID != p.ID {
							t.Errorf("activity = %+v", a)
						}
					})
				}
			}
		}
	}
}

func TestCreateLinkValidation(t *testing.T) {
	all := []Authorization{AuthDelegatedAdmin, AuthSubscriptionAdvisor}
	future := testNow.Add(24 * time.Hour)
	past := testNow.Add(-time.Second)
	tests := []struct {
		name      string
		in        NewLink
		field     string
		customers []string
	}{
		{"trial without product", NewLink{Kind: LinkTrial}, "productId", nil},
		{"trial of another cloud's product", NewLink{Kind: LinkTrial, ProductID: "o365-e1-21v"}, "productId", nil},
		{"trial of a product without trial", NewLink{Kind: LinkTrial, ProductID: "teams-essentials"}, "productId", nil},
		{"trial with lines", NewLink{Kind: LinkTrial, ProductID: "m365-e3", Lines: []OfferLine{{ProductID: "m365-e3", Licenses: 1}}}, "lines", nil},
		{"offer without lines", NewLink{Kind: LinkOffer}, "lines", nil},
		{"offer with a product id", NewLink{Kind: LinkOffer, ProductID: "m365-e3", Lines: []OfferLine{{ProductID: "m365-e3", Licenses: 1}}}, "productId", nil},
		{"offer line twice", NewLink{Kind: LinkOffer, Lines: []OfferLine{{ProductID: "m365-e3", Licenses: 1}, {ProductID: "m365-e3", Licenses: 2}}}, "lines[1].productId", nil},
		{"offer licenses out of range", NewLink{Kind: LinkOffer, Lines: []OfferLine{{ProductID: "teams-essentials", Licenses: 301}}}, "lines[0].licenses", nil},
		{"offer unknown product", NewLink{Kind: LinkOffer, Lines: []OfferLine{{ProductID: "nope", Licenses: 1}}}, "lines[0].productId", nil},
		{"bad scope", NewLink{Kind: LinkDelegatedAdmin, DelegatedAdmin: &DelegatedAdminOffer{Scope: "root"}}, "delegatedAdmin.scope", nil},
		{"duration over two years", NewLink{Kind: LinkDelegatedAdmin, DelegatedAdmin: &DelegatedAdminOffer{DurationDays: 731}}, "delegatedAdmin.durationDays", nil},
		{"target on a trial", NewLink{Kind: LinkTrial, ProductID: "m365-e3", TargetCustomerID: testCustomer}, "targetCustomerId", []string{testCustomer}},
		{"target not a customer", NewLink{Kind: LinkDelegatedAdmin, TargetCustomerID: testCustomer}, "targetCustomerId", nil},
		{"expiry in the past", NewLink{Kind: LinkDelegatedAdmin, ExpiresAt: &past}, "expiresAt", nil},
		{"max uses zero", NewLink{Kind: LinkDelegatedAdmin, MaxUses: ptr(0)}, "maxUses", nil},
		{"valid targeted offer", NewLink{Kind: LinkDelegatedAdmin, TargetCustomerID: testCustomer, ExpiresAt: &future, MaxUses: ptr(1)}, "", []string{testCustomer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, p := newLinkService(all...)
			for _, c := range tt.customers {
				st.customers[p.ID+"/"+c] = true
			}
			l, _, err := svc.CreateLink(context.Background(), linkSession(p, AccessFull), tt.in, nil)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if l.TargetCustomerID != testCustomer || l.MaxUses != 1 || !l.ExpiresAt.Equal(future) || l.DelegatedAdmin == nil ||
					l.DelegatedAdmin.Scope != AccessLimited || l.DelegatedAdmin.DurationDays != DefaultDelegatedAdminDays {
					t.Errorf("link = %+v (defaults: limited scope, 730 days)", l)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeValidation || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
			if len(st.writes) != 0 {
				t.Errorf("writes = %v, want none", st.writes)
			}
		})
	}
}

func TestCreateLinkIdempotentReplay(t *testing.T) {
	svc, st, p := newLinkService(AuthSubscriptionAdvisor)
	first := Link{ID: "lnk_00000000000000000000000042", PartnerID: p.ID, Kind: LinkTrial, ProductID: "m365-e3"}
	st.links[linkKey(p.ID, LinkTrial, first.ID)] = first
	st.createErr = &IdempotencyConflict{ResourceID: first.ID, Fingerprint: "fp"}
	got, replayed, err := svc.CreateLink(context.Background(), linkSession(p, AccessLimited), NewLink{Kind: LinkTrial, ProductID: "m365-e3"},
		&Idempotency{Key: "k", Fingerprint: "fp"})
	if err != nil || !replayed || got.ID != first.ID {
		t.Fatalf("got %s replayed=%v err=%v, want the first link replayed", got.ID, replayed, err)
	}
	st.createErr = &IdempotencyConflict{ResourceID: first.ID, Fingerprint: "other"}
	_, _, err = svc.CreateLink(context.Background(), linkSession(p, AccessLimited), NewLink{Kind: LinkTrial, ProductID: "m365-e3"},
		&Idempotency{Key: "k", Fingerprint: "fp"})
	if codeOf(ReplayMismatch(err)) != CodeIdempotencyKeyReused {
		t.Fatalf("err = %v, want idempotency_key_reused for another request under the key", err)
	}
}

func TestEmailLink(t *testing.T) {
	ctx := context.Background()
	svc, st, p := newLinkService(AuthSubscriptionAdvisor, AuthDelegatedAdmin)
	l, _, err := svc.CreateLink(ctx, linkSession(p, AccessFull), NewLink{Kind: LinkTrial, ProductID: "m365-e3",
		DelegatedAdmin: &DelegatedAdminOffer{Scope: AccessFull, DurationDays: 90}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sess := linkSession(p, AccessLimited)
	t.Run("one email per distinct recipient, typed", func(t *testing.T) {
		n, err := svc.EmailLink(ctx, sess, LinkTrial, l.ID, []string{"A@Example.com", "a@example.com", "b@example.com"}, " Hello\r\nthere ")
		if err != nil || n != 2 || len(st.emails) != 2 {
			t.Fatalf("n = %d, emails %d, err %v; want 2 (case-insensitive duplicates folded)", n, len(st.emails), err)
		}
		m, ok := st.emails[0].Message.(LinkInvitation)
		if !ok || st.emails[0].To[0] != "a@example.com" || st.emails[1].To[0] != "b@example.com" {
			t.Fatalf("emails = %+v", st.emails)
		}
		url, _ := svc.LinkURL(l)
		if m.URL != url || m.Note != "Hello\nthere" || m.Trial == nil || m.Trial.ID != "m365-e3" || m.Link.DelegatedAdmin.DurationDays != 90 ||
			m.Partner.Contact.Name != "Contoso" {
			t.Errorf("message = %+v", m)
		}
		if url != "https://links.example/trial/"+mustCode(t, svc, l) {
			t.Errorf("url = %s", url)
		}
	})
	for _, tt := range []struct {
		name  string
		to    []string
		msg   string
		field string
	}{
		{"no recipients", nil, "", "recipients"},
		{"bad address", []string{"nope"}, "", "recipients[0]"},
		{"control character in the message", []string{"a@example.com"}, "a\x07b", "message"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(st.writes)
			_, err := svc.EmailLink(ctx, sess, LinkTrial, l.ID, tt.to, tt.msg)
			var e *Error
			if !errors.As(err, &e) || e.Fields[0].Field != tt.field || len(st.writes) != before {
				t.Fatalf("err = %v, writes %v; want a validation error on %s and no write", err, st.writes[before:], tt.field)
			}
		})
	}
	t.Run("a revoked link is not sent", func(t *testing.T) {
		if err := svc.RevokeLink(ctx, sess, LinkTrial, l.ID); err != nil {
			t.Fatal(err)
		}
		if st.revoked.Version != l.Version+1 || !st.revoked.Revoked {
			t.Errorf("revoked = %+v", st.revoked)
		}
		if _, err := svc.EmailLink(ctx, sess, LinkTrial, l.ID, []string{"c@example.com"}, ""); codeOf(err) != CodeValidation {
			t.Fatalf("err = %v, want validation_failed", err)
		}
	})
	t.Run("another partner's link is not found", func(t *testing.T) {
		other := p
		other.ID = "ptn_00000000000000000000000099"
		if _, err := svc.EmailLink(ctx, linkSession(other, AccessFull), LinkTrial, l.ID, []string{"c@example.com"}, ""); codeOf(err) != CodeNotFound {
			t.Fatalf("err = %v, want not_found", err)
		}
	})
}

func mustCode(t *testing.T, svc *LinkService, l Link) string {
	t.Helper()
	c, err := svc.Codes.Code(l.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
