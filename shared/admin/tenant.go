package admin

import (
	"context"
	"time"
)

// CustomerSession is the authenticated context of a customer admin's request.
type CustomerSession struct {
	User     User
	Customer Customer
}

// TenantStore is what customer self-service needs from storage.
type TenantStore interface {
	// CustomerUser reads a customer's user and the customer in one round trip.
	CustomerUser(ctx context.Context, customerID, userID string) (User, Customer, error)
	Subscriptions(ctx context.Context, customerID string, page PageRequest) (Page[Subscription], error)
	Relationships(ctx context.Context, customerID string, page PageRequest) (Page[Relationship], error)
	// RelationshipWithPartner reads the customer's side of a relationship and the partner.
	RelationshipWithPartner(ctx context.Context, customerID, partnerID string) (Relationship, Partner, error)
	// EndDelegatedAdmin writes the ended grant on both sides (guarded by prevVersion), the
	// activity entries and the email, in one transaction.
	EndDelegatedAdmin(ctx context.Context, r Relationship, prevVersion int, acts []Activity, email Email) error
}

// AuthenticateCustomer loads the current records of the customer user a token names; only the
// customer's admins use self-service.
func (s *Service) AuthenticateCustomer(ctx context.Context, orgID, userID string, epoch int) (CustomerSession, error) {
	if !ValidID("cus", orgID) || !ValidID("usr", userID) {
		return CustomerSession{}, Errorf(CodeUnauthenticated, "the access token is not valid")
	}
	u, c, err := s.Tenants.CustomerUser(ctx, orgID, userID)
	if ErrorCode(err) == CodeNotFound {
		return CustomerSession{}, Errorf(CodeUnauthenticated, "the access token is not valid")
	}
	if err != nil {
		return CustomerSession{}, err
	}
	if u.Status != UserActive || epoch != u.SessionEpoch {
		return CustomerSession{}, Errorf(CodeUnauthenticated, "the access token is no longer valid; sign in again")
	}
	if u.CompanyRole != RoleGlobalAdmin {
		return CustomerSession{}, errForbidden("customer self-service is for the organization's administrators")
	}
	return CustomerSession{User: u, Customer: c}, nil
}

// TenantSubscriptions lists the customer's subscriptions.
func (s *Service) TenantSubscriptions(ctx context.Context, cs CustomerSession, page PageRequest) (Page[Subscription], error) {
	return s.Tenants.Subscriptions(ctx, cs.Customer.ID, page)
}

// TenantPartners lists the customer's partners with any delegated administration, as it stands
// now (a grant past its end date shows as ended).
func (s *Service) TenantPartners(ctx context.Context, cs CustomerSession, page PageRequest) (Page[Relationship], error) {
	p, err := s.Tenants.Relationships(ctx, cs.Customer.ID, page)
	now := s.Now()
	for i, r := range p.Items {
		if d := r.DelegatedAdmin; d != nil && d.Status == "active" && !now.Before(d.EndsAt) {
			ended := *d
			ended.Status = "ended"
			p.Items[i].DelegatedAdmin = &ended
		}
	}
	return p, err
}

// EndDelegatedAdmin ends a partner's delegated administration at once; the partner is emailed.
// Errors: CodeNotFound (no such partner or no active grant).
func (s *Service) EndDelegatedAdmin(ctx context.Context, cs CustomerSession, partnerID string) error {
	if !ValidID("ptn", partnerID) {
		return NotFound("delegated administration")
	}
	r, p, err := s.Tenants.RelationshipWithPartner(ctx, cs.Customer.ID, partnerID)
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
	email := Email{ID: s.NewID("out"), OrgID: cs.Customer.ID, Template: "delegated_admin_ended", To: []string{p.Contact.Email},
		Data: map[string]string{"partnerName": p.Contact.Name, "customerName": cs.Customer.Name, "customerDomain": cs.Customer.DomainPrefix,
			"endedAt": now.UTC().Format("2 January 2006 15:04 MST"), "cloud": string(p.Cloud)}}
	return s.Tenants.EndDelegatedAdmin(ctx, r, prev, acts, email)
}
