package store

import (
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// The item structs are the table's shape; domain types never carry dynamodbav tags.

type partnerItem struct {
	PK             string         `dynamodbav:"PK"`
	SK             string         `dynamodbav:"SK"`
	Type           string         `dynamodbav:"Type"`
	ID             string         `dynamodbav:"partnerId"`
	Name           string         `dynamodbav:"name"`
	Phone          string         `dynamodbav:"phone,omitempty"`
	Email          string         `dynamodbav:"email"`
	Website        string         `dynamodbav:"website,omitempty"`
	Address        *admin.Address `dynamodbav:"address,omitempty"`
	Cloud          string         `dynamodbav:"cloud"`
	Authorizations []string       `dynamodbav:"authorizations"`
	CustomerCount  int            `dynamodbav:"customerCount"`
	UserCount      int            `dynamodbav:"userCount"`
	GlobalAdmins   int            `dynamodbav:"globalAdmins"`
	Version        int            `dynamodbav:"version"`
	CreatedAt      time.Time      `dynamodbav:"createdAt"`
	UpdatedAt      time.Time      `dynamodbav:"updatedAt"`
}

func toPartnerItem(p admin.Partner) partnerItem {
	auths := make([]string, len(p.Authorizations))
	for i, a := range p.Authorizations {
		auths[i] = string(a)
	}
	return partnerItem{
		PK: partnerPK(p.ID), SK: skProf, Type: typePartner, ID: p.ID,
		Name: p.Contact.Name, Phone: p.Contact.Phone, Email: p.Contact.Email, Website: p.Contact.Website, Address: p.Contact.Address,
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
		Contact: admin.Contact{Name: it.Name, Phone: it.Phone, Email: it.Email, Website: it.Website, Address: it.Address},
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
	Version                int       `dynamodbav:"version"`
	CreatedAt              time.Time `dynamodbav:"createdAt"`
	UpdatedAt              time.Time `dynamodbav:"updatedAt"`
}

func toUserItem(u admin.User) userItem {
	return userItem{
		PK: orgPK(u.OrgID), SK: userSK(u.ID), Type: typeUser, ID: u.ID, OrgID: u.OrgID, OrgKind: string(u.OrgKind),
		Email: u.Email, DisplayName: u.DisplayName, CompanyRole: string(u.CompanyRole), CustomerAccess: string(u.CustomerAccess),
		Status: string(u.Status), PasswordChangeRequired: u.PasswordChangeRequired, SessionEpoch: u.SessionEpoch,
		Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func (it userItem) domain() admin.User {
	return admin.User{
		ID: it.ID, OrgID: it.OrgID, OrgKind: admin.OrgKind(it.OrgKind), Email: it.Email, DisplayName: it.DisplayName,
		CompanyRole: admin.CompanyRole(it.CompanyRole), CustomerAccess: admin.CustomerAccess(it.CustomerAccess),
		Status: admin.UserStatus(it.Status), PasswordChangeRequired: it.PasswordChangeRequired,
		SessionEpoch: it.SessionEpoch, Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
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
	Cloud        string `dynamodbav:"cloud,omitempty"`
	OrgName      string `dynamodbav:"orgName,omitempty"`
	OrgDomain    string `dynamodbav:"orgDomain,omitempty"`
}

func toLoginItem(l admin.Login) loginItem {
	return loginItem{PK: loginPK(l.Email), SK: skLogin, Type: typeLogin, Email: l.Email, UserID: l.UserID, OrgID: l.OrgID,
		OrgKind: string(l.OrgKind), PasswordHash: l.PasswordHash, MustChange: l.PasswordChangeRequired, SessionEpoch: l.SessionEpoch,
		Cloud: string(l.Cloud), OrgName: l.OrgName, OrgDomain: l.OrgDomain}
}

func (it loginItem) domain() admin.Login {
	return admin.Login{Email: it.Email, UserID: it.UserID, OrgID: it.OrgID, OrgKind: admin.OrgKind(it.OrgKind), PasswordHash: it.PasswordHash, PasswordChangeRequired: it.MustChange, SessionEpoch: it.SessionEpoch,
		Cloud: admin.Cloud(it.Cloud), OrgName: it.OrgName, OrgDomain: it.OrgDomain}
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
	Before     map[string]any `dynamodbav:"before,omitempty"`
	After      map[string]any `dynamodbav:"after,omitempty"`
}

func toActivityItem(a admin.Activity) activityItem {
	return activityItem{PK: orgPK(a.OrgID), SK: activitySK(a.ID), Type: typeActivity, ID: a.ID, At: a.At,
		ActorType: a.Actor.Type, ActorID: a.Actor.ID, ActorEmail: a.Actor.Email, Action: a.Action,
		TargetType: a.Target.Type, TargetID: a.Target.ID, CustomerID: a.CustomerID, Before: a.Before, After: a.After}
}

func (it activityItem) domain() admin.Activity {
	return admin.Activity{ID: it.ID, At: it.At, Actor: admin.Actor{Type: it.ActorType, ID: it.ActorID, Email: it.ActorEmail},
		Action: it.Action, Target: admin.Target{Type: it.TargetType, ID: it.TargetID}, CustomerID: it.CustomerID,
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
