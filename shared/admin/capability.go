package admin

import "slices"

// Cloud is where a partner and every customer it serves live. Nothing crosses clouds.
type Cloud string

const (
	CloudGlobal   Cloud = "global"
	Cloud21Vianet Cloud = "21vianet" // the suite operated by 21Vianet in China
)

// Clouds lists every cloud.
var Clouds = []Cloud{CloudGlobal, Cloud21Vianet}

// Valid reports whether c is a known cloud.
func (c Cloud) Valid() bool { return slices.Contains(Clouds, c) }

// Authorization is a partner authorization set by the operator.
type Authorization string

const (
	AuthDelegatedAdmin      Authorization = "delegated_admin"      // certified to offer delegated administration
	AuthSubscriptionAdvisor Authorization = "subscription_advisor" // authorized subscription advisor
	AuthServiceProvider     Authorization = "service_provider"     // authorized service provider
)

// Authorizations lists every authorization in canonical order.
var Authorizations = []Authorization{AuthDelegatedAdmin, AuthSubscriptionAdvisor, AuthServiceProvider}

// Valid reports whether a is a known authorization.
func (a Authorization) Valid() bool { return slices.Contains(Authorizations, a) }

// Feature is one feature of the admin center, gated by the partner's authorizations.
type Feature string

const (
	FeatureCompanyProfile         Feature = "company_profile"
	FeatureOwnUsers               Feature = "own_users"
	FeatureManageCustomers        Feature = "manage_customers"
	FeatureTrialInvitations       Feature = "trial_invitations"
	FeaturePurchaseOffers         Feature = "purchase_offers"
	FeatureDelegatedAdminInOffers Feature = "delegated_admin_in_offers"
	FeatureDelegatedAdminOffers   Feature = "delegated_admin_offers"
	FeatureProductKeys            Feature = "product_keys"
	FeaturePartnerOfRecord        Feature = "partner_of_record"
)

// capability is one row of the capability matrix: a feature, the authorizations of which any one
// unlocks it (empty = every partner), and the clouds where it exists.
type capability struct {
	Feature Feature
	AnyOf   []Authorization
	Clouds  []Cloud
}

// matrix: which authorizations unlock each feature. Features are the same in both clouds today; the
// Clouds column is where a difference would be declared, not in handlers.
var matrix = []capability{
	{FeatureCompanyProfile, nil, Clouds},
	{FeatureOwnUsers, nil, Clouds},
	{FeatureManageCustomers, []Authorization{AuthDelegatedAdmin, AuthServiceProvider}, Clouds},
	{FeatureTrialInvitations, []Authorization{AuthSubscriptionAdvisor}, Clouds},
	{FeaturePurchaseOffers, []Authorization{AuthSubscriptionAdvisor}, Clouds},
	{FeatureDelegatedAdminInOffers, []Authorization{AuthDelegatedAdmin}, Clouds},
	{FeatureDelegatedAdminOffers, []Authorization{AuthDelegatedAdmin}, Clouds},
	{FeatureProductKeys, []Authorization{AuthSubscriptionAdvisor}, Clouds},
	{FeaturePartnerOfRecord, []Authorization{AuthSubscriptionAdvisor}, Clouds},
}

// FeatureState says whether a feature is enabled for a partner and what unlocks it.
type FeatureState struct {
	Feature  Feature         `json:"feature"`
	Enabled  bool            `json:"enabled"`
	Requires []Authorization `json:"requires"`
}

// Features evaluates the capability matrix for a partner, in matrix order.
func Features(cloud Cloud, auths []Authorization) []FeatureState {
	out := make([]FeatureState, 0, len(matrix))
	for _, c := range matrix {
		req := c.AnyOf
		if req == nil {
			req = []Authorization{}
		}
		out = append(out, FeatureState{Feature: c.Feature, Enabled: enabled(c, cloud, auths), Requires: req})
	}
	return out
}

// HasFeature reports whether a partner in cloud with auths may use feature f.
func HasFeature(cloud Cloud, auths []Authorization, f Feature) bool {
	for _, c := range matrix {
		if c.Feature == f {
			return enabled(c, cloud, auths)
		}
	}
	return false
}

func enabled(c capability, cloud Cloud, auths []Authorization) bool {
	if !slices.Contains(c.Clouds, cloud) {
		return false
	}
	if len(c.AnyOf) == 0 {
		return true
	}
	for _, a := range c.AnyOf {
		if slices.Contains(auths, a) {
			return true
		}
	}
	return false
}

// CustomerView is the customer page a partner gets: a list below SearchThreshold customers,
// search first from it on.
type CustomerView string

const (
	CustomerViewList   CustomerView = "list"
	CustomerViewSearch CustomerView = "search"
	SearchThreshold                 = 100
)

// ViewFor returns the customer view for a customer count.
func ViewFor(customers int) CustomerView {
	if customers >= SearchThreshold {
		return CustomerViewSearch
	}
	return CustomerViewList
}

// NormalizeAuthorizations validates, de-duplicates and orders a set of authorizations.
func NormalizeAuthorizations(field string, in []string) ([]Authorization, error) {
	var p Problems
	out := []Authorization{}
	for i, s := range in {
		a := Authorization(s)
		if !a.Valid() {
			p.Add(indexField(field, i), "enum", "must be one of delegated_admin, subscription_advisor, service_provider")
			continue
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Authorization) int {
		return slices.Index(Authorizations, a) - slices.Index(Authorizations, b)
	})
	return out, nil
}
