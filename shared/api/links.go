package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// GetCatalog: GET /catalog — the caller's cloud only.
func GetCatalog(d *Deps) apigw.Handler {
	return authenticated(d, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		if err := s.Require(admin.ActReadOverview); err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, struct {
			Cloud    admin.Cloud     `json:"cloud"`
			Products []admin.Product `json:"products"`
		}{s.Partner.Cloud, admin.Catalog(s.Partner.Cloud)})
	})
}

type linkRequest struct {
	ProductID        string                     `json:"productId"`
	Lines            []admin.OfferLine          `json:"lines"`
	DelegatedAdmin   *admin.DelegatedAdminOffer `json:"delegatedAdmin"`
	TargetCustomerID string                     `json:"targetCustomerId"`
	ExpiresAt        *time.Time                 `json:"expiresAt"`
	MaxUses          *int                       `json:"maxUses"`
}

type linkBody struct {
	LinkID           string                     `json:"linkId"`
	Kind             admin.LinkKind             `json:"kind"`
	URL              string                     `json:"url"`
	State            admin.LinkState            `json:"state"`
	ProductID        string                     `json:"productId,omitempty"`
	Lines            []admin.OfferLine          `json:"lines,omitempty"`
	DelegatedAdmin   *admin.DelegatedAdminOffer `json:"delegatedAdmin,omitempty"`
	TargetCustomerID string                     `json:"targetCustomerId,omitempty"`
	ExpiresAt        *time.Time                 `json:"expiresAt"`
	MaxUses          *int                       `json:"maxUses"`
	Uses             int                        `json:"uses"`
	LastUsedAt       *time.Time                 `json:"lastUsedAt"`
	EmailsSent       int                        `json:"emailsSent"`
	UsedBy           []admin.LinkUse            `json:"usedBy,omitempty"`
	Version          int                        `json:"version"`
	CreatedAt        time.Time                  `json:"createdAt"`
}

func toLink(d *Deps, l admin.Link, now time.Time) (linkBody, error) {
	url, err := d.Service.LinkURL(d.PublicBaseURL, l)
	if err != nil {
		return linkBody{}, err
	}
	b := linkBody{LinkID: l.ID, Kind: l.Kind, URL: url, State: l.State(now), ProductID: l.ProductID, Lines: l.Lines,
		DelegatedAdmin: l.DelegatedAdmin, TargetCustomerID: l.TargetCustomerID, Uses: l.Uses, EmailsSent: l.EmailsSent,
		Version: l.Version, CreatedAt: l.CreatedAt}
	if !l.ExpiresAt.IsZero() {
		b.ExpiresAt = &l.ExpiresAt
	}
	if l.MaxUses > 0 {
		b.MaxUses = &l.MaxUses
	}
	if !l.LastUsedAt.IsZero() {
		b.LastUsedAt = &l.LastUsedAt
	}
	return b, nil
}

// CreateLink: POST /trial-invitations, /purchase-offers, /delegated-admin-offers.
func CreateLink(kind admin.LinkKind) Action {
	return func(d *Deps) apigw.Handler {
		return authenticated(d, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			var in linkRequest
			if err := r.Decode(&in); err != nil {
				return response{}, err
			}
			idem, err := r.Idempotency(s.Partner.ID + "#" + s.Principal.User.ID + "#create-" + string(kind))
			if err != nil {
				return response{}, err
			}
			l, replayed, err := d.Service.CreateLink(ctx, s, admin.NewLink{Kind: kind, ProductID: in.ProductID, Lines: in.Lines,
				DelegatedAdmin: in.DelegatedAdmin, TargetCustomerID: in.TargetCustomerID, ExpiresAt: in.ExpiresAt, MaxUses: in.MaxUses}, idem)
			if err != nil {
				return response{}, admin.ReplayMismatch(err)
			}
			body, err := toLink(d, l, d.Service.Now())
			if err != nil {
				return response{}, err
			}
			return apigw.Created(body, replayed)
		})
	}
}

// ListLinks: GET /trial-invitations etc.
func ListLinks(kind admin.LinkKind) Action {
	return func(d *Deps) apigw.Handler {
		return authenticated(d, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			page, err := pageRequest(r)
			if err != nil {
				return response{}, err
			}
			links, err := d.Service.ListLinks(ctx, s, kind, page)
			if err != nil {
				return response{}, err
			}
			now := d.Service.Now()
			out := pageBody[linkBody]{Items: make([]linkBody, len(links.Items))}
			for i, l := range links.Items {
				if out.Items[i], err = toLink(d, l, now); err != nil {
					return response{}, err
				}
			}
			if links.NextCursor != "" {
				out.NextCursor = &links.NextCursor
			}
			return apigw.JSON(http.StatusOK, out)
		})
	}
}

// GetLink: GET /trial-invitations/{id} etc.: the link with its uses (who, when).
func GetLink(kind admin.LinkKind) Action {
	return func(d *Deps) apigw.Handler {
		return authenticated(d, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			if err := noQuery(r); err != nil {
				return response{}, err
			}
			l, uses, err := d.Service.GetLink(ctx, s, kind, r.PathParam("id"))
			if err != nil {
				return response{}, err
			}
			body, err := toLink(d, l, d.Service.Now())
			if err != nil {
				return response{}, err
			}
			body.UsedBy = uses
			return apigw.JSON(http.StatusOK, body)
		})
	}
}

// RevokeLink: DELETE /trial-invitations/{id} etc.
func RevokeLink(kind admin.LinkKind) Action {
	return func(d *Deps) apigw.Handler {
		return authenticated(d, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			if err := d.Service.RevokeLink(ctx, s, kind, r.PathParam("id")); err != nil {
				return response{}, err
			}
			return apigw.NoContent()
		})
	}
}

type emailLinkRequest struct {
	Recipients []string `json:"recipients"`
	Message    string   `json:"message"`
}

// EmailLink: POST /trial-invitations/{id}/emails etc.: queues one email per recipient.
func EmailLink(kind admin.LinkKind) Action {
	return func(d *Deps) apigw.Handler {
		return authenticated(d, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			var in emailLinkRequest
			if err := r.Decode(&in); err != nil {
				return response{}, err
			}
			n, err := d.Service.EmailLink(ctx, s, kind, r.PathParam("id"), in.Recipients, in.Message, d.PublicBaseURL)
			if err != nil {
				return response{}, err
			}
			return apigw.JSON(http.StatusAccepted, struct {
				Queued int `json:"queued"`
			}{n})
		})
	}
}
