package admin

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// The directory's methods of the fakes (the fakes themselves are in customers_test.go and
// fake_links_test.go).

func (f *fakeCustomerStore) ListCustomers(_ context.Context, pid string, keep func(Relationship) bool, _ PageRequest) (Page[CustomerRow], error) {
	f.reads++
	var out Page[CustomerRow]
	for k, r := range f.rels {
		if strings.HasSuffix(k, "/"+pid) && (keep == nil || keep(r)) {
			out.Items = append(out.Items, CustomerRow{Customer: f.customers[r.CustomerID], Relationship: r})
		}
	}
	return out, nil
}

func (f *fakeCustomerStore) SearchCustomers(_ context.Context, pid, folded string, keep func(Relationship) bool, page PageRequest) (Page[CustomerRow], error) {
	f.searched = append(f.searched, folded)
	return f.ListCustomers(context.Background(), pid, keep, page)
}

func (f *fakeCustomerStore) CustomerSummary(context.Context, string, string) (CustomerSummary, error) {
	f.reads++
	return CustomerSummary{Subscriptions: map[SubscriptionStatus]int{SubscriptionTrial: 2}, Licenses: 25, Users: 3}, nil
}

func (f *fakeTenantStore) OrganizationLinks(_ context.Context, cid string) ([]Relationship, []string, error) {
	var out []Relationship
	for k, r := range f.relationships {
		if strings.HasPrefix(k, cid+"/") {
			out = append(out, r)
		}
	}
	return out, []string{"ada@fabrikam.example"}, nil
}

func (f *fakeTenantStore) UpdateTenant(_ context.Context, w TenantUpdate) error {
	f.writes = append(f.writes, "UpdateTenant")
	f.update = w
	return nil
}

func TestFoldName(t *testing.T) {
	for in, want := range map[string]string{
		"Müller Bau GmbH":             "muller bau gmbh",
		"  MÜLLER---bau   gmbh & Co.": "muller bau gmbh co",
		"Straße":                      "strasse",
		"Ørsted A/S":                  "orsted a s",
		"Łódź Œuvre Æther":            "lodz oeuvre aether",
		"McDonald's":                  "mcdonalds",
		"ﬁne Ｆｕｌｌ":                    "fine full",
		"Crème brûlée, S.A.":          "creme brulee s a",
		"ΣΟΦΊΑ":                       "σοφια",
		"北京科技有限公司":                    "北京科技有限公司",
		"İstanbul":                    "istanbul",
		"!!!":                         "",
		"":                            "",
		"3M":                          "3m",
	} {
		if got := FoldName(in); got != want {
			t.Errorf("FoldName(%q) = %q, want %q", in, got, want)
		}
	}
	long := FoldName(strings.Repeat("ß", 300))
	if len(long) > MaxFoldedBytes || !strings.HasPrefix(long, "ssss") {
		t.Errorf("a name that expands is capped at %d bytes: got %d", MaxFoldedBytes, len(long))
	}
	words := FoldName(strings.Repeat("ab ", 300))
	if len(words) > MaxFoldedBytes || strings.HasSuffix(words, " ") {
		t.Errorf("capped at a boundary without a trailing space: %q…", words[len(words)-5:])
	}
}

func TestWordSuffixes(t *testing.T) {
	got := WordSuffixes("muller bau gmbh")
	if want := []string{"muller bau gmbh", "bau gmbh", "gmbh"}; !slices.Equal(got, want) {
		t.Errorf("WordSuffixes = %q, want %q", got, want)
	}
	if n := len(WordSuffixes("a b c d e f g h i j")); n != MaxIndexedWords {
		t.Errorf("a long name has %d indexed positions, want %d", n, MaxIndexedWords)
	}
	if WordSuffixes("") != nil {
		t.Error("an empty name has no positions")
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		name, domain, q string
		rank            SearchRank
		pos             int
	}{
		{"Müller Bau GmbH", "muellerbau", "muller bau gmbh", RankExactName, 0},
		{"Müller Bau GmbH", "muellerbau", "mull", RankNamePrefix, 0},
		{"Müller Bau GmbH", "muellerbau", "bau gm", RankWordPrefix, 1},
		{"Müller Bau GmbH", "muellerbau", "gmbh", RankWordPrefix, 2},
		{"Müller Bau GmbH", "muellerbau", "muel", RankDomain, 0},
		{"Müller Bau GmbH", "muellerbau", "mueller bau", RankDomain, 0}, // spaces dropped for the domain
		{"Müller Bau GmbH", "muellerbau", "xyz", RankNone, 0},
		{"Bau Bau", "bau", "bau", RankNamePrefix, 0},           // the name beats the word and the domain
		{"Alpha Bau Bauer", "alpha", "bau", RankWordPrefix, 1}, // the first matching word lists it
		{"a b c d e f g target", "zzz", "target", RankNone, 0}, // beyond the indexed words
		{"a b c d e f g", "zzz", "f g", RankWordPrefix, 5},     // the last indexed word starts a phrase
	} {
		f := FoldName(c.name)
		rank, pos := Match(f, c.domain, FoldName(c.q))
		if rank != c.rank || pos != c.pos {
			t.Errorf("Match(%q, %q, %q) = %d at %d, want %d at %d", c.name, c.domain, c.q, rank, pos, c.rank, c.pos)
		}
	}
}

