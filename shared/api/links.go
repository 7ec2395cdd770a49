package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// GetCatalog: GET /catalog — the caller's cloud only.
func GetCatalog(a Auth) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		if err := s.Require(admin.ActReadOverview); err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, struct {
			Cloud         admin.Cloud        `json:"cloud"`
			Products      []productBody      `json:"products"`
			SupportTopics []supportTopicBody `json:"supportTopics"` // the topics of a service request
		}{s.Partner.Cloud, toList(admin.Catalog(s.Partner.Cloud), toProduct), toList(admin.SupportTopics(s.Partner.Cloud), toSupportTopic)})
	})
}

type linkRequest struct {
	ProductID        string                   `json:"productId"`
	Lines            []offerLineBody          `json:"lines"`
	DelegatedAdmin   *delegatedAdminOfferBody `json:"delegatedAdmin"`
	TargetCustomerID string                   `json:"targetCustomerId"`
	ExpiresAt        *time.Time               `json:"expiresAt"`
	MaxUses          *int                     `json:"maxUses"`
}

func (in linkRequest) domain(kind admin.LinkKind) admin.NewLink {
	n := admin.NewLink{Kind: kind, ProductID: in.ProductID, TargetCustomerID: in.TargetCustomerID, ExpiresAt: in.ExpiresAt, MaxUses: in.MaxUses}
	for _, l := range in.Lines {
		n.Lines = append(n.Lines, admin.OfferLine{ProductID: l.ProductID, Licenses: l.Licenses})
	}
	if o := in.DelegatedAdmin; o != nil {
		n.DelegatedAdmin = &admin.DelegatedAdminOffer{Scope: o.Scope, DurationDays: o.DurationDays, AutoExtend: o.AutoExtend}
	}
	return n
}

type linkBody struct {
	LinkID           string                   `json:"linkId"`
	Kind             admin.LinkKind           `json:"kind"`
	URL              string                   `json:"url"`
	State            admin.LinkState          `json:"state"`
	ProductID        string                   `json:"productId,omitempty"`
	Lines            []offerLineBody          `json:"lines,omitempty"`
	DelegatedAdmin   *delegatedAdminOfferBody `json:"delegatedAdmin,omitempty"`
	TargetCustomerID string                   `json:"targetCustomerId,omitempty"`
	ExpiresAt        *time.Time               `json:"expiresAt"`
	MaxUses          *int                     `json:"maxUses"`
	Uses             int                      `json:"uses"`
	LastUsedAt       *time.Time               `json:"lastUsedAt"`
	EmailsSent       int                      `json:"emailsSent"`
	UsedBy           []linkUseBody            `json:"usedBy,omitempty"`
	Version          int                      `json:"version"`
	CreatedAt        time.Time                `json:"createdAt"`
}

func toLink(svc *admin.LinkService, l admin.Link, now time.Time) (linkBody, error) {
	url, err := svc.LinkURL(l)
	if err != nil {
		return linkBody{}, err
	}
	b := linkBody{LinkID: l.ID, Kind: l.Kind, URL: url, State: l.State(now), ProductID: l.ProductID,
		TargetCustomerID: l.TargetCustomerID, Uses: l.Uses, EmailsSent: l.EmailsSent,
		Version: l.Version, CreatedAt: l.CreatedAt}
	for _, line := range l.Lines {
		b.Lines = append(b.Lines, offerLineBody{ProductID: line.ProductID, Licenses: line.Licenses})
	}
	if o := l.DelegatedAdmin; o != nil {
		b.DelegatedAdmin = &delegatedAdminOfferBody{Scope: o.Scope, DurationDays: o.DurationDays, AutoExtend: o.AutoExtend}
	}
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
func CreateLink(kind admin.LinkKind) func(Auth, *admin.LinkService) apigw.Handler {
	return func(a Auth, svc *admin.LinkService) apigw.Handler {
		return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			var in linkRequest
			if err := r.Decode(&in); err != nil {
				return response{}, err
			}
			idem, err := r.Idempotency(s.Partner.ID + "#" + s.Principal.User.ID + "#create-" + string(kind))
			if err != nil {
				return response{}, err
			}
			l, replayed, err := svc.CreateLink(ctx, s, in.domain(kind), idem)
			if err != nil {
				return response{}, admin.ReplayMismatch(err)
			}
			body, err := toLink(svc, l, svc.Now())
			if err != nil {
				return response{}, err
			}
			return apigw.Created(body, replayed)
		})
	}
}

// ListLinks: GET /trial-invitations etc.
func ListLinks(kind admin.LinkKind) func(Auth, *admin.LinkService) apigw.Handler {
	return func(a Auth, svc *admin.LinkService) apigw.Handler {
		return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			page, err := pageRequest(r)
			if err != nil {
				return response{}, err
			}
			links, err := svc.ListLinks(ctx, s, kind, page)
			if err != nil {
				return response{}, err
			}
			now := svc.Now()
			out := pageBody[linkBody]{Items: make([]linkBody, len(links.Items))}
			for i, l := range links.Items {
				if out.Items[i], err = toLink(svc, l, now); err != nil {
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
func GetLink(kind admin.LinkKind) func(Auth, *admin.LinkService) apigw.Handler {
	return func(a Auth, svc *admin.LinkService) apigw.Handler {
		return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			if err := noQuery(r); err != nil {
				return response{}, err
			}
			l, uses, err := svc.GetLink(ctx, s, kind, r.PathParam("id"))
			if err != nil {
				return response{}, err
			}
			body, err := toLink(svc, l, svc.Now())
			if err != nil {
				return response{}, err
			}
			body.UsedBy = toList(uses, func(u admin.LinkUse) linkUseBody {
				return linkUseBody{CustomerID: u.CustomerID, CustomerName: u.CustomerName, At: u.At, DelegatedAdmin: u.DelegatedAdmin}
			})
			return apigw.JSON(http.StatusOK, body)
		})
	}
}

// RevokeLink: DELETE /trial-invitations/{id} etc.
func RevokeLink(kind admin.LinkKind) func(Auth, *admin.LinkService) apigw.Handler {
	return func(a Auth, svc *admin.LinkService) apigw.Handler {
		return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			if err := svc.RevokeLink(ctx, s, kind, r.PathParam("id")); err != nil {
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
func EmailLink(kind admin.LinkKind) func(Auth, *admin.LinkService) apigw.Handler {
	return func(a Auth, svc *admin.LinkService) apigw.Handler {
		return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
			var in emailLinkRequest
			if err := r.Decode(&in); err != nil {
				return response{}, err
			}
			n, err := svc.EmailLink(ctx, s, kind, r.PathParam("id"), in.Recipients, in.Message)
			if err != nil {
				return response{}, err
			}
			return apigw.JSON(http.StatusAccepted, struct {
				Queued int `json:"queued"`
			}{n})
		})
	}
}
