package admin

import (
	"context"
	"strings"
)

// MaxTransactionActions is DynamoDB's limit of actions in one transaction: a rename that would need
// more is refused (CodeRenameTooLarge), never written in parts.
const MaxTransactionActions = 100

// TenantPatch is a customer admin's change of the organization: nil fields stay as they are.
type TenantPatch struct {
	Name    *string
	Country *string
	Version int
}

// TenantUpdate is the write of an organization change: the profile after (its version raised),
// guarded by PrevVersion; on a rename also every relationship of the customer (both sides carry
// the name, the partner's side keys the partner's list and search) and the users whose login
// items carry the organization's name; the activity entry in the customer's log.
type TenantUpdate struct {
	Before, After Customer
	PrevVersion   int
	Activity      Activity
	Renamed       bool
	// Relationships (as read, each guarded by its version) and LoginEmails are what a rename
	// rewrites (read by OrganizationLinks).
	Relationships []Relationship
	LoginEmails   []string
}

// RenameStore is what renaming an organization needs from storage.
type RenameStore interface {
	// OrganizationLinks reads every relationship of the customer (its side) and the email
	// addresses of its users (their login items carry the organization's name);
	// CodeRenameTooLarge when there are more than one transaction can rewrite.
	OrganizationLinks(ctx context.Context, customerID string) ([]Relationship, []string, error)
	// UpdateTenant writes the change in one transaction: CodeVersionConflict when the profile or
	// a relationship changed meanwhile, CodeRenameTooLarge when it would take more than
	// MaxTransactionActions actions.
	UpdateTenant(ctx context.Context, w TenantUpdate) error
}

// UpdateTenant changes the organization's name or country (customer admins). A new name reaches
// every partner's customer list and search in the same transaction. Errors: CodeValidation,
// CodeVersionConflict, CodeRenameTooLarge.
func (s *TenantService) UpdateTenant(ctx context.Context, cs CustomerSession, in TenantPatch) (Customer, error) {
	var p Problems
	after := cs.Customer
	if in.Name != nil {
		after.Name = text(&p, "name", *in.Name, 1, 200)
		if FoldName(after.Name) == "" {
			p.Add("name", "letters", "must hold at least one letter or digit")
		}
	}
	if in.Country != nil {
		after.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
		if c := after.Country; len(c) != 2 || !isUpper(c[0]) || !isUpper(c[1]) {
			p.Add("country", "country", "must be an ISO 3166-1 alpha-2 country code such as DE")
		}
	}
	checkVersion(&p, in.Version)
	if err := p.Err(); err != nil {
		return Customer{}, err
	}
	before := cs.Customer
	if in.Version != before.Version {
		return Customer{}, versionConflict(before.Version)
	}
	if after == before {
		return before, nil // nothing changes: no write, no log entry
	}
	after.Version++
	w := TenantUpdate{Before: before, After: after, PrevVersion: in.Version, Renamed: after.Name != before.Name}
	if w.Renamed {
		rels, emails, err := s.Store.OrganizationLinks(ctx, before.ID)
		if err != nil {
			return Customer{}, err
		}
		w.Relationships, w.LoginEmails = rels, emails
	}
	bf, af := diffFields(map[string]any{"name": before.Name, "country": before.Country}, map[string]any{"name": after.Name, "country": after.Country})
	w.Activity = Activity{ID: s.NewID("act"), OrgID: before.ID, At: s.Now(), Actor: Actor{Type: "user", ID: cs.User.ID, Email: cs.User.Email},
		Action: "organization.updated", Target: Target{"customer", before.ID}, CustomerID: before.ID, Before: bf, After: af}
	if err := s.Store.UpdateTenant(ctx, w); err != nil {
		return Customer{}, err
	}
	return after, nil
}
