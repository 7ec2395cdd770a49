package admin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestProductKeyCheckCharacter: every key made is well-formed, in five groups of five from the
// alphabet; every single-character substitution and every swap of two different neighbours of a
// key is refused by ParseProductKey (before any lookup could happen).
func TestProductKeyCheckCharacter(t *testing.T) {
	for range 200 {
		text, err := NewProductKey()
		if err != nil {
			t.Fatal(err)
		}
		groups := strings.Split(text, "-")
		if len(groups) != 5 {
			t.Fatalf("%s: %d groups", text, len(groups))
		}
		for _, g := range groups {
			if len(g) != 5 || strings.Trim(g, ProductKeyAlphabet) != "" {
				t.Fatalf("%s: group %q", text, g)
			}
		}
		k, ok := ParseProductKey(text)
		if !ok || FormatProductKey(k) != text {
			t.Fatalf("%s does not parse back (%q, %v)", text, k, ok)
		}
		if lower, ok := ParseProductKey(strings.ToLower(strings.ReplaceAll(text, "-", " "))); !ok || lower != k {
			t.Fatalf("%s in lower case with spaces: %q %v", text, lower, ok)
		}
		b := []byte(k)
		for i := range b {
			orig := b[i]
			for j := range len(ProductKeyAlphabet) {
				if c := ProductKeyAlphabet[j]; c != orig {
					b[i] = c
					if _, ok := ParseProductKey(string(b)); ok {
						t.Fatalf("%s: substituting %c for %c at %d is not caught", k, c, orig, i)
					}
				}
			}
			b[i] = orig
			if i+1 < len(b) && b[i] != b[i+1] {
				b[i], b[i+1] = b[i+1], b[i]
				if _, ok := ParseProductKey(string(b)); ok {
					t.Fatalf("%s: swapping %d and %d is not caught", k, i, i+1)
				}
				b[i], b[i+1] = b[i+1], b[i]
			}
		}
	}
	for _, bad := range []string{"", "ABCDE", strings.Repeat("2", 26), "0" + strings.Repeat("2", 24), strings.Repeat("2", 24) + "€"} {
		if _, ok := ParseProductKey(bad); ok {
			t.Errorf("%q parses", bad)
		}
	}
}

// TestProductKeyRights is the access rule of the partner's product key routes as a matrix: every
// company role × customer access, for reading (inventory, preview) and redeeming, and the
// feature gate before it.
func TestProductKeyRights(t *testing.T) {
	advisor := Partner{ID: testPartner, Cloud: CloudGlobal, Authorizations: []Authorization{AuthSubscriptionAdvisor}}
	for _, role := range CompanyRoles {
		for _, access := range CustomerAccesses {
			s := Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: uid(1), CompanyRole: role, CustomerAccess: access}}, Partner: advisor}
			read := role == RoleGlobalAdmin || access != AccessNone
			redeem := role == RoleGlobalAdmin || access == AccessFull
			for _, c := range []struct {
				redeem, want bool
			}{{false, read}, {true, redeem}} {
				err := requireProductKeys(s, c.redeem)
				if (err == nil) != c.want || err != nil && codeOf(err) != CodeForbidden {
					t.Errorf("%s/%s redeem=%v: %v, want allowed=%v", role, access, c.redeem, err, c.want)
				}
			}
			other := s
			other.Partner.Authorizations = []Authorization{AuthDelegatedAdmin, AuthServiceProvider}
			if err := requireProductKeys(other, false); codeOf(err) != CodeFeatureNotAuthorized {
				t.Errorf("%s/%s without subscription_advisor: %v", role, access, err)
			}
			temp := s
			temp.Principal.User.PasswordChangeRequired = true
			if err := requireProductKeys(temp, false); codeOf(err) != CodePasswordChangeNeeded {
				t.Errorf("%s/%s with a temporary password: %v", role, access, err)
			}
		}
	}
}

type keyWorld struct {
	svc     *ProductKeyService
	st      *fakeProductKeyStore
	partner Partner
	sess    Session
}

func newKeyWorld() keyWorld {
	st := newFakeProductKeyStore()
	env := testEnv()
	p := Partner{ID: testPartner, Cloud: CloudGlobal, Authorizations: []Authorization{AuthSubscriptionAdvisor, AuthDelegatedAdmin},
		Contact: Contact{Name: "Contoso", Email: "hello@contoso.example"}, Version: 1}
	st.partners[p.ID] = p
	links := &LinkService{Env: env, Store: newFakeLinkStore(), Codes: &fakeCodes{}, BaseURL: "https://links.example"}
	svc := &ProductKeyService{Env: env, Store: st, Hasher: fakeHasher{}, Passwords: &fakePasswords{}, Links: links, Retry: 1}
	sess := Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: uid(1), OrgID: p.ID, CompanyRole: RoleNone, CustomerAccess: AccessFull}}, Partner: p}
	return keyWorld{svc: svc, st: st, partner: p, sess: sess}
}

