package admin

import (
	"context"
	"time"
)

// TenantStore is what customer self-service needs from storage.
type TenantStore interface {
	Subscriptions(ctx context.Context, customerID string, page PageRequest) (Page[Subscription], error)
	Relationships(ctx context.Context, customerID string, page PageRequest) (Page[Relationship], error)
	// RelationshipWithPartner reads the customer's side of a relationship and the partner
	// (CodeNotFound).
	RelationshipWithPartner(ctx context.Context, customerID, partnerID string) (Relationship, Partner, error)
	// EndDelegatedAdmin writes the ended grant on both sides (guarded by prevVersion:
	// CodeVersionConflict), the activity entries and the email, in one transaction.
	EndDelegatedAdmin(ctx context.Context, r Relationship, prevVersion int, acts []Activity, email Email) error
	RenameStore // the organization's name and country (rename.go)
}

// TenantService is the customer admin's self-service context: its subscriptions, its partners
// and their delegated administration, which it may end at any time.
type TenantService struct {
	Env
	Store TenantStore
}

// TenantSubscriptions lists the customer's subscriptions. Errors: CodeInvalidCursor.
func (s *TenantService) TenantSubscriptions(ctx context.Context, cs CustomerSession, page PageRequest) (Page[Subscription], error) {
	return s.Store.Subscriptions(ctx, cs.Customer.ID, page)
}

// TenantPartners lists the customer's partners with any delegated administration, as it stands
// now (a grant past its end date shows as expired, as the clock stores it). Errors:
// CodeInvalidCursor.
func (s *TenantService) TenantPartners(ctx context.Context, cs CustomerSession, page PageRequest) (Page[Relationship], error) {
	p, err := s.Store.Relationships(ctx, cs.Customer.ID, page)
	now := s.Now()
	for i, r := range p.Items {
		if d := r.DelegatedAdmin; d != nil && d.Status == "active" && !now.Before(d.EndsAt) {
			expired := *d
			ends := d.EndsAt
			expired.Status, expired.EndedAt = "expired", &ends
			p.Items[i].DelegatedAdmin = &expired
		}
	}
	return p, err
}

// EndDelegatedAdmin ends a partner's delegated administration at once; the partner is emailed.
// Errors: CodeNotFound (no such partner or no active grant), CodeVersionConflict (it changed
// meanwhile).
func (s *TenantService) EndDelegatedAdmin(ctx context.Context, cs CustomerSession, partnerID string) error {
	if !ValidID("ptn", partnerID) {
		return NotFound("delegated administration")
	}
	r, p, err := s.Store.RelationshipWithPartner(ctx, cs.Customer.ID, partnerID)
	if err != nil {
		return err
	}
	now := s.Now()
	d := r.DelegatedAdmin
	if d == nil || d.Status != "active" || !now.Before(d.EndsAt) {
		return NotFound("delegated administration")
	}
	ended := *d
	ended.Status, ended.EndedAt = "ended", &now
	prev := r.Version
	r.DelegatedAdmin, r.Version = &ended, r.Version+1
	actor := Actor{Type: "user", ID: cs.User.ID, Email: cs.User.Email}
	before := map[string]any{"scope": string(d.Scope), "endsAt": d.EndsAt.Format(time.RFC3339)}
	acts := []Activity{
		{ID: s.NewID("act"), OrgID: cs.Customer.ID, At: now, Actor: actor, Action: "delegated_admin.ended", Target: Target{"partner", partnerID}, CustomerID: cs.Customer.ID, Before: before},
		{ID: s.NewID("act"), OrgID: partnerID, At: now, Actor: actor, Action: "delegated_admin.ended", Target: Target{"customer", cs.Customer.ID}, CustomerID: cs.Customer.ID, Before: before},
	}
	email := Email{ID: s.NewID("out"), OrgID: cs.Customer.ID, To: []string{p.Contact.Email},
		Message: DelegatedAdminEnded{Partner: p, Customer: cs.Customer, EndedAt: now}}
	return s.Store.EndDelegatedAdmin(ctx, r, prev, acts, email)
}
