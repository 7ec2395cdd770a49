// Package seed writes the demo data of the local runtime: a partner in each cloud with every
// authorization and one user per company role and customer-access level, all with a known
// password. It is idempotent: what exists is left as it is.
package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

// Password is the demo users' password (local only; it satisfies the password policy).
const Password = "Demo-Partner-2026!"

// UserCredential is one demo user.
type UserCredential struct {
	Email          string `json:"email"`
	Password       string `json:"password"`
	CompanyRole    string `json:"companyRole"`
	CustomerAccess string `json:"customerAccess"`
	// TOTPSecret is set for the users whose role requires two-factor sign-in (DemoTOTPSecret).
	TOTPSecret string `json:"totpSecret,omitempty"`
}

// PartnerCredentials is one demo partner and its users.
type PartnerCredentials struct {
	PartnerID string           `json:"partnerId"`
	Name      string           `json:"name"`
	Cloud     string           `json:"cloud"`
	Users     []UserCredential `json:"users"`
}

// Credentials is everything the seed created or found.
type Credentials struct {
	Partners []PartnerCredentials `json:"partners"`
}

type demoPartner struct {
	id, name, domain, phone, city, country string
	cloud                                  admin.Cloud
}

var partners = []demoPartner{
	{"ptn_" + pad("demoglobal"), "Contoso Cloud Partners", "contoso-partners.example", "+49 30 1234567", "Berlin", "DE", admin.CloudGlobal},
	{"ptn_" + pad("demo21vianet"), "Fabrikam China Partners", "fabrikam-cn.example", "+86 10 8765 4321", "Beijing", "CN", admin.Cloud21Vianet},
}

// users: one per company role, plus the two customer-access levels without a company role.
var users = []struct {
	local  string
	name   string
	role   admin.CompanyRole
	access admin.CustomerAccess
}{
	{"admin", "Grace Global", admin.RoleGlobalAdmin, admin.AccessFull},
	{"users", "Uma User-Admin", admin.RoleUserAdmin, admin.AccessNone},
	{"billing", "Bill Billing", admin.RoleBillingAdmin, admin.AccessNone},
	{"passwords", "Pat Password", admin.RolePasswordAdmin, admin.AccessNone},
	{"service", "Sam Service", admin.RoleServiceAdmin, admin.AccessNone},
	{"agent", "Ada Agent", admin.RoleNone, admin.AccessFull},
	{"helpdesk", "Hal Helpdesk", admin.RoleNone, admin.AccessLimited},
	{"member", "Mia Member", admin.RoleNone, admin.AccessNone},
}

// pad makes a fixed 26-character id body, so the demo ids are stable across runs.
func pad(s string) string { return s + strings.Repeat("0", 26-len(s)) }

