package store_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// The fixture world: the domain values behind testdata/fixture. The items there were written
// through the store's public write methods (CreatePartner, UpdatePartner, CreateUser, CreateLink,
// EmailLink, Accept, EndDelegatedAdmin, the outbox transitions, AdmitSignInAttempt,
// CountInvalidCode) by a throwaway program at commit 9cfa5f9, before the stored shapes moved into
// item structs of the adapter, and the table was then scanned: they are the shape existing
// tables hold, including what update expressions wrote.
// fixture_test.go loads them into a fresh table and reads them back through the public read
// methods: a change of stored shape that would strand existing data fails there.
//
// Do not regenerate the fixture items with newer code: that would pin the new shape, not the
// one existing data has. Add new fixture files for new shapes instead.

var fxT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fxAt is fxT0 plus h hours.
func fxAt(h int) time.Time { return fxT0.Add(time.Duration(h) * time.Hour) }

// fxID is a well-formed id of the given prefix ("ptn", "usr", …) and number.
func fxID(prefix string, n int) string { return fmt.Sprintf("%s_01jnfx%020d", prefix, n) }

// fxActID is an activity id (a lower-case ULID) of time t; n orders ids of the same millisecond.
func fxActID(t time.Time, n byte) string {
	entropy := bytes.NewReader(append(make([]byte, 9), n))
	return "act_" + strings.ToLower(ulid.MustNew(ulid.Timestamp(t), entropy).String())
}

var (
	fxPartnerA = fxID("ptn", 1)
	fxPartnerB = fxID("ptn", 2)
	fxAnna     = fxID("usr", 1) // partner A's first global admin
	fxBen      = fxID("usr", 2) // partner A's user admin
	fxChen     = fxID("usr", 3) // partner B's first global admin
	fxDora     = fxID("usr", 4) // customer X's admin
	fxEmil     = fxID("usr", 5) // customer Y's admin
	fxTrial    = fxID("lnk", 1)
	fxOffer    = fxID("lnk", 2)
	fxDALink   = fxID("lnk", 3)
	fxCustX    = fxID("cus", 1)
	fxCustY    = fxID("cus", 2)
	fxSub1     = fxID("sub", 1)
	fxSub2     = fxID("sub", 2)
	fxSub3     = fxID("sub", 3)
	fxOps      = "arn:aws:iam::123456789012:user/ops"
)

func fxOut(n int) string { return fxID("out", n) }

// fxWorld is every domain value the fixture items were written from, in writing order.
type fxWorld struct {
	PartnerA, PartnerA2, PartnerB, PartnerB2 admin.Partner
	Anna, Ben, Chen                          admin.User
	AnnaLogin, BenLogin, ChenLogin           admin.Login
	OnboardA, UpdateA, OnboardB, UpdateB     admin.Activity
	CreateBen                                admin.Activity
	IdemA, IdemTrial                         admin.Idempotency

	Trial, Offer, DALink          admin.Link
	CreateTrial, CreateOffer      admin.Activity
	CreateDALink, EmailTrial      admin.Activity
	TrialEmails                   []store.OutboxEmail // emails as stored, in today's shape
	AcceptOffer, AcceptTrial      admin.AcceptWrite
	AcceptDA                      admin.AcceptWrite
	RelX, RelXEnded, RelY         admin.Relationship
	EndDA                         []admin.Activity
	EndDAEmail                    store.OutboxEmail
	AcceptOfferEmails             []store.OutboxEmail
	AcceptTrialEmails             []store.OutboxEmail
	CustX, CustY                  admin.Customer
	Dora, Emil                    admin.User
	DoraLogin, EmilLogin          admin.Login
	Sub1, Sub2, Sub3              admin.Subscription
	OutboxNow, SignInNow, CodeNow time.Time
	CodeSource                    string
}

