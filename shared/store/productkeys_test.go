package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/email"
)

const gKey = "pky_01jtgd00000000000000000001"

// goldenKeys are the product key values of the goldens: available with an expiry, revoked, and
// redeemed.
func goldenKeys() (available, revoked, redeemed admin.ProductKey) {
	available = admin.ProductKey{ID: gKey, PartnerID: gPartner, Cloud: admin.CloudGlobal, ProductID: "m365-business-premium", Licenses: 25,
		Hash: strings.Repeat("a1", 32), LastGroup: "7KQ2X", ExpiresAt: gAt(24 * 365), IssuedBy: "arn:aws:iam::1:user/ops", Version: 1, CreatedAt: gT0}
	revoked = available
	revoked.Revoked, revoked.RevokedAt, revoked.Version = true, gAt(3), 2
	redeemed = available
	redeemed.ExpiresAt = time.Time{}
	redeemed.Redemption = &admin.KeyRedemption{At: gAt(4), UserID: gUser, CustomerID: gCustomer, CustomerName: "Litware Inc", SubscriptionID: "sub_01jtgd00000000000000000001"}
	redeemed.Version = 2
	return available, revoked, redeemed
}

// goldenProductKeyPuts adds the product key goldens to goldenPuts.
func goldenProductKeyPuts(ctx context.Context, st *Store, d goldenDomain, write func(error, ...string)) {
	s := NewProductKeys(st)
	available, revoked, redeemed := goldenKeys()
	write(s.IssueProductKeys(ctx, []admin.ProductKey{available}, d.plain, nil), "product-key", "")
	write(s.RevokeProductKey(ctx, revoked, 1, d.plain), "product-key-revoked", "")
	write(s.Redeem(ctx, admin.RedeemWrite{Key: redeemed, PrevVersion: 1, Now: gAt(4), Subscription: d.subActive, Relationship: d.rel,
		Activities: []admin.Activity{d.plain}}), "product-key-redeemed", "", "")
}

// TestGoldenProductKeysReadBack: the product key goldens read back as the values written.
func TestGoldenProductKeysReadBack(t *testing.T) {
	available, revoked, redeemed := goldenKeys()
	for name, want := range map[string]admin.ProductKey{"product-key": available, "product-key-revoked": revoked, "product-key-redeemed": redeemed} {
		item := goldenPuts(t)[name]
		got, err := readItem[admin.ProductKey, productKeyItem](item)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s reads back as\n%s\nwant\n%s", name, g, w)
		}
	}
}