func TestDirectoryFilter(t *testing.T) {
	now := testNow
	grant := func(status string, ends time.Time) Relationship {
		return Relationship{DelegatedAdmin: &DelegatedAdmin{Scope: AccessFull, Status: status, EndsAt: ends}}
	}
	cases := []struct {
		name                   string
		rel                    Relationship
		active, expiring, none bool
	}{
		{"never granted", Relationship{}, false, false, true},
		{"ended", grant("ended", now.AddDate(1, 0, 0)), false, false, true},
		{"expires this second", grant("active", now), false, false, true},
		{"expires in a second", grant("active", now.Add(time.Second)), true, true, false},
		{"ends in exactly 30 days", grant("active", now.Add(ExpiringDelegatedAdminWithin)), true, true, false},
		{"ends in 30 days and a second", grant("active", now.Add(ExpiringDelegatedAdminWithin+time.Second)), true, false, false},
	}
	for _, c := range cases {
		for f, want := range map[DirectoryFilter]bool{FilterActive: c.active, FilterExpiring: c.expiring, FilterNone: c.none, FilterAll: true} {
			if got := f.Keeps(c.rel, now); got != want {
				t.Errorf("%s: %q keeps = %v, want %v", c.name, f, got, want)
			}
		}
	}
}

func TestCustomersRefusals(t *testing.T) {
	pid := "ptn_000000000000000000000000p1"
	sess := Session{Principal: Principal{Kind: PrincipalUser, User: User{CompanyRole: RoleNone, CustomerAccess: AccessLimited}},
		Partner: Partner{ID: pid, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin}}}
	for _, c := range []struct {
		name string
		q    DirectoryQuery
		code Code
	}{
		{"bad filter", DirectoryQuery{Filter: "soon"}, CodeInvalidQuery},
		{"punctuation only", DirectoryQuery{Query: " -- "}, CodeInvalidQuery},
		{"too long", DirectoryQuery{Query: strings.Repeat("a", 101)}, CodeInvalidQuery},
		{"fine", DirectoryQuery{Query: strings.Repeat("ä", 100), Filter: FilterExpiring}, ""},
	} {
		st := &fakeCustomerStore{}
		_, err := (&CustomerService{Env: testEnv(), Store: st}).Customers(context.Background(), sess, c.q)
		if ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
		if c.code != "" && st.reads+len(st.searched) != 0 {
			t.Errorf("%s: refused, but the store was read", c.name)
		}
		if c.code == "" && (len(st.searched) != 1 || st.searched[0] != strings.Repeat("a", 100)) {
			t.Errorf("%s: searched %q, want the folded query", c.name, st.searched)
		}
	}
	none := sess
	none.Principal.User.CustomerAccess = AccessNone
	if _, err := (&CustomerService{Env: testEnv(), Store: &fakeCustomerStore{}}).Customers(context.Background(), none, DirectoryQuery{}); ErrorCode(err) != CodeForbidden {
		t.Errorf("no customer access: %v, want forbidden", err)
	}
}

func TestUpdateTenant(t *testing.T) {
	ctx := context.Background()
	name := func(s string) *string { return &s }
	t.Run("rename: every relationship and login, one activity entry", func(t *testing.T) {
		svc, st, cs := newTenantWorld(nil)
		cs.Customer.Version = 4
		c, err := svc.UpdateTenant(ctx, cs, TenantPatch{Name: name("  Fabrikam Süd "), Version: 4})
		if err != nil {
			t.Fatal(err)
		}
		w := st.update
		if c.Name != "Fabrikam Süd" || c.Version != 5 || w.PrevVersion != 4 || !w.Renamed || len(w.Relationships) != 1 || len(w.LoginEmails) != 1 {
			t.Fatalf("update = %+v", w)
		}
		if w.Relationships[0].CustomerName != "" || w.Relationships[0].Version != 3 {
			t.Errorf("relationships are passed as read (their versions guard the write): %+v", w.Relationships[0])
		}
		a := w.Activity
		if a.OrgID != testCustomer || a.Action != "organization.updated" || a.Before["name"] != "Fabrikam" || a.After["name"] != "Fabrikam Süd" {
			t.Errorf("activity = %+v", a)
		}
	})
	t.Run("country only: no rename", func(t *testing.T) {
		svc, st, cs := newTenantWorld(nil)
		cs.Customer.Version, cs.Customer.Country = 1, "DE"
		if _, err := svc.UpdateTenant(ctx, cs, TenantPatch{Country: name("at"), Version: 1}); err != nil {
			t.Fatal(err)
		}
		if w := st.update; w.Renamed || w.After.Country != "AT" || w.Relationships != nil {
			t.Errorf("update = %+v", w)
		}
	})
	for _, c := range []struct {
		name string
		in   TenantPatch
		code Code
	}{
		{"stale version", TenantPatch{Name: name("X"), Version: 1}, CodeVersionConflict},
		{"no version", TenantPatch{Name: name("X")}, CodeValidation},
		{"empty name", TenantPatch{Name: name("  "), Version: 2}, CodeValidation},
		{"punctuation name", TenantPatch{Name: name("***"), Version: 2}, CodeValidation},
		{"bad country", TenantPatch{Country: name("Germany"), Version: 2}, CodeValidation},
		{"no change", TenantPatch{Name: name("Fabrikam"), Version: 2}, ""},
	} {
		svc, st, cs := newTenantWorld(nil)
		cs.Customer.Version = 2
		_, err := svc.UpdateTenant(ctx, cs, c.in)
		if ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
		if len(st.writes) != 0 {
			t.Errorf("%s: wrote %v", c.name, st.writes)
		}
	}
}
