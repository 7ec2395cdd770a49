package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// customerHandler is a handler for an authenticated customer admin.
type customerHandler func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error)

// customer verifies a customer admin's token and loads its current records (one round trip).
func customer(a Auth, h customerHandler) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		c, err := verified(ctx, a, r, admin.OrgCustomer, "these routes are for customer administrators")
		if err != nil {
			return response{}, err
		}
		s, err := a.Identity.AuthenticateCustomer(ctx, tokenOf(c))
		if err != nil {
			return response{}, err
		}
		return h(ctx, r, s)
	}
}

// GetTenant: GET /tenant.
func GetTenant(a Auth) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, tenantBody(s.Customer))
	})
}

type tenantResponse struct {
	CustomerID   string      `json:"customerId"`
	Name         string      `json:"name"`
	DomainPrefix string      `json:"domainPrefix"`
	Country      string      `json:"country"`
	Cloud        admin.Cloud `json:"cloud"`
	CreatedAt    time.Time   `json:"createdAt"`
	Version      int         `json:"version"` // for PATCH /tenant
}

func tenantBody(c admin.Customer) tenantResponse {
	return tenantResponse{c.ID, c.Name, c.DomainPrefix, c.Country, c.Cloud, c.CreatedAt, c.Version}
}

type subscriptionBody struct {
	SubscriptionID  string                   `json:"subscriptionId"`
	ProductID       string                   `json:"productId"`
	ProductName     string                   `json:"productName"`
	Licenses        int                      `json:"licenses"`
	Status          admin.SubscriptionStatus `json:"status"`
	TrialEndsAt     *time.Time               `json:"trialEndsAt,omitempty"`
	PartnerOfRecord string                   `json:"partnerOfRecord"`
	PORHistory      []porPeriodBody          `json:"porHistory"`
	CreatedAt       time.Time                `json:"createdAt"`
	PurchasedAt     *time.Time               `json:"purchasedAt,omitempty"`
	Version         int                      `json:"version"`
}

func toSubscription(s admin.Subscription) subscriptionBody {
	b := subscriptionBody{SubscriptionID: s.ID, ProductID: s.ProductID, ProductName: s.ProductName, Licenses: s.Licenses, Status: s.Status,
		PartnerOfRecord: s.PartnerOfRecord, PORHistory: toList(s.PORHistory, func(p admin.PORPeriod) porPeriodBody {
			return porPeriodBody{PartnerID: p.PartnerID, From: p.From, To: p.To}
		}), CreatedAt: s.CreatedAt, Version: s.Version}
	if !s.TrialEndsAt.IsZero() {
		b.TrialEndsAt = &s.TrialEndsAt
	}
	if !s.PurchasedAt.IsZero() {
		b.PurchasedAt = &s.PurchasedAt
	}
	return b
}

// ListTenantSubscriptions: GET /tenant/subscriptions.
func ListTenantSubscriptions(a Auth, svc *admin.TenantService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		subs, err := svc.TenantSubscriptions(ctx, s, page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(subs, toSubscription))
	})
}

type partnerRelBody struct {
	PartnerID      string              `json:"partnerId"`
	PartnerName    string              `json:"partnerName"`
	Since          time.Time           `json:"since"`
	DelegatedAdmin *delegatedAdminBody `json:"delegatedAdmin"`
}

// ListTenantPartners: GET /tenant/partners.
func ListTenantPartners(a Auth, svc *admin.TenantService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		rels, err := svc.TenantPartners(ctx, s, page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(rels, func(r admin.Relationship) partnerRelBody {
			return partnerRelBody{PartnerID: r.PartnerID, PartnerName: r.PartnerName, Since: r.Since, DelegatedAdmin: toDelegatedAdmin(r.DelegatedAdmin)}
		}))
	})
}

// EndDelegatedAdmin: DELETE /tenant/partners/{partnerId}/delegated-admin.
func EndDelegatedAdmin(a Auth, svc *admin.TenantService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		if err := svc.EndDelegatedAdmin(ctx, s, r.PathParam("partnerId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// tenantPatch is the body of PATCH /tenant: absent fields stay as they are.
type tenantPatch struct {
	Name    *string `json:"name"`
	Country *string `json:"country"`
	Version int     `json:"version"`
}

// UpdateTenant: PATCH /tenant (rename the organization, change its country).
func UpdateTenant(a Auth, svc *admin.TenantService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in tenantPatch
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		c, err := svc.UpdateTenant(ctx, s, admin.TenantPatch{Name: in.Name, Country: in.Country, Version: in.Version})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, tenantBody(c))
	})
}