// issue issues one key of the world's partner and returns its text.
func (w keyWorld) issue(t *testing.T, product string, licenses int) string {
	t.Helper()
	keys, _, err := w.svc.Issue(context.Background(), Principal{Kind: PrincipalOperator, ARN: "arn:ops"}, w.partner.ID,
		NewProductKeys{ProductID: product, Licenses: licenses, Count: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return keys[0].Key
}

// TestRedeemRules: each refusal has its code and writes nothing; a redemption for an existing
// customer and for a new organization writes the key, the subscription (this partner as Partner of
// Record), the activities and the emails in one write.
func TestRedeemRules(t *testing.T) {
	ctx := context.Background()
	w := newKeyWorld()
	cust := Customer{ID: testCustomer, Name: "Fabrikam", DomainPrefix: "fabrikam", Country: "DE", Cloud: CloudGlobal, Version: 1}
	w.st.customers[cust.ID] = cust
	w.st.rels[cust.ID+"/"+w.partner.ID] = Relationship{CustomerID: cust.ID, PartnerID: w.partner.ID, Version: 1} // no delegated admin
	stranger := "cus_00000000000000000000000099"
	w.st.customers[stranger] = Customer{ID: stranger, Cloud: CloudGlobal}
	key := w.issue(t, "m365-e3", 10)
	canonical, _ := ParseProductKey(key)
	mutate := func(f func(*ProductKey)) string {
		text := w.issue(t, "m365-e3", 10)
		c, _ := ParseProductKey(text)
		k := w.st.keys[w.partner.ID+"/h:"+c]
		f(&k)
		w.st.keys[w.partner.ID+"/h:"+c] = k
		return text
	}
	expired := mutate(func(k *ProductKey) { k.ExpiresAt = testNow })
	revoked := mutate(func(k *ProductKey) { k.Revoked = true })
	vianet := mutate(func(k *ProductKey) { k.ProductID = "o365-e1-21v" })
	otherCloud := mutate(func(k *ProductKey) { k.Cloud = Cloud21Vianet })
	foreign, _ := NewProductKey()
	fc, _ := ParseProductKey(foreign)
	w.st.keys["ptn_00000000000000000000000002/h:"+fc] = ProductKey{ID: "pky_x", PartnerID: "ptn_00000000000000000000000002", Cloud: CloudGlobal, ProductID: "m365-e3", Licenses: 1}
	typo := []byte(canonical)
	typo[3] = map[bool]byte{true: 'A', false: 'C'}[typo[3] != 'A']
	newOrg := &NewCustomer{Name: "Litware", DomainPrefix: "litware", Country: "us", AdminName: "Alex", Email: "Alex@Litware.example"}
	for _, c := range []struct {
		name string
		in   Redemption
		want Code
	}{
		{"malformed", Redemption{Key: "ABCDE", CustomerID: cust.ID}, CodeMalformedProductKey},
		{"typo", Redemption{Key: string(typo), CustomerID: cust.ID}, CodeMalformedProductKey},
		{"unknown", Redemption{Key: func() string { k, _ := NewProductKey(); return k }(), CustomerID: cust.ID}, CodeNotFound},
		{"another partner's", Redemption{Key: foreign, CustomerID: cust.ID}, CodeNotFound},
		{"another cloud's", Redemption{Key: otherCloud, CustomerID: cust.ID}, CodeNotFound},
		{"expired", Redemption{Key: expired, CustomerID: cust.ID}, CodeProductKeyExpired},
		{"revoked", Redemption{Key: revoked, CustomerID: cust.ID}, CodeProductKeyRevoked},
		{"not in the catalog", Redemption{Key: vianet, CustomerID: cust.ID}, CodeProductNotAvailable},
		{"not a customer", Redemption{Key: key, CustomerID: stranger}, CodeNotFound},
		{"no customer", Redemption{Key: key}, CodeValidation},
		{"both customers", Redemption{Key: key, CustomerID: cust.ID, NewCustomer: newOrg}, CodeValidation},
		{"bad organization", Redemption{Key: key, NewCustomer: &NewCustomer{Name: "X", DomainPrefix: "1x", Country: "Germany", AdminName: "A", Email: "a"}}, CodeValidation},
		{"bad offer", Redemption{Key: key, CustomerID: cust.ID, DelegatedAdmin: &DelegatedAdminOffer{Scope: "owner"}}, CodeValidation},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(w.st.writes)
			_, _, err := w.svc.Redeem(ctx, w.sess, c.in, nil)
			if codeOf(err) != c.want {
				t.Fatalf("%v, want %s", err, c.want)
			}
			if len(w.st.writes) != before {
				t.Fatalf("a refusal wrote %v", w.st.writes[before:])
			}
		})
	}
	limited := w.sess
	limited.Principal.User.CustomerAccess = AccessLimited
	if _, _, err := w.svc.Redeem(ctx, limited, Redemption{Key: key, CustomerID: cust.ID}, nil); codeOf(err) != CodeForbidden {
		t.Fatalf("limited access redeemed: %v", err)
	}

	out, _, err := w.svc.Redeem(ctx, w.sess, Redemption{Key: key, CustomerID: cust.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rw := w.st.redeemed[len(w.st.redeemed)-1]
	sub := rw.Subscription
	if sub.PartnerOfRecord != w.partner.ID || len(sub.PORHistory) != 1 || sub.Licenses != 10 || sub.Status != SubscriptionActive ||
		sub.CustomerID != cust.ID || rw.NewCustomer != nil || len(rw.Activities) != 2 || len(rw.Emails) != 0 || rw.PrevVersion != 1 {
		t.Fatalf("existing customer's write: %+v", rw)
	}
	if out.Key.State(testNow) != KeyRedeemed || out.Key.Redemption.SubscriptionID != sub.ID || out.Key.Version != 2 {
		t.Fatalf("key after: %+v", out.Key)
	}
	if _, _, err := w.svc.Redeem(ctx, w.sess, Redemption{Key: key, CustomerID: cust.ID}, nil); codeOf(err) != CodeProductKeyRedeemed {
		t.Fatalf("second redemption: %v", err)
	}

	fresh := w.issue(t, "m365-business-premium", 25)
	out, _, err = w.svc.Redeem(ctx, w.sess, Redemption{Key: strings.ToLower(fresh), NewCustomer: newOrg,
		DelegatedAdmin: &DelegatedAdminOffer{Scope: AccessLimited, DurationDays: 90}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rw = w.st.redeemed[len(w.st.redeemed)-1]
	if rw.NewCustomer == nil || rw.NewCustomer.Country != "US" || rw.AdminLogin.Email != "alex@litware.example" || !rw.Admin.PasswordChangeRequired ||
		!rw.AdminLogin.PasswordChangeRequired || rw.AdminLogin.PasswordHash == "" || rw.Relationship.DelegatedAdmin != nil {
		t.Fatalf("new organization: %+v", rw)
	}
	if rw.Offer == nil || rw.Offer.Kind != LinkDelegatedAdmin || rw.Offer.TargetCustomerID != out.Customer.ID || rw.Offer.DelegatedAdmin.Scope != AccessLimited {
		t.Fatalf("offer: %+v", rw.Offer)
	}
	var account, invitation int
	for _, e := range rw.Emails {
		switch m := e.Message.(type) {
		case CustomerAdminAccount:
			account++
			if m.Password == "" || e.To[0] != "alex@litware.example" {
				t.Fatalf("account email: %+v", e)
			}
		case LinkInvitation:
			invitation++
		}
	}
	if account != 1 || invitation != 1 || len(rw.Activities) != 3 {
		t.Fatalf("emails %d/%d, activities %d", account, invitation, len(rw.Activities))
	}
}

// TestIssueRules: the operator only, a subscription advisor, a product of its cloud within the
// product's license limits, 1 to 500 keys, an expiry ahead; each key its own hash and last group.
func TestIssueRules(t *testing.T) {
	ctx := context.Background()
	w := newKeyWorld()
	op := Principal{Kind: PrincipalOperator, ARN: "arn:ops"}
	nonAdvisor := Partner{ID: "ptn_00000000000000000000000003", Cloud: CloudGlobal}
	w.st.partners[nonAdvisor.ID] = nonAdvisor
	past, far := testNow.Add(-time.Hour), testNow.Add(4*365*24*time.Hour)
	for _, c := range []struct {
		name    string
		by      Principal
		partner string
		in      NewProductKeys
		want    Code
		field   string
	}{
		{"a user", w.sess.Principal, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 1, Count: 1}, CodeForbidden, ""},
		{"no product", op, w.partner.ID, NewProductKeys{Licenses: 1, Count: 1}, CodeValidation, "productId"},
		{"zero keys", op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 1}, CodeValidation, "count"},
		{"501 keys", op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 1, Count: 501}, CodeValidation, "count"},
		{"expired already", op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 1, Count: 1, ExpiresAt: &past}, CodeValidation, "expiresAt"},
		{"too far", op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 1, Count: 1, ExpiresAt: &far}, CodeValidation, "expiresAt"},
		{"other cloud's product", op, w.partner.ID, NewProductKeys{ProductID: "o365-e1-21v", Licenses: 1, Count: 1}, CodeValidation, "productId"},
		{"too many licenses", op, w.partner.ID, NewProductKeys{ProductID: "m365-business-basic", Licenses: 301, Count: 1}, CodeValidation, "licenses"},
		{"unknown partner", op, "ptn_00000000000000000000000009", NewProductKeys{ProductID: "m365-e3", Licenses: 1, Count: 1}, CodeNotFound, ""},
		{"not an advisor", op, nonAdvisor.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 1, Count: 1}, CodeFeatureNotAuthorized, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := w.svc.Issue(ctx, c.by, c.partner, c.in, nil)
			if codeOf(err) != c.want {
				t.Fatalf("%v, want %s", err, c.want)
			}
			if e, ok := err.(*Error); c.field != "" && (!ok || len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
				t.Fatalf("fields of %v, want %s", err, c.field)
			}
			if len(w.st.writes) != 0 {
				t.Fatalf("a refusal wrote %v", w.st.writes)
			}
		})
	}
	keys, _, err := w.svc.Issue(ctx, op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 5, Count: 500}, nil)
	if err != nil || len(keys) != 500 || len(w.st.issued) != 500 {
		t.Fatalf("500 keys: %d %v", len(keys), err)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		c, ok := ParseProductKey(k.Key)
		if !ok || k.Hash != "h:"+c || k.LastGroup != c[20:] || seen[k.Hash] || k.Cloud != CloudGlobal {
			t.Fatalf("issued key %+v", k)
		}
		seen[k.Hash] = true
	}
	// Revocation: an available key once, then nothing; a redeemed key never.
	k := keys[0].ProductKey
	if _, err := w.svc.Revoke(ctx, op, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Revoke(ctx, op, k.ID); err != nil || len(w.st.revoked) != 1 {
		t.Fatalf("revoking twice: %v, %d writes", err, len(w.st.revoked))
	}
	if _, _, err := w.svc.Redeem(ctx, w.sess, Redemption{Key: keys[0].Key, NewCustomer: &NewCustomer{Name: "N", DomainPrefix: "nnn", Country: "DE", AdminName: "N", Email: "n@n.example"}}, nil); codeOf(err) != CodeProductKeyRevoked {
		t.Fatalf("redeeming a revoked key: %v", err)
	}
	r := keys[1].ProductKey
	r.Redemption = &KeyRedemption{At: testNow, CustomerID: testCustomer}
	w.st.keys[r.PartnerID+"/"+r.Hash] = r
	if _, err := w.svc.Revoke(ctx, op, r.ID); codeOf(err) != CodeProductKeyRedeemed {
		t.Fatalf("revoking a redeemed key: %v", err)
	}
	for _, id := range []string{"pky_1", fmt.Sprintf("pky_%026d", 999)} {
		if _, err := w.svc.Revoke(ctx, op, id); codeOf(err) != CodeNotFound {
			t.Fatalf("revoking %s: %v", id, err)
		}
	}
}

// TestProductKeysFromRandom: a service with its own Random issues the keys drawn from it, in
// order (the local seed derives its demo keys again on every run this way); a failing source is
// an error, not a weak key.
func TestProductKeysFromRandom(t *testing.T) {
	ctx := context.Background()
	op := Principal{Kind: PrincipalOperator, ARN: "arn:ops"}
	seed := [32]byte{7}
	want := make([]string, 3)
	r := rand.NewChaCha8(seed)
	for i := range want {
		k, err := ProductKeyFrom(r)
		if _, ok := ParseProductKey(k); err != nil || !ok {
			t.Fatalf("key %q from a stream: %v", k, err)
		}
		want[i] = k
	}
	w := newKeyWorld()
	w.svc.Random = rand.NewChaCha8(seed)
	keys, _, err := w.svc.Issue(ctx, op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 5, Count: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if k.Key != want[i] {
			t.Fatalf("key %d is %s, want %s", i, k.Key, want[i])
		}
	}
	w.svc.Random = strings.NewReader("too short")
	if _, _, err := w.svc.Issue(ctx, op, w.partner.ID, NewProductKeys{ProductID: "m365-e3", Licenses: 5, Count: 1}, nil); err == nil {
		t.Fatal("a key from an exhausted source")
	}
}
