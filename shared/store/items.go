package store

import (
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// The item structs are the table's shape. Every stored value, nested ones included, is an item
// struct of this package with explicit dynamodbav tags, converted to and from the domain types
// here (to…Item, domain): a domain type never decides an attribute name, and renaming a domain
// field changes no stored data. testdata/golden pins the shapes, testdata/fixture that existing
// items still read. Keys and Type values are built in keys.go. (OutboxItem, exported for the
// mailer, is in outbox.go with the outbox's transitions.)

type partnerItem struct {
	PK             string       `dynamodbav:"PK"`
	SK             string       `dynamodbav:"SK"`
	Type           string       `dynamodbav:"Type"`
	ID             string       `dynamodbav:"partnerId"`
	Name           string       `dynamodbav:"name"`
	Phone          string       `dynamodbav:"phone,omitempty"`
	Email          string       `dynamodbav:"email"`
	Website        string       `dynamodbav:"website,omitempty"`
	Address        *addressItem `dynamodbav:"address,omitempty"`
	Cloud          string       `dynamodbav:"cloud"`
	Authorizations []string     `dynamodbav:"authorizations"`
	CustomerCount  int          `dynamodbav:"customerCount"`
	UserCount      int          `dynamodbav:"userCount"`
	GlobalAdmins   int          `dynamodbav:"globalAdmins"`
	Version        int          `dynamodbav:"version"`
	CreatedAt      time.Time    `dynamodbav:"createdAt"`
	UpdatedAt      time.Time    `dynamodbav:"updatedAt"`
}

func toPartnerItem(p admin.Partner) partnerItem {
	auths := make([]string, len(p.Authorizations))
	for i, a := range p.Authorizations {
		auths[i] = string(a)
	}
	return partnerItem{
		PK: partnerPK(p.ID), SK: skProf, Type: typePartner, ID: p.ID,
		Name: p.Contact.Name, Phone: p.Contact.Phone, Email: p.Contact.Email, Website: p.Contact.Website, Address: toAddressItem(p.Contact.Address),
		Cloud: string(p.Cloud), Authorizations: auths, CustomerCount: p.CustomerCount, UserCount: p.UserCount,
		GlobalAdmins: p.GlobalAdmins, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

func (it partnerItem) domain() admin.Partner {
	auths := make([]admin.Authorization, len(it.Authorizations))
	for i, a := range it.Authorizations {
		auths[i] = admin.Authorization(a)
	}
	return admin.Partner{
		ID:      it.ID,
		Contact: admin.Contact{Name: it.Name, Phone: it.Phone, Email: it.Email, Website: it.Website, Address: it.Address.domain()},
		Cloud:   admin.Cloud(it.Cloud), Authorizations: auths, CustomerCount: it.CustomerCount, UserCount: it.UserCount,
		GlobalAdmins: it.GlobalAdmins, Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
	}
}

type userItem struct {
	PK                     string    `dynamodbav:"PK"`
	SK                     string    `dynamodbav:"SK"`
	Type                   string    `dynamodbav:"Type"`
	ID                     string    `dynamodbav:"userId"`
	OrgID                  string    `dynamodbav:"orgId"`
	OrgKind                string    `dynamodbav:"orgKind"`
	Email                  string    `dynamodbav:"email"`
	DisplayName            string    `dynamodbav:"displayName"`
	CompanyRole            string    `dynamodbav:"companyRole"`
	CustomerAccess         string    `dynamodbav:"customerAccess"`
	Status                 string    `dynamodbav:"status"`
	PasswordChangeRequired bool      `dynamodbav:"passwordChangeRequired"`
	SessionEpoch           int       `dynamodbav:"sessionEpoch"`
	MFAEnabled             bool      `dynamodbav:"mfaEnabled,omitempty"`
	Version                int       `dynamodbav:"version"`
	CreatedAt              time.Time `dynamodbav:"createdAt"`
	UpdatedAt              time.Time `dynamodbav:"updatedAt"`
}

func toUserItem(u admin.User) userItem {
	return userItem{
		PK: orgPK(u.OrgID), SK: userSK(u.ID), Type: typeUser, ID: u.ID, OrgID: u.OrgID, OrgKind: string(u.OrgKind),
		Email: u.Email, DisplayName: u.DisplayName, CompanyRole: string(u.CompanyRole), CustomerAccess: string(u.CustomerAccess),
		Status: string(u.Status), PasswordChangeRequired: u.PasswordChangeRequired, SessionEpoch: u.SessionEpoch,
		MFAEnabled: u.MFAEnabled, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func (it userItem) domain() admin.User {
	return admin.User{
		ID: it.ID, OrgID: it.OrgID, OrgKind: admin.OrgKind(it.OrgKind), Email: it.Email, DisplayName: it.DisplayName,
		CompanyRole: admin.CompanyRole(it.CompanyRole), CustomerAccess: admin.CustomerAccess(it.CustomerAccess),
		Status: admin.UserStatus(it.Status), PasswordChangeRequired: it.PasswordChangeRequired,
		SessionEpoch: it.SessionEpoch, MFAEnabled: it.MFAEnabled, Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
	}
}

type loginItem struct {
	PK           string `dynamodbav:"PK"`
	SK           string `dynamodbav:"SK"`
	Type         string `dynamodbav:"Type"`
	Email        string `dynamodbav:"email"`
	UserID       string `dynamodbav:"userId"`
	OrgID        string `dynamodbav:"orgId"`
	OrgKind      string `dynamodbav:"orgKind"`
	PasswordHash string `dynamodbav:"passwordHash"`
	// MustChange mirrors the user's PasswordChangeRequired (written in the same transactions) so
	// that sign-in needs no second read.
	MustChange   bool   `dynamodbav:"passwordChangeRequired"`
	SessionEpoch int    `dynamodbav:"sessionEpoch"`
	MFAEnabled   bool   `dynamodbav:"mfaEnabled,omitempty"`
	Cloud        string `dynamodbav:"cloud,omitempty"`
	OrgName      string `dynamodbav:"orgName,omitempty"`
	OrgDomain    string `dynamodbav:"orgDomain,omitempty"`
}

func toLoginItem(l admin.Login) loginItem {
	return loginItem{PK: loginPK(l.Email), SK: skLogin, Type: typeLogin, Email: l.Email, UserID: l.UserID, OrgID: l.OrgID,
		OrgKind: string(l.OrgKind), PasswordHash: l.PasswordHash, MustChange: l.PasswordChangeRequired, SessionEpoch: l.SessionEpoch,
		MFAEnabled: l.MFAEnabled, Cloud: string(l.Cloud), OrgName: l.OrgName, OrgDomain: l.OrgDomain}
}

func (it loginItem) domain() admin.Login {
	return admin.Login{Email: it.Email, UserID: it.UserID, OrgID: it.OrgID, OrgKind: admin.OrgKind(it.OrgKind), PasswordHash: it.PasswordHash, PasswordChangeRequired: it.MustChange, SessionEpoch: it.SessionEpoch,
		MFAEnabled: it.MFAEnabled, Cloud: admin.Cloud(it.Cloud), OrgName: it.OrgName, OrgDomain: it.OrgDomain}
}

type activityItem struct {
	PK         string         `dynamodbav:"PK"`
	SK         string         `dynamodbav:"SK"`
	Type       string         `dynamodbav:"Type"`
	ID         string         `dynamodbav:"activityId"`
	At         time.Time      `dynamodbav:"at"`
	ActorType  string         `dynamodbav:"actorType"`
	ActorID    string         `dynamodbav:"actorId"`
	ActorEmail string         `dynamodbav:"actorEmail,omitempty"`
	Action     string         `dynamodbav:"action"`
	TargetType string         `dynamodbav:"targetType"`
	TargetID   string         `dynamodbav:"targetId"`
	CustomerID string         `dynamodbav:"customerId,omitempty"`
	PartnerID  string         `dynamodbav:"partnerId,omitempty"`
	Before     activityFields `dynamodbav:"before,omitempty"`
	After      activityFields `dynamodbav:"after,omitempty"`
}

func toActivityItem(a admin.Activity) activityItem {
	return activityItem{PK: orgPK(a.OrgID), SK: activitySK(a.ID), Type: typeActivity, ID: a.ID, At: a.At,
		ActorType: a.Actor.Type, ActorID: a.Actor.ID, ActorEmail: a.Actor.Email, Action: a.Action,
		TargetType: a.Target.Type, TargetID: a.Target.ID, CustomerID: a.CustomerID, PartnerID: a.PartnerID, Before: activityFields(a.Before), After: activityFields(a.After)}
}

func (it activityItem) domain() admin.Activity {
	return admin.Activity{ID: it.ID, At: it.At, Actor: admin.Actor{Type: it.ActorType, ID: it.ActorID, Email: it.ActorEmail},
		Action: it.Action, Target: admin.Target{Type: it.TargetType, ID: it.TargetID}, CustomerID: it.CustomerID, PartnerID: it.PartnerID,
		Before: it.Before, After: it.After}
}

type guardItem struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	Type        string `dynamodbav:"Type"`
	Attempts    int    `dynamodbav:"attempts"`
	WindowStart int64  `dynamodbav:"windowStart"` // epoch ms: numbers compare, RFC 3339 strings may not
	LastAttempt int64  `dynamodbav:"lastAttempt"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
}

type idemItem struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	Type        string `dynamodbav:"Type"`
	ResourceID  string `dynamodbav:"resourceId"`
	Fingerprint string `dynamodbav:"fingerprint"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
}

// domain is what a replay learns from the stored record.
func (it idemItem) domain() admin.IdempotencyConflict {
	return admin.IdempotencyConflict{ResourceID: it.ResourceID, Fingerprint: it.Fingerprint}
}

func toIdemItem(idem admin.Idempotency, expires time.Time) idemItem {
	return idemItem{PK: idemPK(idem.Scope, idem.Key), SK: skIdem, Type: typeIdem, ResourceID: idem.ResourceID,
		Fingerprint: idem.Fingerprint, ExpiresAt: expires.Unix()}
}

type linkItem struct {
	PK               string                   `dynamodbav:"PK"`
	SK               string                   `dynamodbav:"SK"`
	GSI1PK           string                   `dynamodbav:"GSI1PK"`
	GSI1SK           string                   `dynamodbav:"GSI1SK"`
	Type             string                   `dynamodbav:"Type"`
	ID               string                   `dynamodbav:"linkId"`
	PartnerID        string                   `dynamodbav:"partnerId"`
	Kind             string                   `dynamodbav:"kind"`
	ProductID        string                   `dynamodbav:"productId,omitempty"`
	Lines            []offerLineItem          `dynamodbav:"lines,omitempty"`
	DelegatedAdmin   *delegatedAdminOfferItem `dynamodbav:"delegatedAdmin,omitempty"`
	TargetCustomerID string                   `dynamodbav:"targetCustomerId,omitempty"`
	ValidUntil       int64                    `dynamodbav:"validUntil,omitempty"` // epoch ms; not the TTL attribute
	MaxUses          int                      `dynamodbav:"maxUses,omitempty"`
	Uses             int                      `dynamodbav:"uses"`
	Revoked          bool                     `dynamodbav:"revoked"`
	Nonce            []byte                   `dynamodbav:"nonce"`
	CodeHash         string                   `dynamodbav:"codeHash"`
	EmailsSent       int                      `dynamodbav:"emailsSent"`
	CreatedBy        string                   `dynamodbav:"createdBy"`
	LastUsedAt       time.Time                `dynamodbav:"lastUsedAt,omitempty"` // a zero time is stored as 0001-01-01T00:00:00Z
	Version          int                      `dynamodbav:"version"`
	CreatedAt        time.Time                `dynamodbav:"createdAt"`
	UpdatedAt        time.Time                `dynamodbav:"updatedAt"`
}

func toLinkItem(l admin.Link) linkItem {
	it := linkItem{PK: partnerPK(l.PartnerID), SK: linkSK(l.Kind, l.ID), GSI1PK: linksGSI(l.PartnerID, l.Kind),
		GSI1SK: linksGSISK(l.CreatedAt, l.ID), Type: typeLink, ID: l.ID, PartnerID: l.PartnerID,
		Kind: string(l.Kind), ProductID: l.ProductID, Lines: toOfferLineItems(l.Lines), DelegatedAdmin: toDelegatedAdminOfferItem(l.DelegatedAdmin),
		TargetCustomerID: l.TargetCustomerID, MaxUses: l.MaxUses, Uses: l.Uses, Revoked: l.Revoked, Nonce: l.Nonce,
		CodeHash: l.CodeHash, EmailsSent: l.EmailsSent, CreatedBy: l.CreatedBy, LastUsedAt: l.LastUsedAt,
		Version: l.Version, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if !l.ExpiresAt.IsZero() {
		it.ValidUntil = l.ExpiresAt.UnixMilli()
	}
	return it
}

func (it linkItem) domain() admin.Link {
	l := admin.Link{ID: it.ID, PartnerID: it.PartnerID, Kind: admin.LinkKind(it.Kind), ProductID: it.ProductID, Lines: offerLines(it.Lines),
		DelegatedAdmin: it.DelegatedAdmin.domain(), TargetCustomerID: it.TargetCustomerID, MaxUses: it.MaxUses, Uses: it.Uses,
		Revoked: it.Revoked, Nonce: it.Nonce, CodeHash: it.CodeHash, EmailsSent: it.EmailsSent, CreatedBy: it.CreatedBy,
		LastUsedAt: it.LastUsedAt, Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
	if it.ValidUntil != 0 {
		l.ExpiresAt = time.UnixMilli(it.ValidUntil).UTC()
	}
	return l
}

// codeItem maps the hash of a link's code to the link.
type codeItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"Type"`
	PartnerID string `dynamodbav:"partnerId"`
	LinkID    string `dynamodbav:"linkId"`
	Kind      string `dynamodbav:"kind"`
}

func toCodeItem(l admin.Link) codeItem {
	return codeItem{PK: codePK(l.CodeHash), SK: skCode, Type: typeLinkCode, PartnerID: l.PartnerID, LinkID: l.ID, Kind: string(l.Kind)}
}

// useItem is one use of a link, in the link's partition (useID orders them: the id of the
// acceptance's first activity entry).
type useItem struct {
	PK             string    `dynamodbav:"PK"`
	SK             string    `dynamodbav:"SK"`
	Type           string    `dynamodbav:"Type"`
	LinkID         string    `dynamodbav:"linkId"`
	CustomerID     string    `dynamodbav:"customerId"`
	CustomerName   string    `dynamodbav:"customerName"`
	At             time.Time `dynamodbav:"at"`
	DelegatedAdmin string    `dynamodbav:"delegatedAdmin,omitempty"`
}

func toUseItem(l admin.Link, useID string, u admin.LinkUse) useItem {
	return useItem{PK: partnerPK(l.PartnerID), SK: linkUseSK(l.Kind, l.ID, useID), Type: typeLinkUse,
		LinkID: l.ID, CustomerID: u.CustomerID, CustomerName: u.CustomerName, At: u.At, DelegatedAdmin: u.DelegatedAdmin}
}

func (it useItem) domain() admin.LinkUse {
	return admin.LinkUse{LinkID: it.LinkID, CustomerID: it.CustomerID, CustomerName: it.CustomerName, At: it.At, DelegatedAdmin: it.DelegatedAdmin}
}

type customerItem struct {
	PK           string    `dynamodbav:"PK"`
	SK           string    `dynamodbav:"SK"`
	Type         string    `dynamodbav:"Type"`
	ID           string    `dynamodbav:"customerId"`
	Name         string    `dynamodbav:"name"`
	DomainPrefix string    `dynamodbav:"domainPrefix"`
	Country      string    `dynamodbav:"country"`
	Cloud        string    `dynamodbav:"cloud"`
	Version      int       `dynamodbav:"version"`
	CreatedAt    time.Time `dynamodbav:"createdAt"`
	// Admins counts the customer's admins (customerAdmins moves it); absent on customers signed
	// up before it was kept, which have exactly one.
	Admins int `dynamodbav:"admins,omitempty"`
	// SubscriptionCount is raised in the transaction of every subscription creation; profiles
	// stored before it existed get it from the backfill (absent reads as 0).
	SubscriptionCount int `dynamodbav:"subscriptionCount"`
}

func toCustomerItem(c admin.Customer) customerItem {
	return customerItem{PK: customerPK(c.ID), SK: skProf, Type: typeCustomer, ID: c.ID, Name: c.Name, DomainPrefix: c.DomainPrefix,
		Country: c.Country, Cloud: string(c.Cloud), Version: c.Version, CreatedAt: c.CreatedAt, Admins: c.Admins, SubscriptionCount: c.SubscriptionCount}
}

func (it customerItem) domain() admin.Customer {
	return admin.Customer{ID: it.ID, Name: it.Name, DomainPrefix: it.DomainPrefix, Country: it.Country, Cloud: admin.Cloud(it.Cloud),
		Version: it.Version, CreatedAt: it.CreatedAt, Admins: it.Admins, SubscriptionCount: it.SubscriptionCount}
}

// domainItem reserves a customer's domain prefix in its cloud (its condition makes it unique).
type domainItem struct {
	PK         string `dynamodbav:"PK"`
	SK         string `dynamodbav:"SK"`
	Type       string `dynamodbav:"Type"`
	CustomerID string `dynamodbav:"customerId"`
}

func toDomainItem(c admin.Customer) domainItem {
	return domainItem{PK: domainPK(c.Cloud, c.DomainPrefix), SK: skDomain, Type: typeDomainPrefix, CustomerID: c.ID}
}

type subscriptionItem struct {
	PK              string          `dynamodbav:"PK"`
	SK              string          `dynamodbav:"SK"`
	Type            string          `dynamodbav:"Type"`
	ID              string          `dynamodbav:"subscriptionId"`
	CustomerID      string          `dynamodbav:"customerId"`
	ProductID       string          `dynamodbav:"productId"`
	ProductName     string          `dynamodbav:"productName"`
	Licenses        int             `dynamodbav:"licenses"`
	Status          string          `dynamodbav:"status"`
	TrialEndsAt     time.Time       `dynamodbav:"trialEndsAt,omitempty"` // a zero time is stored as 0001-01-01T00:00:00Z
	PartnerOfRecord string          `dynamodbav:"partnerOfRecord"`
	PORHistory      []porPeriodItem `dynamodbav:"porHistory"` // nil is stored as NULL
	LinkID          string          `dynamodbav:"linkId,omitempty"`
	Version         int             `dynamodbav:"version"`
	CreatedAt       time.Time       `dynamodbav:"createdAt"`
	PurchasedAt     *time.Time      `dynamodbav:"purchasedAt,omitempty"` // a converted trial's conversion
}

func toSubscriptionItem(s admin.Subscription) subscriptionItem {
	return subscriptionItem{PK: customerPK(s.CustomerID), SK: subSK(s.ID), Type: typeSubscription, ID: s.ID, CustomerID: s.CustomerID,
		ProductID: s.ProductID, ProductName: s.ProductName, Licenses: s.Licenses, Status: string(s.Status), TrialEndsAt: s.TrialEndsAt,
		PartnerOfRecord: s.PartnerOfRecord, PORHistory: toPORPeriodItems(s.PORHistory), LinkID: s.LinkID, Version: s.Version, CreatedAt: s.CreatedAt,
		PurchasedAt: optTime(s.PurchasedAt)}
}

func (it subscriptionItem) domain() admin.Subscription {
	return admin.Subscription{ID: it.ID, CustomerID: it.CustomerID, ProductID: it.ProductID, ProductName: it.ProductName,
		Licenses: it.Licenses, Status: admin.SubscriptionStatus(it.Status), TrialEndsAt: it.TrialEndsAt,
		PartnerOfRecord: it.PartnerOfRecord, PORHistory: porPeriods(it.PORHistory), LinkID: it.LinkID, Version: it.Version, CreatedAt: it.CreatedAt,
		PurchasedAt: valTime(it.PurchasedAt)}
}

// relationshipItem is one side of a customer-partner relationship; both sides are written
// together (the partner's side lists its customers, the customer's side its partners).
type relationshipItem struct {
	PK             string              `dynamodbav:"PK"`
	SK             string              `dynamodbav:"SK"`
	GSI1PK         string              `dynamodbav:"GSI1PK,omitempty"` // partner's side: the customer list and the name class
	GSI1SK         string              `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK         string              `dynamodbav:"GSI2PK,omitempty"` // partner's side: the domain class
	GSI2SK         string              `dynamodbav:"GSI2SK,omitempty"`
	Type           string              `dynamodbav:"Type"`
	CustomerID     string              `dynamodbav:"customerId"`
	CustomerName   string              `dynamodbav:"customerName"`
	CustomerDomain string              `dynamodbav:"customerDomain"`
	PartnerID      string              `dynamodbav:"partnerId"`
	PartnerName    string              `dynamodbav:"partnerName"`
	Since          time.Time           `dynamodbav:"since"`
	DelegatedAdmin *delegatedAdminItem `dynamodbav:"delegatedAdmin,omitempty"`
	Version        int                 `dynamodbav:"version"`
}

func relationshipItems(r admin.Relationship) (customerSide, partnerSide relationshipItem) {
	base := relationshipItem{Type: typeRelationship, CustomerID: r.CustomerID, CustomerName: r.CustomerName, CustomerDomain: r.CustomerDomain,
		PartnerID: r.PartnerID, PartnerName: r.PartnerName, Since: r.Since, DelegatedAdmin: toDelegatedAdminItem(r.DelegatedAdmin), Version: r.Version}
	customerSide, partnerSide = base, base
	customerSide.PK, customerSide.SK = customerPK(r.CustomerID), partnerSK(r.PartnerID)
	partnerSide.PK, partnerSide.SK = partnerPK(r.PartnerID), customerSK(r.CustomerID)
	partnerSide.GSI1PK, partnerSide.GSI1SK, partnerSide.GSI2PK, partnerSide.GSI2SK = directoryKeys(r)
	return customerSide, partnerSide
}

// directoryKeys are the GSI keys of the partner's side of a relationship: its place in the
// partner's customer list (by folded name) and in the search's domain class.
func directoryKeys(r admin.Relationship) (gsi1pk, gsi1sk, gsi2pk, gsi2sk string) {
	return customersGSI(r.PartnerID), customersGSISK(admin.FoldName(r.CustomerName), r.CustomerID),
		domainsGSI(r.PartnerID), domainsGSISK(r.CustomerDomain, r.CustomerID)
}

// wordItem lists a customer in a partner's search by one word of its name after the first: its
// key is the folded name from that word on. It carries the folded name and the domain, so a
// search tells from the item alone whether the customer ranks better another way.
type wordItem struct {
	PK         string `dynamodbav:"PK"`
	SK         string `dynamodbav:"SK"`
	Type       string `dynamodbav:"Type"`
	CustomerID string `dynamodbav:"customerId"`
	Position   int    `dynamodbav:"position"`   // 1..MaxIndexedWords-1
	Folded     string `dynamodbav:"foldedName"` // admin.FoldName of the name
	Domain     string `dynamodbav:"domain"`
}

// wordItems are the word items of a customer in a partner's search.
func wordItems(partnerID, customerID, name, domain string) []wordItem {
	folded := admin.FoldName(name)
	suffixes := admin.WordSuffixes(folded)
	var out []wordItem
	for i := 1; i < len(suffixes); i++ {
		out = append(out, wordItem{PK: wordsPK(partnerID), SK: wordSK(suffixes[i], customerID), Type: typeCustomerWord,
			CustomerID: customerID, Position: i, Folded: folded, Domain: domain})
	}
	return out
}

func (it relationshipItem) domain() admin.Relationship {
	return admin.Relationship{CustomerID: it.CustomerID, CustomerName: it.CustomerName, CustomerDomain: it.CustomerDomain,
		PartnerID: it.PartnerID, PartnerName: it.PartnerName, Since: it.Since, DelegatedAdmin: it.DelegatedAdmin.domain(), Version: it.Version}
}

// Nested values. Their attribute names are the Go field names the domain types had when these
// values were first stored by marshalling the domain types directly (attributevalue ignores json
// tags): existing items carry them, so they stay, whatever the domain's fields are called now.
// Fields without omitempty are stored even when empty ("" as S "", a nil pointer as NULL), as
// they always were.

// addressItem is a partner's postal address (also inside activity entries).
type addressItem struct {
	Line1      string `dynamodbav:"Line1"`
	Line2      string `dynamodbav:"Line2"`
	City       string `dynamodbav:"City"`
	Region     string `dynamodbav:"Region"`
	PostalCode string `dynamodbav:"PostalCode"`
	Country    string `dynamodbav:"Country"`
}

func toAddressItem(a *admin.Address) *addressItem {
	if a == nil {
		return nil
	}
	return &addressItem{Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

func (it *addressItem) domain() *admin.Address {
	if it == nil {
		return nil
	}
	return &admin.Address{Line1: it.Line1, Line2: it.Line2, City: it.City, Region: it.Region, PostalCode: it.PostalCode, Country: it.Country}
}

// delegatedAdminOfferItem is the delegated administration a link offers.
type delegatedAdminOfferItem struct {
	Scope        string `dynamodbav:"Scope"`
	DurationDays int    `dynamodbav:"DurationDays"`
	AutoExtend   bool   `dynamodbav:"AutoExtend"`
}

func toDelegatedAdminOfferItem(o *admin.DelegatedAdminOffer) *delegatedAdminOfferItem {
	if o == nil {
		return nil
	}
	return &delegatedAdminOfferItem{Scope: string(o.Scope), DurationDays: o.DurationDays, AutoExtend: o.AutoExtend}
}

func (it *delegatedAdminOfferItem) domain() *admin.DelegatedAdminOffer {
	if it == nil {
		return nil
	}
	return &admin.DelegatedAdminOffer{Scope: admin.CustomerAccess(it.Scope), DurationDays: it.DurationDays, AutoExtend: it.AutoExtend}
}

// offerLineItem is one line of a purchase offer.
type offerLineItem struct {
	ProductID string `dynamodbav:"ProductID"`
	Licenses  int    `dynamodbav:"Licenses"`
}

// toOfferLineItems keeps nil apart from empty (nil is not stored, empty is an empty list).
func toOfferLineItems(lines []admin.OfferLine) []offerLineItem {
	if lines == nil {
		return nil
	}
	out := make([]offerLineItem, len(lines))
	for i, l := range lines {
		out[i] = offerLineItem{ProductID: l.ProductID, Licenses: l.Licenses}
	}
	return out
}

func offerLines(items []offerLineItem) []admin.OfferLine {
	if items == nil {
		return nil
	}
	out := make([]admin.OfferLine, len(items))
	for i, it := range items {
		out[i] = admin.OfferLine{ProductID: it.ProductID, Licenses: it.Licenses}
	}
	return out
}

// porPeriodItem is one period of a subscription's Partner of Record history.
type porPeriodItem struct {
	PartnerID string     `dynamodbav:"PartnerID"`
	From      time.Time  `dynamodbav:"From"`
	To        *time.Time `dynamodbav:"To,omitempty"`
}

func toPORPeriodItems(ps []admin.PORPeriod) []porPeriodItem {
	if ps == nil {
		return nil
	}
	out := make([]porPeriodItem, len(ps))
	for i, p := range ps {
		out[i] = porPeriodItem{PartnerID: p.PartnerID, From: p.From, To: p.To}
	}
	return out
}

func porPeriods(items []porPeriodItem) []admin.PORPeriod {
	if items == nil {
		return nil
	}
	out := make([]admin.PORPeriod, len(items))
	for i, it := range items {
		out[i] = admin.PORPeriod{PartnerID: it.PartnerID, From: it.From, To: it.To}
	}
	return out
}

// delegatedAdminItem is a customer's grant of delegated administration (on both sides of the
// relationship).
type delegatedAdminItem struct {
	Scope      string     `dynamodbav:"Scope"`
	StartsAt   time.Time  `dynamodbav:"StartsAt"`
	EndsAt     time.Time  `dynamodbav:"EndsAt"`
	AutoExtend bool       `dynamodbav:"AutoExtend"`
	Status     string     `dynamodbav:"Status"`
	EndedAt    *time.Time `dynamodbav:"EndedAt"` // NULL while the grant has not ended
}

func toDelegatedAdminItem(d *admin.DelegatedAdmin) *delegatedAdminItem {
	if d == nil {
		return nil
	}
	it := &delegatedAdminItem{Scope: string(d.Scope), StartsAt: d.StartsAt, EndsAt: d.EndsAt, AutoExtend: d.AutoExtend, Status: d.Status}
	if d.EndedAt != nil {
		ended := *d.EndedAt
		it.EndedAt = &ended
	}
	return it
}

func (it *delegatedAdminItem) domain() *admin.DelegatedAdmin {
	if it == nil {
		return nil
	}
	d := &admin.DelegatedAdmin{Scope: admin.CustomerAccess(it.Scope), StartsAt: it.StartsAt, EndsAt: it.EndsAt, AutoExtend: it.AutoExtend, Status: it.Status}
	if it.EndedAt != nil {
		ended := *it.EndedAt
		d.EndedAt = &ended
	}
	return d
}

// activityFields is the stored form of an activity entry's before or after values (an M). The
// domain hands over a map[string]any; the adapter decides how each value is stored, so that no
// domain type decides an attribute name or type. Values are stored as
//
//	string (and named string types)          S
//	integers and floats                      N
//	bool                                     BOOL
//	nil (and nil pointers, slices, maps)     NULL
//	admin.Address (or a pointer to one)      M of addressItem's attributes (Line1, …, Country)
//	time.Time                                S (RFC 3339, as attributevalue stores times)
//	slices and arrays ([]admin.Authorization) L of the above ([]byte: B)
//	maps with string keys                    M of the above
//	any other struct                         S, its fmt.Sprint form (never its field names)
//
// (structs are replaced where the domain puts them, as values of the map; it nests none).
// which is what marshalling the values the domain passes (strings, numbers, []Authorization,
// Address) produced before. Read back, the values are plain: string, float64, bool, nil, []any,
// map[string]any.
type activityFields map[string]any

// MarshalDynamoDBAttributeValue implements attributevalue.Marshaler: the SDK's marshaller stores
// the plain values; the values whose shape is this adapter's to decide are replaced first.
func (f activityFields) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	m := make(map[string]any, len(f))
	for k, v := range f {
		m[k] = storedActivityValue(v)
	}
	return attributevalue.Marshal(m)
}

// storedActivityValue gives a domain value its stored form: an address its addressItem, a time
// RFC 3339, any other struct its fmt.Sprint text (attributevalue would store its field names),
// a nil slice NULL.
func storedActivityValue(v any) any {
	switch x := v.(type) {
	case admin.Address:
		return toAddressItem(&x)
	case *admin.Address:
		if x == nil {
			return nil
		}
		return toAddressItem(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	switch rv := reflect.ValueOf(v); {
	case rv.Kind() == reflect.Struct:
		return fmt.Sprint(v)
	case rv.Kind() == reflect.Slice && rv.IsNil():
		return nil // NULL, as a nil pointer or map
	}
	return v
}

// UnmarshalDynamoDBAttributeValue implements attributevalue.Unmarshaler: plain values (numbers
// as float64, lists as []any, maps as map[string]any).
func (f *activityFields) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	switch av.(type) {
	case *types.AttributeValueMemberNULL:
		*f = nil
		return nil
	case *types.AttributeValueMemberM:
		var m map[string]any
		if err := attributevalue.Unmarshal(av, &m); err != nil {
			return fmt.Errorf("activity fields: %w", err)
		}
		*f = m
		return nil
	}
	return fmt.Errorf("activity fields: %T is not a map", av)
}
