package admin

import (
	"context"
	"slices"
)

// PartnerStore is what the operator's partner administration needs from storage.
type PartnerStore interface {
	Partner(ctx context.Context, partnerID string) (Partner, error)
	// CreatePartner writes the partner, its first admin and the admin's login in one transaction
	// (CodeEmailTaken; *IdempotencyConflict).
	CreatePartner(ctx context.Context, p Partner, admin User, login Login, a Activity, idem *Idempotency) error
	// UpdatePartner writes p, guarded by prevVersion (CodeVersionConflict, CodeNotFound).
	UpdatePartner(ctx context.Context, p Partner, prevVersion int, a Activity) error
}

// PartnerService is the operator's context: onboarding partners and setting their
// authorizations. Every method requires an IAM-authorized operator principal.
type PartnerService struct {
	Env
	Store     PartnerStore
	Passwords Passwords
}

// NewPartner is the operator's onboarding input.
type NewPartner struct {
	Contact        Contact
	Cloud          Cloud
	Authorizations []string
	FirstAdmin     NewUser // email and display name; always a global admin with full customer access
}

func requireOperator(p Principal) error {
	if p.Kind != PrincipalOperator || p.ARN == "" {
		return errForbidden("operator routes need an IAM-authorized operator")
	}
	return nil
}

// OnboardPartner creates a partner, its first global admin (with a temporary password) and the
// activity entry, in one transaction. Errors: CodeForbidden, CodeValidation, CodeEmailTaken,
// CodeIdempotencyKeyReused.
func (s *PartnerService) OnboardPartner(ctx context.Context, op Principal, in NewPartner, idem *Idempotency) (Partner, User, string, bool, error) {
	if err := requireOperator(op); err != nil {
		return Partner{}, User{}, "", false, err
	}
	var p Problems
	c := in.Contact.Validate(&p, "")
	if !in.Cloud.Valid() {
		p.Add("cloud", "enum", "must be one of global, 21vianet")
	}
	if in.Authorizations == nil {
		p.Add("authorizations", "required", "is required: the partner's authorizations, [] for none")
	}
	auths, err := NormalizeAuthorizations("authorizations", in.Authorizations)
	if e, ok := err.(*Error); ok {
		p = append(p, e.Fields...)
	}
	adminEmail := NormalizeEmail(&p, "firstAdmin.email", in.FirstAdmin.Email)
	adminName := text(&p, "firstAdmin.displayName", in.FirstAdmin.DisplayName, 1, 100)
	if err := p.Err(); err != nil {
		return Partner{}, User{}, "", false, err
	}
	now := s.Now()
	partner := Partner{ID: s.NewID("ptn"), Contact: c, Cloud: in.Cloud, Authorizations: auths,
		UserCount: 1, GlobalAdmins: 1, Version: 1, CreatedAt: now, UpdatedAt: now}
	u := User{ID: s.NewID("usr"), OrgID: partner.ID, OrgKind: OrgPartner, Email: adminEmail, DisplayName: adminName,
		CompanyRole: RoleGlobalAdmin, CustomerAccess: AccessFull, Status: UserActive, PasswordChangeRequired: true,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	temp, hash, err := temporaryPassword(s.Passwords)
	if err != nil {
		return Partner{}, User{}, "", false, err
	}
	login := Login{Email: u.Email, UserID: u.ID, OrgID: partner.ID, OrgKind: OrgPartner, PasswordHash: hash, PasswordChangeRequired: true}
	act := s.activity(op, partner.ID, "partner.onboarded", Target{"partner", partner.ID}, nil,
		map[string]any{"name": c.Name, "cloud": string(in.Cloud), "authorizations": auths, "firstAdmin": u.Email})
	if idem != nil {
		idem.ResourceID = partner.ID
	}
	err = s.Store.CreatePartner(ctx, partner, u, login, act, idem)
	if replay, ok := asReplay(err, idem); ok {
		got, err := s.Store.Partner(ctx, replay.ResourceID)
		return got, User{}, "", true, err
	}
	if err != nil {
		return Partner{}, User{}, "", false, err
	}
	return partner, u, temp, false, nil
}

// GetPartner returns a partner to the operator. Errors: CodeForbidden, CodeNotFound.
func (s *PartnerService) GetPartner(ctx context.Context, op Principal, id string) (Partner, error) {
	if err := requireOperator(op); err != nil {
		return Partner{}, err
	}
	if !ValidID("ptn", id) {
		return Partner{}, NotFound("partner")
	}
	return s.Store.Partner(ctx, id)
}

// SetAuthorizations replaces a partner's authorizations (operator only; version-guarded). The
// cloud is fixed at onboarding: customers live in it. Errors: CodeForbidden, CodeValidation,
// CodeNotFound, CodeVersionConflict.
func (s *PartnerService) SetAuthorizations(ctx context.Context, op Principal, id string, auths []string, version int) (Partner, error) {
	if err := requireOperator(op); err != nil {
		return Partner{}, err
	}
	var p Problems
	if auths == nil {
		p.Add("authorizations", "required", "is required (an empty list removes every authorization)")
	}
	norm, err := NormalizeAuthorizations("authorizations", auths)
	if e, ok := err.(*Error); ok {
		p = append(p, e.Fields...)
	}
	checkVersion(&p, version)
	if err := p.Err(); err != nil {
		return Partner{}, err
	}
	if !ValidID("ptn", id) {
		return Partner{}, NotFound("partner")
	}
	before, err := s.Store.Partner(ctx, id)
	if err != nil {
		return Partner{}, err
	}
	if version != before.Version {
		return Partner{}, versionConflict(before.Version)
	}
	if slices.Equal(before.Authorizations, norm) {
		return before, nil
	}
	after := before
	after.Authorizations = norm
	after.Version++
	after.UpdatedAt = s.Now()
	act := s.activity(op, id, "partner.authorizations_changed", Target{"partner", id},
		map[string]any{"authorizations": before.Authorizations}, map[string]any{"authorizations": norm})
	if err := s.Store.UpdatePartner(ctx, after, version, act); err != nil {
		return Partner{}, err
	}
	return after, nil
}
