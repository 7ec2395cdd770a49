package admin

// Product is one product of a cloud's catalog.
type Product struct {
	ID              string
	Name            string
	Trial           bool
	TrialDays       int
	TrialLicenseCap int
	MinLicenses     int
	MaxLicenses     int
}

// DefaultTrialDays is the trial length where a product does not say otherwise.
const DefaultTrialDays = 30

// TrialLength is the product's trial length in days.
func (p Product) TrialLength() int {
	if p.TrialDays == 0 {
		return DefaultTrialDays
	}
	return p.TrialDays
}

// catalogs are shipped with the code: one per cloud; nothing crosses clouds.
var catalogs = map[Cloud][]Product{
	CloudGlobal: {
		{ID: "m365-business-basic", Name: "Microsoft 365 Business Basic", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 300},
		{ID: "m365-business-standard", Name: "Microsoft 365 Business Standard", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 300},
		{ID: "m365-business-premium", Name: "Microsoft 365 Business Premium", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 300},
		{ID: "m365-e3", Name: "Microsoft 365 E3", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 100000},
		{ID: "exchange-online-plan-1", Name: "Exchange Online (Plan 1)", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 100000},
		{ID: "teams-essentials", Name: "Microsoft Teams Essentials", Trial: false, MinLicenses: 1, MaxLicenses: 300},
	},
	Cloud21Vianet: {
		{ID: "o365-e1-21v", Name: "Office 365 E1 (operated by 21Vianet)", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 100000},
		{ID: "o365-e3-21v", Name: "Office 365 E3 (operated by 21Vianet)", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 100000},
		{ID: "m365-business-standard-21v", Name: "Microsoft 365 Business Standard (operated by 21Vianet)", Trial: true, TrialDays: 30, TrialLicenseCap: 25, MinLicenses: 1, MaxLicenses: 300},
		{ID: "exchange-online-21v", Name: "Exchange Online (operated by 21Vianet)", Trial: false, MinLicenses: 1, MaxLicenses: 100000},
	},
}

// Catalog returns the products of a cloud.
func Catalog(c Cloud) []Product { return catalogs[c] }

// FindProduct returns a product of a cloud's catalog.
func FindProduct(c Cloud, id string) (Product, bool) {
	for _, p := range catalogs[c] {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}