// TestProductKeys: an issue of more keys than one transaction holds writes them all (and the
// activity once); the inventory pages newest first, filters, and refuses foreign cursors; the
// lookup is confined to the partner; a redemption and a revocation each land once, and each
// other's stale write fails with the stored state's code.
func TestProductKeys(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	s := NewProductKeys(New(db, testenv.NewTable(t, db)))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var keys []admin.ProductKey
	for i := range 150 {
		k := admin.ProductKey{ID: fmt.Sprintf("pky_01jtgd0000000000000000%04d", i), PartnerID: "ptn_1", Cloud: admin.CloudGlobal,
			ProductID: "m365-e3", Licenses: 10, Hash: fmt.Sprintf("%064d", i), LastGroup: "AAAAA", Version: 1, CreatedAt: now}
		if i%2 == 1 {
			k.ProductID = "m365-business-basic"
		}
		if i < 10 {
			k.ExpiresAt = now.Add(-time.Hour)
		}
		keys = append(keys, k)
	}
	act := admin.Activity{ID: "act_issue", OrgID: "ptn_1", At: now, Action: "product_keys.issued"}
	if err := s.IssueProductKeys(ctx, keys, act, nil); err != nil {
		t.Fatal(err)
	}
	// A failing later transaction revokes the keys written before: the same ids again fail at
	// the second transaction (the first 99 are new hashes, the next ones exist already).
	again := make([]admin.ProductKey, 0, 120)
	for i := range 120 {
		k := keys[0]
		k.ID, k.Hash = fmt.Sprintf("pky_01jtgc0000000000000000%04d", i), fmt.Sprintf("%064d", 1000+i)
		if i >= 99 {
			k.Hash = keys[i].Hash
		}
		again = append(again, k)
	}
	if err := s.IssueProductKeys(ctx, again, admin.Activity{ID: "act_again", OrgID: "ptn_1", At: now}, nil); err == nil {
		t.Fatal("an issue over existing keys succeeded")
	}
	if k, _, _, err := s.RedemptionTarget(ctx, "ptn_1", again[0].Hash, ""); err != nil || k == nil || k.State(now) != admin.KeyRevoked {
		t.Fatalf("a key of the failed issue is usable: %+v %v", k, err)
	}

	var all []admin.ProductKey
	cursor := ""
	for {
		page, err := s.ProductKeys(ctx, "ptn_1", nil, admin.PageRequest{Limit: 40, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(all) != 150+99 {
		t.Fatalf("inventory: %d keys, want the 150 issued and the 99 withdrawn", len(all))
	}
	all = all[:0]
	cursor = ""
	for {
		page, err := s.ProductKeys(ctx, "ptn_1", func(k admin.ProductKey) bool { return k.State(now) != admin.KeyRevoked }, admin.PageRequest{Limit: 40, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(all) != 150 || all[0].ID != keys[149].ID || all[149].ID != keys[0].ID {
		t.Fatalf("inventory: %d keys, first %s", len(all), all[0].ID)
	}
	expired := 0
	cursor = ""
	for pages := 0; ; pages++ {
		page, err := s.ProductKeys(ctx, "ptn_1", func(k admin.ProductKey) bool { return k.State(now) == admin.KeyExpired }, admin.PageRequest{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		expired += len(page.Items)
		if cursor = page.NextCursor; cursor == "" || pages > 100 {
			break
		}
	}
	if expired != 10 {
		t.Fatalf("expired keys listed: %d, want 10", expired)
	}
	for _, c := range []string{"bm90LWEta2V5", encodeCursor("PKEY#" + keys[3].Hash)} {
		if _, err := s.ProductKeys(ctx, "ptn_1", nil, admin.PageRequest{Cursor: c}); admin.ErrorCode(err) != admin.CodeInvalidCursor {
			t.Fatalf("cursor %q: %v", c, err)
		}
	}
	if k, _, _, err := s.RedemptionTarget(ctx, "ptn_2", keys[20].Hash, ""); err != nil || k != nil {
		t.Fatalf("another partner's key was found: %+v %v", k, err)
	}
	byID, err := s.ProductKeyByID(ctx, keys[20].ID)
	if err != nil || byID.Hash != keys[20].Hash {
		t.Fatalf("by id: %+v %v", byID, err)
	}

	k := keys[20]
	redeemed := k
	redeemed.Redemption = &admin.KeyRedemption{At: now, UserID: "usr_1", CustomerID: "cus_1", CustomerName: "C", SubscriptionID: "sub_1"}
	redeemed.Version = 2
	var setup txn
	setup.put(s.table, toCustomerItem(admin.Customer{ID: "cus_1", Name: "C", DomainPrefix: "c", Country: "DE", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: now}), "", nil, nil, nil)
	if err := s.commit(ctx, "setup", &setup); err != nil {
		t.Fatal(err)
	}
	sub := admin.Subscription{ID: "sub_1", CustomerID: "cus_1", ProductID: "m365-e3", Licenses: 10, Status: admin.SubscriptionActive, Version: 1, CreatedAt: now}
	w := admin.RedeemWrite{Key: redeemed, PrevVersion: 1, Now: now, Subscription: sub,
		Activities: []admin.Activity{{ID: "act_r1", OrgID: "ptn_1", At: now}}}
	if err := s.Redeem(ctx, w); err != nil {
		t.Fatal(err)
	}
	w.Subscription.ID, w.Activities[0].ID = "sub_2", "act_r2"
	if err := s.Redeem(ctx, w); admin.ErrorCode(err) != admin.CodeProductKeyRedeemed {
		t.Fatalf("second redemption: %v", err)
	}
	revoked := k
	revoked.Revoked, revoked.RevokedAt, revoked.Version = true, now, 2
	if err := s.RevokeProductKey(ctx, revoked, 1, admin.Activity{ID: "act_v1", OrgID: "ptn_1", At: now}); admin.ErrorCode(err) != admin.CodeProductKeyRedeemed {
		t.Fatalf("revoking a redeemed key: %v", err)
	}
	exp := keys[2] // expired
	expRedeemed := exp
	expRedeemed.Redemption, expRedeemed.Version = redeemed.Redemption, 2
	w = admin.RedeemWrite{Key: expRedeemed, PrevVersion: 1, Now: now, Subscription: sub, Activities: []admin.Activity{{ID: "act_r3", OrgID: "ptn_1", At: now}}}
	w.Subscription.ID = "sub_3"
	if err := s.Redeem(ctx, w); admin.ErrorCode(err) != admin.CodeProductKeyExpired {
		t.Fatalf("redeeming an expired key: %v", err)
	}
	got, _, _, err := s.RedemptionTarget(ctx, "ptn_1", k.Hash, "cus_1")
	if err != nil || got == nil || got.State(now) != admin.KeyRedeemed || got.Redemption.SubscriptionID != "sub_1" {
		t.Fatalf("after redemption: %+v %v", got, err)
	}
	var c customerItem
	if _, err := s.get(ctx, "count", customerPK("cus_1"), skProf, &c); err != nil || c.SubscriptionCount != 1 {
		t.Fatalf("subscription count %d, want 1 (%v)", c.SubscriptionCount, err)
	}
}

// TestCustomerAdminAccountEmail: the new admin's email keeps the temporary password sealed and
// renders it with the sign-in address.
func TestCustomerAdminAccountEmail(t *testing.T) {
	p := admin.Partner{ID: "ptn_1", Contact: admin.Contact{Name: "Contoso", Email: "hi@contoso.example"}, Cloud: admin.CloudGlobal}
	c := admin.Customer{ID: "cus_1", Name: "Fabrikam", DomainPrefix: "fabrikam", Cloud: admin.CloudGlobal}
	u := admin.User{Email: "robin@fabrikam.example", DisplayName: "Robin"}
	sub := admin.Subscription{ProductName: "Microsoft 365 E3", Licenses: 25, Status: admin.SubscriptionActive}
	e := admin.Email{ID: "out_1", OrgID: "ptn_1", To: []string{u.Email},
		Message: admin.CustomerAdminAccount{Partner: p, Customer: c, Admin: u, Password: "Temp-Pass-Word-42", Subscription: sub}}
	sealer := goldenSealer()
	var tx txn
	if err := tx.outbox(&Store{table: "t", Sealer: sealer}, e, gT0); err != nil {
		t.Fatal(err)
	}
	raw := tx.items[0].Put.Item
	if b, _ := json.Marshal(raw); strings.Contains(string(b), "Temp-Pass-Word-42") {
		t.Fatalf("the stored item holds the password in plaintext: %s", b)
	}
	var it OutboxItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		t.Fatal(err)
	}
	facts, err := it.Facts(sealer)
	if err != nil {
		t.Fatal(err)
	}
	m, err := email.Render(it.Template, facts)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Temp-Pass-Word-42", "robin@fabrikam.example", "25 × Microsoft 365 E3", "Fabrikam (fabrikam)"} {
		if !strings.Contains(m.Text, w) || !strings.Contains(m.HTML, w) {
			t.Errorf("the email lacks %q:\n%s", w, m.Text)
		}
	}
}
