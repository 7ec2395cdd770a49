package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// relationshipBody is a customer's relationship with the calling partner, as it stands now:
// state is computed from the grant and the clock on every request.
type relationshipBody struct {
	Since          time.Time                 `json:"since"`
	State          admin.DelegatedAdminState `json:"state"` // active, ended, expired or none
	DelegatedAdmin *delegatedAdminBody       `json:"delegatedAdmin"`
}

func toRelationship(r admin.Relationship, now time.Time) relationshipBody {
	return relationshipBody{Since: r.Since, State: r.StateAt(now), DelegatedAdmin: toDelegatedAdmin(r.DelegatedAdmin)}
}

type customerBody struct {
	CustomerID   string           `json:"customerId"`
	Name         string           `json:"name"`
	DomainPrefix string           `json:"domainPrefix"`
	Country      string           `json:"country"`
	Cloud        admin.Cloud      `json:"cloud"`
	CreatedAt    time.Time        `json:"createdAt"`
	Relationship relationshipBody `json:"relationship"`
	// Access is what the caller may do inside the customer: the lesser of their customer access
	// and the delegated administration's scope.
	Access        admin.CustomerAccess `json:"access"`
	Subscriptions subscriptionsSummary `json:"subscriptions"`
	Counts        customerCounts       `json:"counts"`
}

// subscriptionsSummary is what a customer's subscriptions add up to.
type subscriptionsSummary struct {
	ByStatus      map[admin.SubscriptionStatus]int `json:"byStatus"` // trial, active, suspended, cancelled, expired: absent = 0
	TotalLicenses int                              `json:"totalLicenses"`
}

type customerCounts struct {
	Subscriptions int `json:"subscriptions"`
	Users         int `json:"users"`
	// OpenServiceRequests is the caller's partner's requests there that are open or
	// attention_needed.
	OpenServiceRequests int `json:"openServiceRequests"`
}

// GetCustomer: GET /customers/{customerId}.
func GetCustomer(a Auth, svc *admin.CustomerService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		c, sum, err := svc.CustomerDetails(ctx, s, r.PathParam("customerId"))
		if err != nil {
			return response{}, err
		}
		cu := c.Customer
		return apigw.JSON(http.StatusOK, customerBody{CustomerID: cu.ID, Name: cu.Name, DomainPrefix: cu.DomainPrefix, Country: cu.Country,
			Cloud: cu.Cloud, CreatedAt: cu.CreatedAt, Relationship: toRelationship(c.Relationship, svc.Now()), Access: c.Access,
			Subscriptions: subscriptionsSummary{ByStatus: sum.Subscriptions, TotalLicenses: sum.Licenses},
			Counts:        customerCounts{Subscriptions: sum.SubscriptionCount(), Users: sum.Users, OpenServiceRequests: sum.OpenServiceRequests}})
	})
}

// customerRowBody is one row of the customer list and search.
type customerRowBody struct {
	CustomerID        string           `json:"customerId"`
	Name              string           `json:"name"`
	DomainPrefix      string           `json:"domainPrefix"`
	Country           string           `json:"country"`
	Relationship      relationshipBody `json:"relationship"`
	SubscriptionCount int              `json:"subscriptionCount"`
}

// ListCustomers: GET /customers (the list by name, or with q the search).
func ListCustomers(a Auth, svc *admin.CustomerService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		page, err := pageRequest(r, "q", "delegatedAdmin")
		if err != nil {
			return response{}, err
		}
		q := admin.DirectoryQuery{Query: r.Query("q"), Filter: admin.DirectoryFilter(r.Query("delegatedAdmin")), Page: page}
		if _, given := r.Event.QueryStringParameters["q"]; given && q.Query == "" {
			q.Query = " " // an empty search is refused as such, not turned into the list
		}
		rows, err := svc.Customers(ctx, s, q)
		if err != nil {
			return response{}, err
		}
		now := svc.Now()
		return apigw.JSON(http.StatusOK, toPage(rows, func(c admin.CustomerRow) customerRowBody {
			cu := c.Customer
			return customerRowBody{CustomerID: cu.ID, Name: cu.Name, DomainPrefix: cu.DomainPrefix, Country: cu.Country,
				Relationship: toRelationship(c.Relationship, now), SubscriptionCount: cu.SubscriptionCount}
		}))
	})
}
