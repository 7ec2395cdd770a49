package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

func productKeys(h func(Auth, *admin.ProductKeyService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.ProductKeys) }
}

func productKeysOperator(h func(*admin.ProductKeyService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.ProductKeys) }
}

// productKeyRoutes are the operator's and the partner's product key routes.
func productKeyRoutes() []Route {
	return []Route{
		{"POST", "/operator/partners/{partnerId}/product-keys", "issue-product-keys", productKeysOperator(IssueProductKeys)},
		{"DELETE", "/operator/product-keys/{keyId}", "revoke-product-key", productKeysOperator(RevokeProductKey)},
		{"GET", "/product-keys", "list-product-keys", productKeys(ListProductKeys)},
		{"POST", "/product-keys/preview", "preview-product-key", productKeys(PreviewProductKey)},
		{"POST", "/product-keys/redemptions", "redeem-product-key", productKeys(RedeemProductKey)},
	}
}

type issueKeysRequest struct {
	ProductID string     `json:"productId"`
	Licenses  int        `json:"licenses"`
	Count     int        `json:"count"`
	ExpiresAt *time.Time `json:"expiresAt"`
}

type issuedKeyBody struct {
	KeyID     string     `json:"keyId"`
	Key       string     `json:"key"`
	ProductID string     `json:"productId"`
	Licenses  int        `json:"licenses"`
	ExpiresAt *time.Time `json:"expiresAt"`
}

// productKeyBody is a key as the inventory and the preview show it: never the key, only its
// last group.
type productKeyBody struct {
	KeyID          string                `json:"keyId"`
	ProductID      string                `json:"productId"`
	ProductName    string                `json:"productName"`
	Licenses       int                   `json:"licenses"`
	State          admin.ProductKeyState `json:"state"`
	LastGroup      string                `json:"lastGroup"`
	ExpiresAt      *time.Time            `json:"expiresAt"`
	CreatedAt      time.Time             `json:"createdAt"`
	RevokedAt      *time.Time            `json:"revokedAt,omitempty"`
	RedeemedAt     *time.Time            `json:"redeemedAt,omitempty"`
	CustomerID     string                `json:"customerId,omitempty"`
	CustomerName   string                `json:"customerName,omitempty"`
	SubscriptionID string                `json:"subscriptionId,omitempty"`
}

func toProductKey(k admin.ProductKey, now time.Time) productKeyBody {
	prod, _ := admin.FindProduct(k.Cloud, k.ProductID)
	b := productKeyBody{KeyID: k.ID, ProductID: k.ProductID, ProductName: prod.Name, Licenses: k.Licenses, State: k.State(now),
		LastGroup: k.LastGroup, CreatedAt: k.CreatedAt}
	if !k.ExpiresAt.IsZero() {
		b.ExpiresAt = &k.ExpiresAt
	}
	if k.Revoked {
		b.RevokedAt = &k.RevokedAt
	}
	if r := k.Redemption; r != nil {
		b.RedeemedAt, b.CustomerID, b.CustomerName, b.SubscriptionID = &r.At, r.CustomerID, r.CustomerName, r.SubscriptionID
	}
	return b
}

// IssueProductKeys: POST /operator/partners/{partnerId}/product-keys (IAM; Idempotency-Key
// honoured): the keys' text is in this answer only (a replay lists none).
func IssueProductKeys(svc *admin.ProductKeyService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in issueKeysRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		idem, err := r.Idempotency("operator#" + op.ARN + "#issue-product-keys")
		if err != nil {
			return response{}, err
		}
		keys, replayed, err := svc.Issue(ctx, op, r.PathParam("partnerId"), admin.NewProductKeys{ProductID: in.ProductID, Licenses: in.Licenses,
			Count: in.Count, ExpiresAt: in.ExpiresAt}, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		body := struct {
			PartnerID string          `json:"partnerId"`
			Keys      []issuedKeyBody `json:"keys"`
		}{PartnerID: r.PathParam("partnerId"), Keys: toList(keys, func(k admin.IssuedKey) issuedKeyBody {
			b := issuedKeyBody{KeyID: k.ID, Key: k.Key, ProductID: k.ProductID, Licenses: k.Licenses}
			if !k.ExpiresAt.IsZero() {
				b.ExpiresAt = &k.ExpiresAt
			}
			return b
		})}
		return apigw.Created(body, replayed)
	})
}

