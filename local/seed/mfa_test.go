package seed

import (
	"context"
	"testing"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestTwoFactor: the demo users whose role requires two-factor sign-in have it, with the secret
// the credentials name (sealed in the table); the others have none; a rerun changes nothing.
func TestTwoFactor(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	linkKey, err := auth.NewLinkKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, db, table, linkKey); err != nil {
		t.Fatal(err)
	}
	creds, err := Run(ctx, db, table, linkKey) // a rerun
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, table)
	if st.FactorSealer, err = store.NewFactorSealer(linkKey); err != nil {
		t.Fatal(err)
	}
	required := 0
	for _, p := range creds.Partners {
		for _, uc := range p.Users {
			l, err := st.Login(ctx, uc.Email)
			if err != nil {
				t.Fatal(err)
			}
			f, u, err := store.FactorsOf(st).SecondFactor(ctx, l.OrgID, l.UserID)
			if err != nil {
				t.Fatal(err)
			}
			want := admin.MFARequired(u)
			if want {
				required++
			}
			if f.Active != want || u.MFAEnabled != want || l.MFAEnabled != want || (uc.TOTPSecret != "") != want {
				t.Errorf("%s: factor %v, user %v, login %v, secret %q; want %v", uc.Email, f.Active, u.MFAEnabled, l.MFAEnabled, uc.TOTPSecret, want)
			}
			if want && (f.Secret != DemoTOTPSecret(uc.Email) || f.Version != 1) {
				t.Errorf("%s: the stored secret differs from the credentials', or the rerun wrote it again (version %d)", uc.Email, f.Version)
			}
		}
	}
	if required != 4 { // per partner: the global admin and the full-access agent
		t.Errorf("%d demo users with two-factor sign-in, want 4", required)
	}
}