// Run writes the demo data into table and returns the demo credentials. linkKey is the
// deployment's LINK_KEY: the demo users' TOTP secrets are sealed with a key derived from it.
func Run(ctx context.Context, db store.API, table, linkKey string) (Credentials, error) {
	st := store.New(db, table)
	var err error
	if st.FactorSealer, err = store.NewFactorSealer(linkKey); err != nil {
		return Credentials{}, fmt.Errorf("seed: %w", err)
	}
	hasher := auth.NewHasher(auth.DefaultArgon2)
	now := time.Now().UTC()
	var creds Credentials
	for _, dp := range partners {
		pc := PartnerCredentials{PartnerID: dp.id, Name: dp.name, Cloud: string(dp.cloud)}
		seeder := admin.Actor{Type: "operator", ID: "local-seed"}
		if _, err := st.Partner(ctx, dp.id); admin.ErrorCode(err) == admin.CodeNotFound {
			p := admin.Partner{ID: dp.id, Cloud: dp.cloud, Authorizations: admin.Authorizations,
				Contact: admin.Contact{Name: dp.name, Phone: dp.phone, Email: "contact@" + dp.domain, Website: "https://" + dp.domain,
					Address: &admin.Address{Line1: "1 Demo Street", City: dp.city, PostalCode: "10115", Country: dp.country}},
				UserCount: 0, GlobalAdmins: 0, Version: 1, CreatedAt: now, UpdatedAt: now}
			first := users[0]
			u, l, err := demoUser(hasher, dp, first.local, first.name, first.role, first.access, now)
			if err != nil {
				return creds, err
			}
			p.UserCount, p.GlobalAdmins = 1, 1
			act := admin.Activity{ID: app.NewID("act"), OrgID: dp.id, At: now, Actor: seeder,
				Action: "partner.onboarded", Target: admin.Target{Type: "partner", ID: dp.id}}
			if err := st.CreatePartner(ctx, p, u, l, act, nil); err != nil {
				return creds, fmt.Errorf("seed: partner %s: %w", dp.name, err)
			}
		} else if err != nil {
			return creds, fmt.Errorf("seed: read partner %s: %w", dp.name, err)
		}
		for i, du := range users {
			email := du.local + "@" + dp.domain
			pc.Users = append(pc.Users, UserCredential{Email: email, Password: Password, CompanyRole: string(du.role), CustomerAccess: string(du.access)})
			if i == 0 {
				continue // created with the partner
			}
			if _, err := st.Login(ctx, email); err == nil {
				continue
			}
			u, l, err := demoUser(hasher, dp, du.local, du.name, du.role, du.access, now)
			if err != nil {
				return creds, err
			}
			act := admin.Activity{ID: app.NewID("act"), OrgID: dp.id, At: now, Actor: seeder,
				Action: "user.created", Target: admin.Target{Type: "user", ID: u.ID}}
			if err := st.CreateUser(ctx, u, l, act, nil); err != nil && admin.ErrorCode(err) != admin.CodeEmailTaken {
				return creds, fmt.Errorf("seed: user %s: %w", email, err)
			}
		}
		if err := quietCreations(ctx, st, dp, now); err != nil {
			return creds, err
		}
		if err := twoFactor(ctx, st, &pc, now); err != nil {
			return creds, err
		}
		creds.Partners = append(creds.Partners, pc)
	}
	return creds, nil
}

func demoUser(h *auth.Hasher, dp demoPartner, local, name string, role admin.CompanyRole, access admin.CustomerAccess, now time.Time) (admin.User, admin.Login, error) {
	email := local + "@" + dp.domain
	hash, err := h.Hash(Password)
	if err != nil {
		return admin.User{}, admin.Login{}, err
	}
	id := demoUserID(dp, local)
	u := admin.User{ID: id, OrgID: dp.id, OrgKind: admin.OrgPartner, Email: email, DisplayName: name, CompanyRole: role,
		CustomerAccess: access, Status: admin.UserActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	return u, admin.Login{Email: email, UserID: id, OrgID: dp.id, OrgKind: admin.OrgPartner, PasswordHash: hash}, nil
}

// quietCreations chooses the global admin's notification emails before the demo's customers
// are written: every kind but the creation of a subscription (global admins get every kind by
// default), so the few hundred subscriptions the seed writes fill the partner's inbox without
// sending as many emails; changes made while trying the demo are emailed. Kept if chosen before.
func quietCreations(ctx context.Context, st *store.Store, dp demoPartner, now time.Time) error {
	uid := demoUserID(dp, users[0].local)
	var kinds []admin.EventKind
	for _, k := range admin.EventKinds {
		if k != admin.EventSubscriptionCreated {
			kinds = append(kinds, k)
		}
	}
	set := admin.NotificationSettings{PartnerID: dp.id, UserID: uid, Email: true, Kinds: kinds, Version: 1, UpdatedAt: now}
	if err := store.InboxOf(st).PutNotificationSettings(ctx, set, 0); err != nil && admin.ErrorCode(err) != admin.CodeVersionConflict {
		return fmt.Errorf("seed: notification settings of %s: %w", uid, err)
	}
	return nil
}

// demoUserID is the stable id of a demo partner's user.
func demoUserID(dp demoPartner, local string) string {
	return "usr_" + pad(strings.ReplaceAll(local+strings.TrimPrefix(dp.id, "ptn_demo"), "0", ""))[:26]
}
