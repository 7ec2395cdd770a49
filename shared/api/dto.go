// Package api is the partner admin API: one handler per route of template.yaml, the request and
// response bodies (described in docs/openapi.yaml), and the route table that ties them together.
package api

import (
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Response bodies. They are the API's contract, separate from the domain's types.

type userBody struct {
	UserID         string               `json:"userId"`
	Email          string               `json:"email"`
	DisplayName    string               `json:"displayName"`
	CompanyRole    admin.CompanyRole    `json:"companyRole"`
	CustomerAccess admin.CustomerAccess `json:"customerAccess"`
	Status         admin.UserStatus     `json:"status"`
	MFAEnabled     bool                 `json:"mfaEnabled"`
	Version        int                  `json:"version"`
	CreatedAt      time.Time            `json:"createdAt"`
	UpdatedAt      time.Time            `json:"updatedAt"`
}

func toUser(u admin.User) userBody {
	return userBody{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, CompanyRole: u.CompanyRole,
		CustomerAccess: u.CustomerAccess, Status: u.Status, MFAEnabled: u.MFAEnabled, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

type meBody struct {
	UserID                 string               `json:"userId"`
	OrgID                  string               `json:"orgId"`
	OrgKind                admin.OrgKind        `json:"orgKind"`
	Email                  string               `json:"email"`
	DisplayName            string               `json:"displayName"`
	CompanyRole            admin.CompanyRole    `json:"companyRole"`
	CustomerAccess         admin.CustomerAccess `json:"customerAccess"`
	Status                 admin.UserStatus     `json:"status"`
	PasswordChangeRequired bool                 `json:"passwordChangeRequired"`
	MFAEnabled             bool                 `json:"mfaEnabled"`
	// MFARequired: the user's role requires two-factor sign-in (global admins, full customer access).
	MFARequired bool `json:"mfaRequired"`
	// Role is a customer user's role (admin or user); absent for partner users.
	Role admin.CustomerRole `json:"role,omitempty"`
}

type companyBody struct {
	PartnerID string       `json:"partnerId"`
	Name      string       `json:"name"`
	Phone     string       `json:"phone"`
	Email     string       `json:"email"`
	Website   string       `json:"website"`
	Address   *addressBody `json:"address"`
	Cloud     admin.Cloud  `json:"cloud"`
	Version   int          `json:"version"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

func toCompany(p admin.Partner) companyBody {
	c := p.Contact
	return companyBody{PartnerID: p.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Website: c.Website, Address: toAddress(c.Address),
		Cloud: p.Cloud, Version: p.Version, UpdatedAt: p.UpdatedAt}
}

type partnerBody struct {
	PartnerID      string                `json:"partnerId"`
	Name           string                `json:"name"`
	Cloud          admin.Cloud           `json:"cloud"`
	Authorizations []admin.Authorization `json:"authorizations"`
	CustomerCount  int                   `json:"customerCount"`
	UserCount      int                   `json:"userCount"`
	Version        int                   `json:"version"`
	CreatedAt      time.Time             `json:"createdAt"`
	UpdatedAt      time.Time             `json:"updatedAt"`
}

func toPartner(p admin.Partner) partnerBody {
	return partnerBody{PartnerID: p.ID, Name: p.Contact.Name, Cloud: p.Cloud, Authorizations: nonNil(p.Authorizations),
		CustomerCount: p.CustomerCount, UserCount: p.UserCount, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type overviewBody struct {
	PartnerID      string                `json:"partnerId"`
	Name           string                `json:"name"`
	Cloud          admin.Cloud           `json:"cloud"`
	Authorizations []admin.Authorization `json:"authorizations"`
	Features       []featureBody         `json:"features"`
	CustomerCount  int                   `json:"customerCount"`
	CustomerView   admin.CustomerView    `json:"customerView"`
}

type tokenBody struct {
	AccessToken            string `json:"accessToken"`
	TokenType              string `json:"tokenType"`
	ExpiresIn              int    `json:"expiresIn"`
	PasswordChangeRequired bool   `json:"passwordChangeRequired"`
	MFAEnrolmentRequired   bool   `json:"mfaEnrolmentRequired"`
}

type mfaChallengeBody struct {
	MFARequired bool   `json:"mfaRequired"`
	MFAToken    string `json:"mfaToken"`
	ExpiresIn   int    `json:"expiresIn"`
}

type mfaSignInRequest struct {
	MFAToken     string `json:"mfaToken"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recoveryCode"`
}

type mfaCodeRequest struct {
	Code string `json:"code"`
}

type signOutRequest struct {
	Everywhere bool `json:"everywhere"`
}

type sessionBody struct {
	SessionID     string    `json:"sessionId"`
	CreatedAt     time.Time `json:"createdAt"`
	LastUsedAt    time.Time `json:"lastUsedAt"`
	IdleExpiresAt time.Time `json:"idleExpiresAt"`
	ExpiresAt     time.Time `json:"expiresAt"`
	UserAgent     string    `json:"userAgent"`
	Current       bool      `json:"current"`
}

type sessionsBody struct {
	Items []sessionBody `json:"items"`
}

type totpEnrolmentBody struct {
	Secret     string    `json:"secret"`
	OtpauthURL string    `json:"otpauthUrl"`
	QRCode     string    `json:"qrCode"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

type recoveryCodesBody struct {
	RecoveryCodes []string `json:"recoveryCodes"`
}

type pageBody[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// toList converts a list to its wire shape (never null).
func toList[D, T any](in []D, conv func(D) T) []T {
	out := make([]T, len(in))
	for i, d := range in {
		out[i] = conv(d)
	}
	return out
}

func toPage[D, T any](p admin.Page[D], conv func(D) T) pageBody[T] {
	out := pageBody[T]{Items: make([]T, len(p.Items))}
	for i, d := range p.Items {
		out.Items[i] = conv(d)
	}
	if p.NextCursor != "" {
		out.NextCursor = &p.NextCursor
	}
	return out
}

// Request bodies. Pointer fields tell "absent" from "empty" where that matters.

type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type changePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

type companyRequest struct {
	Name    string       `json:"name"`
	Phone   string       `json:"phone"`
	Email   string       `json:"email"`
	Website string       `json:"website"`
	Address *addressBody `json:"address"`
	Version int          `json:"version"`
}

type createUserRequest struct {
	Email          string               `json:"email"`
	DisplayName    string               `json:"displayName"`
	CompanyRole    admin.CompanyRole    `json:"companyRole"`
	CustomerAccess admin.CustomerAccess `json:"customerAccess"`
}

type updateUserRequest struct {
	DisplayName    *string               `json:"displayName"`
	CompanyRole    *admin.CompanyRole    `json:"companyRole"`
	CustomerAccess *admin.CustomerAccess `json:"customerAccess"`
	Version        int                   `json:"version"`
}

type onboardRequest struct {
	Name           string       `json:"name"`
	Cloud          admin.Cloud  `json:"cloud"`
	Authorizations []string     `json:"authorizations"`
	Phone          string       `json:"phone"`
	Email          string       `json:"email"`
	Website        string       `json:"website"`
	Address        *addressBody `json:"address"`
	FirstAdmin     struct {
		Email       string `json:"email"`
		DisplayName string `json:"displayName"`
	} `json:"firstAdmin"`
}

type authorizationsRequest struct {
	Authorizations []string `json:"authorizations"`
	Version        int      `json:"version"`
}

// Nested wire shapes: the domain's types carry no json tags, so renaming a domain field never
// changes the API.

type addressBody struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
}

func toAddress(a *admin.Address) *addressBody {
	if a == nil {
		return nil
	}
	return &addressBody{Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

func (b *addressBody) domain() *admin.Address {
	if b == nil {
		return nil
	}
	return &admin.Address{Line1: b.Line1, Line2: b.Line2, City: b.City, Region: b.Region, PostalCode: b.PostalCode, Country: b.Country}
}

type featureBody struct {
	Feature  admin.Feature         `json:"feature"`
	Enabled  bool                  `json:"enabled"`
	Requires []admin.Authorization `json:"requires"`
}

func toFeature(f admin.FeatureState) featureBody {
	return featureBody{Feature: f.Feature, Enabled: f.Enabled, Requires: nonNil(f.Requires)}
}

type productBody struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Trial           bool   `json:"trialAvailable"`
	TrialDays       int    `json:"trialDays,omitempty"`
	TrialLicenseCap int    `json:"trialLicenseCap,omitempty"`
	MinLicenses     int    `json:"minLicenses"`
	MaxLicenses     int    `json:"maxLicenses"`
}

func toProduct(p admin.Product) productBody {
	return productBody{ID: p.ID, Name: p.Name, Trial: p.Trial, TrialDays: p.TrialDays, TrialLicenseCap: p.TrialLicenseCap,
		MinLicenses: p.MinLicenses, MaxLicenses: p.MaxLicenses}
}

type offerLineBody struct {
	ProductID string `json:"productId"`
	Licenses  int    `json:"licenses"`
}

type delegatedAdminOfferBody struct {
	Scope        admin.CustomerAccess `json:"scope"` // full or limited
	DurationDays int                  `json:"durationDays"`
	AutoExtend   bool                 `json:"autoExtend"`
}

type linkUseBody struct {
	CustomerID     string    `json:"customerId"`
	CustomerName   string    `json:"customerName"`
	At             time.Time `json:"at"`
	DelegatedAdmin string    `json:"delegatedAdmin,omitempty"` // accepted, declined or ""
}

type porPeriodBody struct {
	PartnerID string     `json:"partnerId"`
	From      time.Time  `json:"from"`
	To        *time.Time `json:"to,omitempty"`
}

type delegatedAdminBody struct {
	Scope      admin.CustomerAccess `json:"scope"`
	StartsAt   time.Time            `json:"startsAt"`
	EndsAt     time.Time            `json:"endsAt"`
	AutoExtend bool                 `json:"autoExtend"`
	Status     string               `json:"status"` // active or ended
	EndedAt    *time.Time           `json:"endedAt,omitempty"`
}

func toDelegatedAdmin(d *admin.DelegatedAdmin) *delegatedAdminBody {
	if d == nil {
		return nil
	}
	return &delegatedAdminBody{Scope: d.Scope, StartsAt: d.StartsAt, EndsAt: d.EndsAt, AutoExtend: d.AutoExtend, Status: d.Status, EndedAt: d.EndedAt}
}

type actorBody struct {
	Type  string `json:"type"` // "user", "operator" or "system" (the clock)
	ID    string `json:"id"`
	Email string `json:"email,omitempty"`
}

type targetBody struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type activityBody struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	Actor      actorBody      `json:"actor"`
	Action     string         `json:"action"`
	Target     targetBody     `json:"target"`
	CustomerID string         `json:"customerId,omitempty"`
	PartnerID  string         `json:"partnerId,omitempty"` // on whose behalf, for actions inside a customer
	Before     map[string]any `json:"before,omitempty"`
	After      map[string]any `json:"after,omitempty"`
}

func toActivity(a admin.Activity) activityBody {
	return activityBody{ID: a.ID, At: a.At.UTC(), Actor: actorBody{Type: a.Actor.Type, ID: a.Actor.ID, Email: a.Actor.Email},
		Action: a.Action, Target: targetBody{Type: a.Target.Type, ID: a.Target.ID}, CustomerID: a.CustomerID,
		PartnerID: a.PartnerID, Before: a.Before, After: a.After}
}