// RevokeProductKey: DELETE /operator/product-keys/{keyId} (IAM): an unredeemed key.
func RevokeProductKey(svc *admin.ProductKeyService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		if _, err := svc.Revoke(ctx, op, r.PathParam("keyId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// ListProductKeys: GET /product-keys?state=&productId=&limit=&cursor= — the partner's inventory.
func ListProductKeys(a Auth, svc *admin.ProductKeyService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, c admin.Caller) (response, error) {
		page, err := pageRequest(r, "state", "productId")
		if err != nil {
			return response{}, err
		}
		st, err := queryEnum(r, "state", admin.ProductKeyStates)
		if err != nil {
			return response{}, err
		}
		keys, err := svc.Inventory(ctx, c, admin.KeyQuery{PageRequest: page, State: st, ProductID: r.Query("productId")})
		if err != nil {
			return response{}, err
		}
		now := svc.Now()
		return apigw.JSON(http.StatusOK, toPage(keys, func(k admin.ProductKey) productKeyBody { return toProductKey(k, now) }))
	})
}

type keyRequest struct {
	Key string `json:"key"`
}

// PreviewProductKey: POST /product-keys/preview — what a key is, without redeeming it.
func PreviewProductKey(a Auth, svc *admin.ProductKeyService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, c admin.Caller) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in keyRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		k, err := svc.Preview(ctx, c, in.Key)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toProductKey(k, svc.Now()))
	})
}

// redeemCustomerBody names the customer of a redemption: an existing one (customerId) or a new
// organization (the other fields).
type redeemCustomerBody struct {
	CustomerID   string `json:"customerId"`
	Organization string `json:"organization"`
	DomainPrefix string `json:"domainPrefix"`
	Country      string `json:"country"`
	AdminName    string `json:"adminName"`
	AdminEmail   string `json:"adminEmail"`
}

type redeemRequest struct {
	Key            string                   `json:"key"`
	Customer       *redeemCustomerBody      `json:"customer"`
	DelegatedAdmin *delegatedAdminOfferBody `json:"delegatedAdmin"`
}

func (in redeemRequest) domain() admin.Redemption {
	out := admin.Redemption{Key: in.Key}
	if c := in.Customer; c != nil {
		out.CustomerID = c.CustomerID
		if c.Organization != "" || c.DomainPrefix != "" || c.Country != "" || c.AdminName != "" || c.AdminEmail != "" {
			out.NewCustomer = &admin.NewCustomer{Name: c.Organization, DomainPrefix: c.DomainPrefix, Country: c.Country,
				AdminName: c.AdminName, Email: c.AdminEmail}
		}
	}
	if o := in.DelegatedAdmin; o != nil {
		out.DelegatedAdmin = &admin.DelegatedAdminOffer{Scope: o.Scope, DurationDays: o.DurationDays, AutoExtend: o.AutoExtend}
	}
	return out
}

type redeemedCustomerBody struct {
	CustomerID   string `json:"customerId"`
	Name         string `json:"name"`
	DomainPrefix string `json:"domainPrefix"`
	New          bool   `json:"new"`
}

type offerRefBody struct {
	LinkID    string    `json:"linkId"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// RedeemProductKey: POST /product-keys/redemptions (Idempotency-Key honoured) — redeems a key for
// an existing or a new customer, optionally offering delegated administration; one transaction.
func RedeemProductKey(a Auth, svc *admin.ProductKeyService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, c admin.Caller) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in redeemRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		idem, err := r.Idempotency(c.PartnerID() + "#" + c.UserID() + "#redeem-product-key")
		if err != nil {
			return response{}, err
		}
		out, replayed, err := svc.Redeem(ctx, c, in.domain(), idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		body := struct {
			ProductKey          productKeyBody       `json:"productKey"`
			Customer            redeemedCustomerBody `json:"customer"`
			Subscription        subscriptionBody     `json:"subscription"`
			DelegatedAdminOffer *offerRefBody        `json:"delegatedAdminOffer,omitempty"`
		}{ProductKey: toProductKey(out.Key, svc.Now()), Subscription: toSubscription(out.Subscription),
			Customer: redeemedCustomerBody{CustomerID: out.Customer.ID, Name: out.Customer.Name, DomainPrefix: out.Customer.DomainPrefix, New: out.NewCustomer}}
		if l := out.Offer; l != nil {
			url, err := svc.Links.LinkURL(*l)
			if err != nil {
				return response{}, err
			}
			body.DelegatedAdminOffer = &offerRefBody{LinkID: l.ID, URL: url, ExpiresAt: l.ExpiresAt}
		}
		return apigw.Created(body, replayed)
	})
}