func newFxWorld() fxWorld {
	var w fxWorld
	t0 := fxT0
	addrA := admin.Address{Line1: "Friedrichstraße 1", City: "Berlin", PostalCode: "10117", Country: "DE"}
	addrA2 := admin.Address{Line1: "Friedrichstraße 1", Line2: "Aufgang B", City: "Berlin", Region: "Berlin", PostalCode: "10117", Country: "DE"}
	contactA := admin.Contact{Name: "Contoso Partners GmbH", Phone: "+49 30 1234567", Email: "info@contoso-partners.example",
		Website: "https://contoso-partners.example", Address: &addrA}
	w.PartnerA = admin.Partner{ID: fxPartnerA, Contact: contactA, Cloud: admin.CloudGlobal,
		Authorizations: []admin.Authorization{admin.AuthDelegatedAdmin, admin.AuthSubscriptionAdvisor},
		UserCount:      1, GlobalAdmins: 1, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	w.Anna = admin.User{ID: fxAnna, OrgID: fxPartnerA, OrgKind: admin.OrgPartner, Email: "anna@contoso-partners.example",
		DisplayName: "Anna Admin", CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessFull, Status: admin.UserActive,
		PasswordChangeRequired: true, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	w.AnnaLogin = admin.Login{Email: w.Anna.Email, UserID: fxAnna, OrgID: fxPartnerA, OrgKind: admin.OrgPartner,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", PasswordChangeRequired: true}
	w.OnboardA = admin.Activity{ID: fxActID(t0, 1), OrgID: fxPartnerA, At: t0, Actor: admin.Actor{Type: "operator", ID: fxOps},
		Action: "partner.onboarded", Target: admin.Target{Type: "partner", ID: fxPartnerA},
		After: map[string]any{"name": contactA.Name, "cloud": "global", "authorizations": w.PartnerA.Authorizations, "firstAdmin": w.Anna.Email}}
	w.IdemA = admin.Idempotency{Scope: "operator#onboard-partner", Key: "onboard-contoso", Fingerprint: "fp-onboard-contoso", ResourceID: fxPartnerA}

	// The company profile changes (an address with every field).
	contactA2 := contactA
	contactA2.Address = &addrA2
	w.PartnerA2 = w.PartnerA
	w.PartnerA2.Contact, w.PartnerA2.Version, w.PartnerA2.UpdatedAt = contactA2, 2, fxAt(1)
	annaActor := admin.Actor{Type: "user", ID: fxAnna, Email: w.Anna.Email}
	w.UpdateA = admin.Activity{ID: fxActID(fxAt(1), 1), OrgID: fxPartnerA, At: fxAt(1), Actor: annaActor, Action: "company.updated",
		Target: admin.Target{Type: "partner", ID: fxPartnerA},
		Before: map[string]any{"name": contactA.Name, "phone": contactA.Phone, "email": contactA.Email, "website": contactA.Website, "address": addrA},
		After:  map[string]any{"name": contactA.Name, "phone": contactA.Phone, "email": contactA.Email, "website": contactA.Website, "address": addrA2}}

	// A second user of partner A.
	w.Ben = admin.User{ID: fxBen, OrgID: fxPartnerA, OrgKind: admin.OrgPartner, Email: "ben@contoso-partners.example", DisplayName: "Ben Berg",
		CompanyRole: admin.RoleUserAdmin, CustomerAccess: admin.AccessLimited, Status: admin.UserActive, SessionEpoch: 2,
		Version: 1, CreatedAt: fxAt(1), UpdatedAt: fxAt(1)}
	w.BenLogin = admin.Login{Email: w.Ben.Email, UserID: fxBen, OrgID: fxPartnerA, OrgKind: admin.OrgPartner, PasswordHash: "hash-ben", SessionEpoch: 2}
	w.CreateBen = admin.Activity{ID: fxActID(fxAt(1), 2), OrgID: fxPartnerA, At: fxAt(1), Actor: annaActor, Action: "user.created",
		Target: admin.Target{Type: "user", ID: fxBen},
		After:  map[string]any{"email": w.Ben.Email, "displayName": w.Ben.DisplayName, "companyRole": "user_admin", "customerAccess": "limited"}}

	// Partner B: no phone, website, address or authorizations; the operator then grants one.
	w.PartnerB = admin.Partner{ID: fxPartnerB, Contact: admin.Contact{Name: "世纪互联 Partner 有限公司", Email: "hello@partner-b.example"},
		Cloud: admin.Cloud21Vianet, Authorizations: []admin.Authorization{}, UserCount: 1, GlobalAdmins: 1, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	w.Chen = admin.User{ID: fxChen, OrgID: fxPartnerB, OrgKind: admin.OrgPartner, Email: "chen@partner-b.example", DisplayName: "Chen",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessFull, Status: admin.UserActive, PasswordChangeRequired: true,
		Version: 1, CreatedAt: t0, UpdatedAt: t0}
	w.ChenLogin = admin.Login{Email: w.Chen.Email, UserID: fxChen, OrgID: fxPartnerB, OrgKind: admin.OrgPartner, PasswordHash: "hash-chen", PasswordChangeRequired: true}
	w.OnboardB = admin.Activity{ID: fxActID(t0, 2), OrgID: fxPartnerB, At: t0, Actor: admin.Actor{Type: "operator", ID: fxOps},
		Action: "partner.onboarded", Target: admin.Target{Type: "partner", ID: fxPartnerB},
		After: map[string]any{"name": w.PartnerB.Contact.Name, "cloud": "21vianet", "authorizations": []admin.Authorization{}, "firstAdmin": w.Chen.Email}}
	w.PartnerB2 = w.PartnerB
	w.PartnerB2.Authorizations, w.PartnerB2.Version, w.PartnerB2.UpdatedAt = []admin.Authorization{admin.AuthServiceProvider}, 2, fxAt(2)
	w.UpdateB = admin.Activity{ID: fxActID(fxAt(2), 1), OrgID: fxPartnerB, At: fxAt(2), Actor: admin.Actor{Type: "operator", ID: fxOps},
		Action: "partner.authorizations_changed", Target: admin.Target{Type: "partner", ID: fxPartnerB},
		Before: map[string]any{"authorizations": []admin.Authorization{}}, After: map[string]any{"authorizations": w.PartnerB2.Authorizations}}

	// Partner A's links: a trial invitation, a purchase offer with delegated admin, and a
	// delegated-admin offer for one customer.
	w.Trial = admin.Link{ID: fxTrial, PartnerID: fxPartnerA, Kind: admin.LinkTrial, ProductID: "m365-business-basic",
		ExpiresAt: fxAt(24 * 30), MaxUses: 10, Nonce: []byte("0123456789abcdef"), CodeHash: strings.Repeat("a1", 32),
		CreatedBy: fxAnna, Version: 1, CreatedAt: fxAt(2), UpdatedAt: fxAt(2)}
	w.IdemTrial = admin.Idempotency{Scope: fxAnna + "#create-link", Key: "trial-1", Fingerprint: "fp-trial-1", ResourceID: fxTrial}
	w.CreateTrial = admin.Activity{ID: fxActID(fxAt(2), 2), OrgID: fxPartnerA, At: fxAt(2), Actor: annaActor, Action: "link.created",
		Target: admin.Target{Type: "link", ID: fxTrial}, After: map[string]any{"kind": "trial"}}
	w.Offer = admin.Link{ID: fxOffer, PartnerID: fxPartnerA, Kind: admin.LinkOffer,
		Lines:          []admin.OfferLine{{ProductID: "m365-business-basic", Licenses: 10}, {ProductID: "teams-essentials", Licenses: 5}},
		DelegatedAdmin: &admin.DelegatedAdminOffer{Scope: admin.AccessFull, DurationDays: 365, AutoExtend: true},
		Nonce:          []byte("fedcba9876543210"), CodeHash: strings.Repeat("b2", 32), CreatedBy: fxAnna, Version: 1, CreatedAt: fxAt(3), UpdatedAt: fxAt(3)}
	w.CreateOffer = admin.Activity{ID: fxActID(fxAt(3), 1), OrgID: fxPartnerA, At: fxAt(3), Actor: annaActor, Action: "link.created",
		Target: admin.Target{Type: "link", ID: fxOffer}, After: map[string]any{"kind": "offer"}}
	w.DALink = admin.Link{ID: fxDALink, PartnerID: fxPartnerA, Kind: admin.LinkDelegatedAdmin,
		DelegatedAdmin: &admin.DelegatedAdminOffer{Scope: admin.AccessLimited, DurationDays: 30}, TargetCustomerID: fxCustY,
		ExpiresAt: fxAt(24 * 7), MaxUses: 1, Nonce: []byte("dadadadadadadada"), CodeHash: strings.Repeat("c3", 32), CreatedBy: fxBen,
		Version: 1, CreatedAt: fxAt(4), UpdatedAt: fxAt(4)}
	w.CreateDALink = admin.Activity{ID: fxActID(fxAt(4), 1), OrgID: fxPartnerA, At: fxAt(4),
		Actor: admin.Actor{Type: "user", ID: fxBen, Email: w.Ben.Email}, Action: "link.created",
		Target: admin.Target{Type: "link", ID: fxDALink}, After: map[string]any{"kind": "delegated-admin"}}

	// The trial invitation is emailed to two addresses.
	w.TrialEmails = []store.OutboxEmail{
		{ID: fxOut(1), OrgID: fxPartnerA, Template: "trial_invitation", To: []string{"dora@fabrikam.example"},
			Data: map[string]string{"partnerName": contactA.Name, "url": "https://pac.example/trial/CODE"}},
		{ID: fxOut(2), OrgID: fxPartnerA, Template: "trial_invitation", To: []string{"emil@northwind.example", "it@northwind.example"},
			Data: map[string]string{"partnerName": contactA.Name, "url": "https://pac.example/trial/CODE"}},
	}
	w.EmailTrial = admin.Activity{ID: fxActID(fxAt(5), 1), OrgID: fxPartnerA, At: fxAt(5), Actor: annaActor, Action: "link.emailed",
		Target: admin.Target{Type: "link", ID: fxTrial}, After: map[string]any{"recipients": 2}}

	// Customer X signs up through the offer (delegated admin accepted).
	t6 := fxAt(6)
	w.CustX = admin.Customer{ID: fxCustX, Name: "Fabrikam AG", DomainPrefix: "fabrikam", Country: "CH", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: t6}
	w.Dora = admin.User{ID: fxDora, OrgID: fxCustX, OrgKind: admin.OrgCustomer, Email: "dora@fabrikam.example", DisplayName: "Dora",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: t6, UpdatedAt: t6}
	w.DoraLogin = admin.Login{Email: w.Dora.Email, UserID: fxDora, OrgID: fxCustX, OrgKind: admin.OrgCustomer, PasswordHash: "hash-dora",
		Cloud: admin.CloudGlobal, OrgName: w.CustX.Name, OrgDomain: "fabrikam"}
	w.Sub1 = admin.Subscription{ID: fxSub1, CustomerID: fxCustX, ProductID: "m365-business-basic", ProductName: "Microsoft 365 Business Basic",
		Licenses: 10, Status: admin.SubscriptionActive, PartnerOfRecord: fxPartnerA, PORHistory: []admin.PORPeriod{{PartnerID: fxPartnerA, From: t6}},
		LinkID: fxOffer, Version: 1, CreatedAt: t6}
	w.Sub2 = admin.Subscription{ID: fxSub2, CustomerID: fxCustX, ProductID: "teams-essentials", ProductName: "Microsoft Teams Essentials",
		Licenses: 5, Status: admin.SubscriptionActive, PartnerOfRecord: fxPartnerA, PORHistory: []admin.PORPeriod{{PartnerID: fxPartnerA, From: t6}},
		LinkID: fxOffer, Version: 1, CreatedAt: t6}
	w.RelX = admin.Relationship{CustomerID: fxCustX, CustomerName: w.CustX.Name, CustomerDomain: "fabrikam", PartnerID: fxPartnerA,
		PartnerName: contactA.Name, Since: t6,
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: t6, EndsAt: t6.AddDate(0, 0, 365), AutoExtend: true, Status: "active"},
		Version:        1}
	doraActor := admin.Actor{Type: "user", ID: fxDora, Email: w.Dora.Email}
	offerAfter := map[string]any{"link": fxOffer, "kind": "offer", "subscriptions": 2, "delegatedAdmin": "accepted"}
	w.AcceptOffer = admin.AcceptWrite{Link: w.Offer, Now: t6, NewCustomer: &w.CustX, Admin: w.Dora, AdminLogin: w.DoraLogin,
		Use:           admin.LinkUse{LinkID: fxOffer, CustomerID: fxCustX, CustomerName: w.CustX.Name, At: t6, DelegatedAdmin: "accepted"},
		Subscriptions: []admin.Subscription{w.Sub1, w.Sub2}, Relationship: w.RelX, NewRelationship: true,
		Activities: []admin.Activity{
			{ID: fxActID(t6, 1), OrgID: fxPartnerA, At: t6, Actor: doraActor, Action: "link.accepted", Target: admin.Target{Type: "link", ID: fxOffer}, CustomerID: fxCustX, After: offerAfter},
			{ID: fxActID(t6, 2), OrgID: fxCustX, At: t6, Actor: doraActor, Action: "partner.offer_accepted", Target: admin.Target{Type: "partner", ID: fxPartnerA}, CustomerID: fxCustX, After: offerAfter},
		},
	}
	w.AcceptOfferEmails = []store.OutboxEmail{
		{ID: fxOut(3), OrgID: fxPartnerA, Template: "partner_answer", To: []string{contactA.Email}, Data: map[string]string{"customerName": w.CustX.Name}},
		{ID: fxOut(4), OrgID: fxCustX, Template: "customer_welcome", To: []string{w.Dora.Email}, Data: map[string]string{"partnerName": contactA.Name}},
	}

	// Customer X, signed in, takes the trial too (the relationship exists: version 2).
	t7 := fxAt(7)
	w.Sub3 = admin.Subscription{ID: fxSub3, CustomerID: fxCustX, ProductID: "m365-business-basic", ProductName: "Microsoft 365 Business Basic",
		Licenses: 25, Status: admin.SubscriptionTrial, TrialEndsAt: t7.AddDate(0, 0, 30), PartnerOfRecord: fxPartnerA,
		PORHistory: []admin.PORPeriod{{PartnerID: fxPartnerA, From: t7}}, LinkID: fxTrial, Version: 1, CreatedAt: t7}
	relX2 := w.RelX
	relX2.Version = 2
	trialAfter := map[string]any{"link": fxTrial, "kind": "trial", "subscriptions": 1}
	w.AcceptTrial = admin.AcceptWrite{Link: w.Trial, Now: t7,
		Use:           admin.LinkUse{LinkID: fxTrial, CustomerID: fxCustX, CustomerName: w.CustX.Name, At: t7},
		Subscriptions: []admin.Subscription{w.Sub3}, Relationship: relX2, PrevVersion: 1,
		Activities: []admin.Activity{
			{ID: fxActID(t7, 1), OrgID: fxPartnerA, At: t7, Actor: doraActor, Action: "link.accepted", Target: admin.Target{Type: "link", ID: fxTrial}, CustomerID: fxCustX, After: trialAfter},
			{ID: fxActID(t7, 2), OrgID: fxCustX, At: t7, Actor: doraActor, Action: "partner.offer_accepted", Target: admin.Target{Type: "partner", ID: fxPartnerA}, CustomerID: fxCustX, After: trialAfter},
		},
	}
	w.AcceptTrialEmails = []store.OutboxEmail{{ID: fxOut(5), OrgID: fxPartnerA, Template: "partner_answer", To: []string{contactA.Email}, Data: map[string]string{"customerName": w.CustX.Name}}}

	// Customer Y signs up through the delegated-admin offer (no subscriptions).
	t8 := fxAt(8)
	w.CustY = admin.Customer{ID: fxCustY, Name: "Northwind Traders", DomainPrefix: "northwind", Country: "GB", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: t8}
	w.Emil = admin.User{ID: fxEmil, OrgID: fxCustY, OrgKind: admin.OrgCustomer, Email: "emil@northwind.example", DisplayName: "Emil",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: t8, UpdatedAt: t8}
	w.EmilLogin = admin.Login{Email: w.Emil.Email, UserID: fxEmil, OrgID: fxCustY, OrgKind: admin.OrgCustomer, PasswordHash: "hash-emil",
		Cloud: admin.CloudGlobal, OrgName: w.CustY.Name, OrgDomain: "northwind"}
	w.RelY = admin.Relationship{CustomerID: fxCustY, CustomerName: w.CustY.Name, CustomerDomain: "northwind", PartnerID: fxPartnerA,
		PartnerName: contactA.Name, Since: t8,
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessLimited, StartsAt: t8, EndsAt: t8.AddDate(0, 0, 30), Status: "active"}, Version: 1}
	emilActor := admin.Actor{Type: "user", ID: fxEmil, Email: w.Emil.Email}
	daAfter := map[string]any{"link": fxDALink, "kind": "delegated-admin", "subscriptions": 0, "delegatedAdmin": "accepted"}
	w.AcceptDA = admin.AcceptWrite{Link: w.DALink, Now: t8, NewCustomer: &w.CustY, Admin: w.Emil, AdminLogin: w.EmilLogin,
		Use:          admin.LinkUse{LinkID: fxDALink, CustomerID: fxCustY, CustomerName: w.CustY.Name, At: t8, DelegatedAdmin: "accepted"},
		Relationship: w.RelY, NewRelationship: true,
		Activities: []admin.Activity{
			{ID: fxActID(t8, 1), OrgID: fxPartnerA, At: t8, Actor: emilActor, Action: "link.accepted", Target: admin.Target{Type: "link", ID: fxDALink}, CustomerID: fxCustY, After: daAfter},
			{ID: fxActID(t8, 2), OrgID: fxCustY, At: t8, Actor: emilActor, Action: "partner.offer_accepted", Target: admin.Target{Type: "partner", ID: fxPartnerA}, CustomerID: fxCustY, After: daAfter},
		}}

	// Customer X ends partner A's delegated administration.
	t9 := fxAt(9)
	w.RelXEnded = relX2
	ended := *relX2.DelegatedAdmin
	ended.Status, ended.EndedAt = "ended", &t9
	w.RelXEnded.DelegatedAdmin, w.RelXEnded.Version = &ended, 3
	endBefore := map[string]any{"scope": "full", "endsAt": relX2.DelegatedAdmin.EndsAt.Format(time.RFC3339)}
	w.EndDA = []admin.Activity{
		{ID: fxActID(t9, 1), OrgID: fxCustX, At: t9, Actor: doraActor, Action: "delegated_admin.ended", Target: admin.Target{Type: "partner", ID: fxPartnerA}, CustomerID: fxCustX, Before: endBefore},
		{ID: fxActID(t9, 2), OrgID: fxPartnerA, At: t9, Actor: doraActor, Action: "delegated_admin.ended", Target: admin.Target{Type: "customer", ID: fxCustX}, CustomerID: fxCustX, Before: endBefore},
	}
	w.EndDAEmail = store.OutboxEmail{ID: fxOut(6), OrgID: fxCustX, Template: "delegated_admin_ended", To: []string{contactA.Email},
		Data: map[string]string{"partnerName": contactA.Name, "customerName": w.CustX.Name, "customerDomain": "fabrikam"}}

	w.OutboxNow = fxAt(10)
	w.SignInNow = fxAt(11)
	w.CodeNow = fxAt(12)
	w.CodeSource = "203.0.113.7"
	return w
}
