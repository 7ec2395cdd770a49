package seed

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestProductKeys: the first run issues five keys to each demo partner, a rerun issues none and
// derives the same keys again (with their state now), and another link key derives other keys.
func TestProductKeys(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	linkKey, err := auth.NewLinkKey()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := Run(ctx, db, table, linkKey)
	if err != nil {
		t.Fatal(err)
	}
	first, err := ProductKeys(ctx, db, table, linkKey, creds)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 10 {
		t.Fatalf("%d demo keys, want 5 for each of the two partners: %+v", len(first), first)
	}
	for _, k := range first {
		if _, ok := admin.ParseProductKey(k.Key); !ok || k.State != "available" || k.Licenses != 25 {
			t.Fatalf("demo key %+v", k)
		}
	}
	// A key redeemed (here: revoked) meanwhile keeps its text and shows its state.
	st := store.NewProductKeys(store.New(db, table))
	pid := creds.Partners[0].PartnerID
	page, err := st.ProductKeys(ctx, pid, nil, admin.PageRequest{Limit: 50})
	if err != nil || len(page.Items) != 5 {
		t.Fatalf("inventory of %s: %d keys, %v", pid, len(page.Items), err)
	}
	k := page.Items[0]
	revoked := k
	revoked.Revoked, revoked.RevokedAt, revoked.Version = true, time.Now(), k.Version+1
	if err := st.RevokeProductKey(ctx, revoked, k.Version, admin.Activity{ID: "act_" + pad("seedtest"), OrgID: pid, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	again, err := ProductKeys(ctx, db, table, linkKey, creds)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for i, k := range again {
		if k.Key != first[i].Key {
			t.Fatalf("rerun derived %s, the first run %s", k.Key, first[i].Key)
		}
		states[k.State]++
	}
	if states["available"] != 9 || states["revoked"] != 1 {
		t.Fatalf("states after a rerun: %v", states)
	}
	if page, err = st.ProductKeys(ctx, pid, nil, admin.PageRequest{Limit: 50}); err != nil || len(page.Items) != 5 {
		t.Fatalf("a rerun issued again: %d keys, %v", len(page.Items), err)
	}
	other, _ := auth.NewLinkKey()
	if fresh, err := ProductKeys(ctx, db, table, other, creds); err != nil || len(fresh) != 10 || slices.ContainsFunc(fresh, func(k DemoProductKey) bool { return k.Key == first[0].Key }) {
		t.Fatalf("another link key: %v, %d keys", err, len(fresh))
	}
}
