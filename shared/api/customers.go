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
	Access admin.CustomerAccess `json:"access"`
}

// GetCustomer: GET /customers/{customerId}.
func GetCustomer(a Auth, svc *admin.CustomerService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		c, err := svc.Customer(ctx, s, r.PathParam("customerId"))
		if err != nil {
			return response{}, err
		}
		cu := c.Customer
		return apigw.JSON(http.StatusOK, customerBody{CustomerID: cu.ID, Name: cu.Name, DomainPrefix: cu.DomainPrefix, Country: cu.Country,
			Cloud: cu.Cloud, CreatedAt: cu.CreatedAt, Relationship: toRelationship(c.Relationship, svc.Now()), Access: c.Access})
	})
}
