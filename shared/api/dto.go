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
	Version        int                  `json:"version"`
	CreatedAt      time.Time            `json:"createdAt"`
	UpdatedAt      time.Time            `json:"updatedAt"`
}

func toUser(u admin.User) userBody {
	return userBody{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, CompanyRole: u.CompanyRole,
		CustomerAccess: u.CustomerAccess, Status: u.Status, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
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
}

type companyBody struct {
	PartnerID string         `json:"partnerId"`
	Name      string         `json:"name"`
	Phone     string         `json:"phone"`
	Email     string         `json:"email"`
	Website   string         `json:"website"`
	Address   *admin.Address `json:"address"`
	Cloud     admin.Cloud    `json:"cloud"`
	Version   int            `json:"version"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

func toCompany(p admin.Partner) companyBody {
	c := p.Contact
	return companyBody{PartnerID: p.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Website: c.Website, Address: c.Address,
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
	Features       []admin.FeatureState  `json:"features"`
	CustomerCount  int                   `json:"customerCount"`
	CustomerView   admin.CustomerView    `json:"customerView"`
}

type tokenBody struct {
	AccessToken            string `json:"accessToken"`
	TokenType              string `json:"tokenType"`
	ExpiresIn              int    `json:"expiresIn"`
	PasswordChangeRequired bool   `json:"passwordChangeRequired"`
}

type pageBody[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
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
	Name    string         `json:"name"`
	Phone   string         `json:"phone"`
	Email   string         `json:"email"`
	Website string         `json:"website"`
	Address *admin.Address `json:"address"`
	Version int            `json:"version"`
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
	Name           string         `json:"name"`
	Cloud          admin.Cloud    `json:"cloud"`
	Authorizations []string       `json:"authorizations"`
	Phone          string         `json:"phone"`
	Email          string         `json:"email"`
	Website        string         `json:"website"`
	Address        *admin.Address `json:"address"`
	FirstAdmin     struct {
		Email       string `json:"email"`
		DisplayName string `json:"displayName"`
	} `json:"firstAdmin"`
}

type authorizationsRequest struct {
	Authorizations []string `json:"authorizations"`
	Version        int      `json:"version"`
}
