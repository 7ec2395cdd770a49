package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

func cid(n int) string { return fmt.Sprintf("cus_%026d", n) }

func dirPartner(n int) admin.Partner {
	return admin.Partner{ID: fmt.Sprintf("ptn_%026d", n), Cloud: admin.CloudGlobal, Contact: admin.Contact{Name: fmt.Sprintf("Partner %d", n)}}
}

// dirCustomer is customer n of p named name with domain prefix domain.
func dirCustomer(p admin.Partner, n int, name, domain string) store.DirectoryCustomer {
	return store.NewDirectoryCustomer(p, admin.Customer{ID: cid(n), Name: name, DomainPrefix: domain, Country: "DE"}, t0, nil, nil)
}

// TestSearchPagingEachOnce: 1,000 customers that match "bau" in every way (and some several
// ways), among others that do not: paging through the search returns each match exactly once, in
// rank order, and nothing else; another partner's customers never appear.
func TestSearchPagingEachOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	s := store.New(db, testenv.NewTable(t, db))
	p, other := dirPartner(1), dirPartner(2)
	var cs []store.DirectoryCustomer
	want := map[string]bool{}
	add := func(c store.DirectoryCustomer, matches bool) {
		cs = append(cs, c)
		if matches {
			want[c.Customer.ID] = true
		}
	}
	n := 0
	next := func() int { n++; return n }
	add(dirCustomer(p, next(), "Bau", "exactbau"), true)
	for i := range 250 {
		add(dirCustomer(p, next(), fmt.Sprintf("Bäu Firma %03d", i), fmt.Sprintf("firma%03d", i)), true)        // name prefix
		add(dirCustomer(p, next(), fmt.Sprintf("Alpha BAU %03d", i), fmt.Sprintf("alpha%03d", i)), true)        // word
		add(dirCustomer(p, next(), fmt.Sprintf("Zeta Gamma %03d", i), fmt.Sprintf("bau%03dz", i)), true)        // domain only
		add(dirCustomer(p, next(), fmt.Sprintf("Bau Bau Bauer %03d", i), fmt.Sprintf("bau%03db", i)), i%2 == 0) // every way: once
		if i%2 == 1 {
			cs[len(cs)-1] = dirCustomer(p, n, fmt.Sprintf("Baum Bau %03d", i), fmt.Sprintf("baum%03d", i))
			want[cid(n)] = true
		}
		add(dirCustomer(p, next(), fmt.Sprintf("Other %03d", i), fmt.Sprintf("other%03d", i)), false)
	}
	for i := range 20 {
		cs = append(cs, dirCustomer(other, 100000+i, fmt.Sprintf("Bau Other Partner %d", i), fmt.Sprintf("bauother%d", i)))
	}
	start := time.Now()
	if err := s.PutDirectoryCustomers(ctx, cs, 16); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d customers in %v", len(cs), time.Since(start))
	start = time.Now()
	defer func() { t.Logf("searched and listed in %v", time.Since(start)) }()
	if len(want) != 1001 {
		t.Fatalf("set up %d matches, want 1001", len(want))
	}
	byID := map[string]store.DirectoryCustomer{}
	for _, c := range cs {
		byID[c.Customer.ID] = c
	}
	seen := map[string]bool{}
	last := admin.RankExactName
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages")
		}
		page, err := s.SearchCustomers(ctx, p.ID, "bau", nil, admin.PageRequest{Limit: 37, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 37 {
			t.Fatalf("page of %d rows", len(page.Items))
		}
		for _, r := range page.Items {
			id := r.Customer.ID
			if seen[id] || !want[id] {
				t.Fatalf("%s (%s): seen before %v, a match %v", id, r.Customer.Name, seen[id], want[id])
			}
			seen[id] = true
			rank, _ := admin.Match(admin.FoldName(r.Customer.Name), r.Customer.DomainPrefix, "bau")
			if rank < last {
				t.Fatalf("%s ranks %d after rank %d", r.Customer.Name, rank, last)
			}
			last = rank
			if r.Relationship.PartnerID != p.ID || r.Customer.Country != "DE" {
				t.Fatalf("row %+v", r)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != len(want) {
		t.Errorf("paging returned %d customers, want %d", len(seen), len(want))
	}
	// The first rows: the exact name, then name prefixes in folded order.
	first, _ := s.SearchCustomers(ctx, p.ID, "bau", nil, admin.PageRequest{Limit: 3})
	if len(first.Items) != 3 || first.Items[0].Customer.Name != "Bau" || !strings.HasPrefix(first.Items[1].Customer.Name, "Bau Bau Bauer 000") {
		t.Errorf("first rows %v", names(first.Items))
	}
	// A phrase across words, a rare prefix, no result.
	for q, wantNames := range map[string][]string{
		"alpha bau 00": {"Alpha BAU 000", "Alpha BAU 001", "Alpha BAU 002", "Alpha BAU 003", "Alpha BAU 004", "Alpha BAU 005", "Alpha BAU 006", "Alpha BAU 007", "Alpha BAU 008", "Alpha BAU 009"},
		"bau 249":      {"Alpha BAU 249", "Baum Bau 249", "Zeta Gamma 249"}, // the domain bau249z too
		"firma 07":     {"Bäu Firma 070", "Bäu Firma 071", "Bäu Firma 072", "Bäu Firma 073", "Bäu Firma 074", "Bäu Firma 075", "Bäu Firma 076", "Bäu Firma 077", "Bäu Firma 078", "Bäu Firma 079"},
		"bau249z":      {"Zeta Gamma 249"},
		"nothing":      nil,
	} {
		page, err := s.SearchCustomers(ctx, p.ID, admin.FoldName(q), nil, admin.PageRequest{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(page.Items); !slices.Equal(got, wantNames) || page.NextCursor != "" {
			t.Errorf("search %q = %q (next %q), want %q", q, got, page.NextCursor, wantNames)
		}
	}
	// A cursor of another query, or of the list, is refused.
	page, _ := s.SearchCustomers(ctx, p.ID, "bau", nil, admin.PageRequest{Limit: 5})
	list, _ := s.ListCustomers(ctx, p.ID, nil, admin.PageRequest{Limit: 5})
	for _, c := range []struct{ q, cursor string }{{"alpha", page.NextCursor}, {"bau", list.NextCursor}, {"bau", "bm90IGEgY3Vyc29y"}} {
		if _, err := s.SearchCustomers(ctx, p.ID, c.q, nil, admin.PageRequest{Cursor: c.cursor}); admin.ErrorCode(err) != admin.CodeInvalidCursor {
			t.Errorf("search %q with a foreign cursor: %v", c.q, err)
		}
	}
	if _, err := s.ListCustomers(ctx, p.ID, nil, admin.PageRequest{Cursor: page.NextCursor}); admin.ErrorCode(err) != admin.CodeInvalidCursor {
		t.Errorf("list with a search cursor: %v", err)
	}

	// The list: every customer of p once, by folded name.
	var listed []admin.CustomerRow
	cursor = ""
	for {
		page, err := s.ListCustomers(ctx, p.ID, nil, admin.PageRequest{Limit: 100, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(listed) != len(cs)-20 {
		t.Fatalf("listed %d customers, want %d", len(listed), len(cs)-20)
	}
	if !slices.IsSortedFunc(listed, func(a, b admin.CustomerRow) int {
		return strings.Compare(admin.FoldName(a.Customer.Name), admin.FoldName(b.Customer.Name))
	}) {
		t.Error("the list is not sorted by folded name")
	}
}

func names(rows []admin.CustomerRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Customer.Name)
	}
	return out
}

// TestBackfillDirectory: customers stored before the directory (no list/search keys, no word
// items, no subscription count) are found after the backfill; nothing stored before changes;
// a second run adds nothing; the function's grants are exactly what it does.
func TestBackfillDirectory(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	s := store.New(db, table)
	p := dirPartner(7)
	sub := admin.Subscription{ID: "sub_00000000000000000000000001", CustomerID: cid(1), ProductID: "o365-e3", ProductName: "Office 365 E3",
		Licenses: 5, Status: admin.SubscriptionActive, PartnerOfRecord: p.ID, Version: 1, CreatedAt: t0}
	sub2 := sub
	sub2.ID = "sub_00000000000000000000000002"
	sub2.Status, sub2.TrialEndsAt = admin.SubscriptionTrial, t0.AddDate(0, 0, 30) // a trial stored before the clock
	cs := []store.DirectoryCustomer{
		store.NewDirectoryCustomer(p, admin.Customer{ID: cid(1), Name: "Müller Bau GmbH", DomainPrefix: "muellerbau", Country: "DE"}, t0, nil, []admin.Subscription{sub, sub2}),
		dirCustomer(p, 2, "Contoso", "contoso"),
		dirCustomer(p, 3, "Fabrikam Süd", "fabrikamsued"),
	}
	if err := s.PutDirectoryCustomers(ctx, cs, 2); err != nil {
		t.Fatal(err)
	}
	// Make them as they were stored before: no GSI keys, no word items, no count.
	for _, it := range scanAll(t, db, table) {
		pk, sk := it["PK"].(*types.AttributeValueMemberS).Value, it["SK"].(*types.AttributeValueMemberS).Value
		k := map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}
		var err error
		switch {
		case strings.HasPrefix(pk, "CUSTWORDS#"):
			_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: k})
		case strings.HasPrefix(pk, "PARTNER#"):
			_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: k, UpdateExpression: aws.String("REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK")})
		case strings.HasPrefix(sk, "CLOCK#"):
			_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: k})
		case sk == "PROFILE":
			_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: k, UpdateExpression: aws.String("REMOVE subscriptionCount")})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	before := scanAll(t, db, table)
	if page, _ := s.SearchCustomers(ctx, p.ID, "mull", nil, admin.PageRequest{}); len(page.Items) != 0 {
		t.Fatalf("before the backfill the search finds %v", names(page.Items))
	}

	mctx, meter := telemetry.With(ctx)
	rep, err := store.BackfillDirectory(mctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.BackfillReport{Relationships: 3, KeysAdded: 3, WordsAdded: 3, Customers: 3, CountsAdded: 3, Trials: 1, ClockEntriesAdded: 1}); rep != want {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	after := scanAll(t, db, table)
	// Nothing stored before is lost or rewritten: every item is still there with every attribute
	// as it was; what is new is the directory's and nothing else.
	added := map[string][]string{}
	for k, old := range before {
		now, ok := after[k]
		if !ok {
			t.Fatalf("%s is gone", k)
		}
		for a, v := range old {
			if !reflect.DeepEqual(now[a], v) {
				t.Errorf("%s.%s changed: %v → %v", k, a, v, now[a])
			}
		}
		for a := range now {
			if _, had := old[a]; !had {
				added[k] = append(added[k], a)
			}
		}
	}
	for k, attrs := range added {
		slices.Sort(attrs)
		want := []string{"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"}
		if strings.HasPrefix(k, "CUSTOMER#") {
			want = []string{"subscriptionCount"}
		}
		if !slices.Equal(attrs, want) {
			t.Errorf("%s gained %v, want %v", k, attrs, want)
		}
	}
	var fresh []string
	for k := range after {
		if _, ok := before[k]; !ok {
			fresh = append(fresh, k)
		}
	}
	slices.Sort(fresh)
	wantFresh := []string{"CUSTOMER#" + cid(1) + "/CLOCK#trial#" + sub2.ID, // the trial's countdown (clock.go)
		"CUSTWORDS#" + p.ID + "/bau.gmbh#" + cid(1), "CUSTWORDS#" + p.ID + "/gmbh#" + cid(1), "CUSTWORDS#" + p.ID + "/sud#" + cid(3)}
	if !slices.Equal(fresh, wantFresh) {
		t.Errorf("new items %v, want %v", fresh, wantFresh)
	}
	if c := after["CUSTOMER#"+cid(1)+"/PROFILE"]["subscriptionCount"]; !reflect.DeepEqual(c, &types.AttributeValueMemberN{Value: "2"}) {
		t.Errorf("subscription count %v, want 2", c)
	}
	for q, want := range map[string]string{"mull": "Müller Bau GmbH", "bau gm": "Müller Bau GmbH", "sud": "Fabrikam Süd", "contoso": "Contoso"} {
		page, err := s.SearchCustomers(ctx, p.ID, q, nil, admin.PageRequest{})
		if err != nil || len(page.Items) != 1 || page.Items[0].Customer.Name != want {
			t.Errorf("after the backfill %q finds %v (%v), want %s", q, names(page.Items), err, want)
		}
	}
	// Twice = once.
	rep, err = store.BackfillDirectory(mctx, s)
	if want := (store.BackfillReport{Relationships: 3, Customers: 3, Trials: 1}); err != nil || rep != want {
		t.Errorf("second run: %+v (%v), want %+v", rep, err, want)
	}
	if again := scanAll(t, db, table); !reflect.DeepEqual(again, after) {
		t.Error("the second run changed the table")
	}

	// Least privilege: what the backfill did is what template.yaml grants BackfillDirectoryFunction
	// (the unconditioned Scan is the one exception the template explains).
	log := deploycheck.NewAccessLog()
	line, _ := json.Marshal(map[string]any{"Function": "backfill-directory", "dynamodbAccess": slices.Sorted(maps.Keys(meter.Access))})
	_, _ = log.Write(append(line, '\n'))
	for _, problem := range deploycheck.LeastPrivilege(filepath.Join(testenv.RepoRoot(t), "template.yaml"), map[string]string{"BackfillDirectoryFunction": "backfill-directory"}, log) {
		if !strings.Contains(problem, "dynamodb:Scan has no dynamodb:LeadingKeys") {
			t.Error(problem)
		}
	}
}

// scanAll reads every item of the table, keyed "PK/SK".
func scanAll(t *testing.T, db *dynamodb.Client, table string) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	in := &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)}
	for {
		res, err := db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			out[it["PK"].(*types.AttributeValueMemberS).Value+"/"+it["SK"].(*types.AttributeValueMemberS).Value] = it
		}
		if res.LastEvaluatedKey == nil {
			return out
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
