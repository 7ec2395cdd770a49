package admin

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// productGates restates which partner authorizations unlock each feature (the feature gates),
// written out independently of the matrix: nil = every partner, else any one of the list.
var productGates = map[Feature][]Authorization{
	FeatureCompanyProfile:         nil,
	FeatureOwnUsers:               nil,
	FeatureManageCustomers:        {AuthDelegatedAdmin, AuthServiceProvider},
	FeatureTrialInvitations:       {AuthSubscriptionAdvisor},
	FeaturePurchaseOffers:         {AuthSubscriptionAdvisor},
	FeatureDelegatedAdminInOffers: {AuthDelegatedAdmin},
	FeatureDelegatedAdminOffers:   {AuthDelegatedAdmin},
	FeatureProductKeys:            {AuthSubscriptionAdvisor},
	FeaturePartnerOfRecord:        {AuthSubscriptionAdvisor},
}

// subsets returns every subset of the authorizations (2^3 = 8), each in canonical order.
func subsets() [][]Authorization {
	var out [][]Authorization
	for mask := 0; mask < 1<<len(Authorizations); mask++ {
		s := []Authorization{}
		for i, a := range Authorizations {
			if mask&(1<<i) != 0 {
				s = append(s, a)
			}
		}
		out = append(out, s)
	}
	return out
}

func wantEnabled(f Feature, auths []Authorization) bool {
	req := productGates[f]
	if req == nil {
		return true
	}
	for _, a := range req {
		if slices.Contains(auths, a) {
			return true
		}
	}
	return false
}

func TestCapabilityMatrixMatchesProductGates(t *testing.T) {
	if len(matrix) != len(productGates) {
		t.Fatalf("matrix has %d features, product.md gates %d", len(matrix), len(productGates))
	}
	for _, cloud := range Clouds {
		for _, auths := range subsets() {
			for f := range productGates {
				name := fmt.Sprintf("%s/%s/[%s]", cloud, f, joinAuths(auths))
				t.Run(name, func(t *testing.T) {
					want := wantEnabled(f, auths)
					if got := HasFeature(cloud, auths, f); got != want {
						t.Errorf("HasFeature = %v, want %v", got, want)
					}
					p := Partner{Cloud: cloud, Authorizations: auths}
					if got := p.Has(f); got != want {
						t.Errorf("Partner.Has = %v, want %v", got, want)
					}
					// Reversed order and duplicates must not change the answer.
					rev := slices.Clone(auths)
					slices.Reverse(rev)
					rev = append(rev, rev...)
					if got := HasFeature(cloud, rev, f); got != want {
						t.Errorf("HasFeature(reordered %v) = %v, want %v", rev, got, want)
					}
				})
			}
		}
	}
}

func joinAuths(a []Authorization) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

func TestFeaturesListsEveryFeatureInMatrixOrder(t *testing.T) {
	for _, cloud := range Clouds {
		for _, auths := range subsets() {
			t.Run(fmt.Sprintf("%s/[%s]", cloud, joinAuths(auths)), func(t *testing.T) {
				got := Features(cloud, auths)
				if len(got) != len(matrix) {
					t.Fatalf("len = %d, want %d", len(got), len(matrix))
				}
				for i, fs := range got {
					if fs.Feature != matrix[i].Feature {
						t.Errorf("[%d].Feature = %s, want %s", i, fs.Feature, matrix[i].Feature)
					}
					if want := wantEnabled(fs.Feature, auths); fs.Enabled != want {
						t.Errorf("%s.Enabled = %v, want %v", fs.Feature, fs.Enabled, want)
					}
					if fs.Requires == nil {
						t.Errorf("%s.Requires = nil, want a non-nil list (JSON [])", fs.Feature)
					}
					if want := productGates[fs.Feature]; !slices.Equal(fs.Requires, want) {
						t.Errorf("%s.Requires = %v, want %v", fs.Feature, fs.Requires, want)
					}
				}
			})
		}
	}
}

