package seed

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/store"
)

// DemoTOTPSecret is the TOTP secret of a demo user whose role requires two-factor sign-in:
// derived from the email, so it is the same on every run (local only, like the demo password).
// Add it to an authenticator app, or print the current code with `pac-local totp <email>`.
func DemoTOTPSecret(email string) string {
	sum := sha256.Sum256([]byte("partner-admin-center demo totp " + email))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20])
}

// twoFactor sets up two-factor sign-in for the demo users whose role requires it (global admins
// and full customer access) unless they have it, and puts their secrets into the credentials.
func twoFactor(ctx context.Context, st *store.Store, pc *PartnerCredentials, now time.Time) error {
	for i, uc := range pc.Users {
		login, err := st.Login(ctx, uc.Email)
		if err != nil {
			return fmt.Errorf("seed: login of %s: %w", uc.Email, err)
		}
		f, u, err := store.FactorsOf(st).SecondFactor(ctx, login.OrgID, login.UserID)
		if err != nil {
			return fmt.Errorf("seed: second factor of %s: %w", uc.Email, err)
		}
		if !admin.MFARequired(u) {
			continue
		}
		pc.Users[i].TOTPSecret = DemoTOTPSecret(uc.Email)
		if f.Active {
			continue
		}
		after := u
		after.MFAEnabled, after.Version, after.UpdatedAt = true, u.Version+1, now
		next := admin.SecondFactor{OrgID: u.OrgID, UserID: u.ID, Active: true, Secret: pc.Users[i].TOTPSecret, EnabledAt: now, Version: f.Version + 1}
		act := admin.Activity{ID: app.NewID("act"), OrgID: u.OrgID, At: now, Actor: admin.Actor{Type: "operator", ID: "local-seed"},
			Action: "user.mfa_enabled", Target: admin.Target{Type: "user", ID: u.ID}}
		if err := store.FactorsOf(st).SetFactor(ctx, after, u.Version, next, f.Version, act); err != nil {
			return fmt.Errorf("seed: two-factor sign-in of %s: %w", uc.Email, err)
		}
	}
	return nil
}