func TestCapabilityUnknownCloudOrFeature(t *testing.T) {
	all := Authorizations
	tests := []struct {
		name  string
		cloud Cloud
		f     Feature
	}{
		{"unknown cloud, ungated feature", Cloud("mars"), FeatureCompanyProfile},
		{"unknown cloud, gated feature", Cloud("mars"), FeatureManageCustomers},
		{"empty cloud", Cloud(""), FeatureOwnUsers},
		{"unknown feature", CloudGlobal, Feature("time_travel")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HasFeature(tt.cloud, all, tt.f); got {
				t.Errorf("HasFeature(%q, all, %q) = %v, want false", tt.cloud, tt.f, got)
			}
		})
	}
	for _, fs := range Features(Cloud("mars"), all) {
		if fs.Enabled {
			t.Errorf("Features(mars): %s enabled = true, want false", fs.Feature)
		}
	}
}

func TestEnumsValid(t *testing.T) {
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"cloud global", CloudGlobal.Valid(), true},
		{"cloud 21vianet", Cloud21Vianet.Valid(), true},
		{"cloud upper", Cloud("GLOBAL").Valid(), false},
		{"cloud empty", Cloud("").Valid(), false},
		{"auth delegated_admin", AuthDelegatedAdmin.Valid(), true},
		{"auth unknown", Authorization("reseller").Valid(), false},
		{"role global_admin", RoleGlobalAdmin.Valid(), true},
		{"role none", RoleNone.Valid(), true},
		{"role empty", CompanyRole("").Valid(), false},
		{"role owner", CompanyRole("owner").Valid(), false},
		{"access full", AccessFull.Valid(), true},
		{"access empty", CustomerAccess("").Valid(), false},
		{"access admin", CustomerAccess("admin").Valid(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("Valid() = %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestViewFor(t *testing.T) {
	tests := []struct {
		customers int
		want      CustomerView
	}{
		{0, CustomerViewList},
		{1, CustomerViewList},
		{98, CustomerViewList},
		{99, CustomerViewList},
		{100, CustomerViewSearch},
		{101, CustomerViewSearch},
		{100_000, CustomerViewSearch},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.customers), func(t *testing.T) {
			if got := ViewFor(tt.customers); got != tt.want {
				t.Errorf("ViewFor(%d) = %s, want %s", tt.customers, got, tt.want)
			}
		})
	}
}

func TestNormalizeAuthorizations(t *testing.T) {
	tests := []struct {
		name       string
		in         []string
		want       []Authorization
		wantFields []string // indexed field names of the problems; nil = no error
	}{
		{"nil", nil, []Authorization{}, nil},
		{"empty", []string{}, []Authorization{}, nil},
		{"one", []string{"service_provider"}, []Authorization{AuthServiceProvider}, nil},
		{"canonical order", []string{"service_provider", "delegated_admin", "subscription_advisor"},
			[]Authorization{AuthDelegatedAdmin, AuthSubscriptionAdvisor, AuthServiceProvider}, nil},
		{"dedupe", []string{"delegated_admin", "delegated_admin", "service_provider", "delegated_admin"},
			[]Authorization{AuthDelegatedAdmin, AuthServiceProvider}, nil},
		{"unknown value", []string{"delegated_admin", "reseller"}, nil, []string{"auths[1]"}},
		{"case matters", []string{"Delegated_Admin"}, nil, []string{"auths[0]"}},
		{"empty string", []string{""}, nil, []string{"auths[0]"}},
		{"several bad", []string{"x", "delegated_admin", "y", " service_provider"}, nil, []string{"auths[0]", "auths[2]", "auths[3]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeAuthorizations("auths", tt.in)
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				if got == nil || !slices.Equal(got, tt.want) {
					t.Errorf("got %#v, want %#v", got, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeValidation {
				t.Fatalf("err = %v, want a %s *Error", err, CodeValidation)
			}
			if got != nil {
				t.Errorf("got %v alongside the error, want nil", got)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
				if f.Code != "enum" {
					t.Errorf("field %s code = %q, want enum", f.Field, f.Code)
				}
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Errorf("fields = %v, want %v", fields, tt.wantFields)
			}
		})
	}
}
