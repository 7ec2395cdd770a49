package linkpage

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/partner-admin-center/pac/shared/admin"
)

// variants renders every page the link functions serve, in each of its shapes.
func variants(t *testing.T) map[string]string {
	t.Helper()
	partner := admin.Partner{ID: "ptn_1", Cloud: admin.CloudGlobal, Contact: admin.Contact{Name: "Contoso Cloud Partners", Phone: "+49 30 1",
		Email: "contact@contoso.example", Website: "https://contoso.example",
		Address: &admin.Address{Line1: "1 Street", City: "Berlin", PostalCode: "10115", Country: "DE"}}}
	china := partner
	china.Cloud = admin.Cloud21Vianet
	da := &admin.DelegatedAdminOffer{Scope: admin.AccessFull, DurationDays: 365, AutoExtend: true}
	links := map[string]admin.LinkView{
		"trial":                   {Link: admin.Link{Kind: admin.LinkTrial, ProductID: "m365-business-premium"}, Partner: partner},
		"trial with DA":           {Link: admin.Link{Kind: admin.LinkTrial, ProductID: "m365-business-premium", DelegatedAdmin: da}, Partner: partner},
		"trial 21Vianet":          {Link: admin.Link{Kind: admin.LinkTrial, ProductID: "o365-e3-21v"}, Partner: china},
		"offer":                   {Link: admin.Link{Kind: admin.LinkOffer, Lines: []admin.OfferLine{{ProductID: "m365-e3", Licenses: 3}, {ProductID: "m365-business-standard", Licenses: 12}}}, Partner: partner},
		"offer with limited DA":   {Link: admin.Link{Kind: admin.LinkOffer, Lines: []admin.OfferLine{{ProductID: "m365-e3", Licenses: 3}}, DelegatedAdmin: &admin.DelegatedAdminOffer{Scope: admin.AccessLimited, DurationDays: 30}}, Partner: partner},
		"delegated admin":         {Link: admin.Link{Kind: admin.LinkDelegatedAdmin, DelegatedAdmin: da}, Partner: partner},
		"partner without address": {Link: admin.Link{Kind: admin.LinkTrial, ProductID: "m365-business-premium"}, Partner: admin.Partner{Cloud: admin.CloudGlobal, Contact: admin.Contact{Name: "Fabrikam"}}},
	}
	// Every error the page can show at once (the service's and the form's own).
	var errs []admin.FieldError
	for _, f := range []string{"organization", "domainPrefix", "country", "adminName", "email", "password", "signin", "delegatedAdmin",
		"licenses.m365-e3", "licenses.unknown", "account"} {
		errs = append(errs, admin.FieldError{Field: f, Code: "invalid", Detail: "Problem with " + f + "."})
	}
	out := map[string]string{}
	add := func(name, page string, status int, v view) {
		resp, err := render(status, page, v, "token")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = resp.Body
	}
	add("invalid", "invalid", 404, view{Title: "This link is not valid"})
	add("throttled", "throttled", 429, view{Title: "Too many attempts"})
	add("failed (bad request)", "failed", 400, view{Title: "Bad request", RequestID: "req-1"})
	add("failed (form expired)", "failed", 403, view{Title: "Form expired", RequestID: "req-2"})
	for name, lv := range links {
		v := offerView(view{CSRF: "token", Form: map[string]string{}}, lv)
		v.Action += "code"
		add("offer: "+name, "offer", 200, v)
		v = offerView(view{CSRF: "token", Form: map[string]string{"organization": "Org", "delegatedAdmin": "accept", "licenses.m365-e3": "4"}, Errors: errs}, lv)
		v.Action += "code"
		add("offer with errors: "+name, "offer", 422, v)
	}
	ends := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	done := admin.Accepted{Partner: partner, Customer: admin.Customer{Name: "Customer Ltd", DomainPrefix: "cust"},
		Subscriptions:  []admin.Subscription{{ProductName: "Microsoft 365 Business Premium", Licenses: 25, Status: admin.SubscriptionTrial, TrialEndsAt: ends}},
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessFull, EndsAt: ends}}
	add("done", "done", 200, view{Title: "Done", Wording: wordings[partner.Cloud], Partner: partnerOf(partner), Accepted: &done})
	declined := done
	declined.DelegatedAdmin, declined.Declined = nil, true
	add("done, declined", "done", 200, view{Title: "Done", Wording: wordings[partner.Cloud], Partner: partnerOf(partner), Accepted: &declined})
	return out
}

var (
	headingRE = regexp.MustCompile(`<h([1-6])[\s>]`)
	idRE      = regexp.MustCompile(`\sid="([^"]*)"`)
	refRE     = regexp.MustCompile(`\s(for|aria-describedby|aria-labelledby|href)="([^"]*)"`)
)

// TestPagesHaveOneH1: every page variant has exactly one h1, first, and its headings do not
// skip a level.
func TestPagesHaveOneH1(t *testing.T) {
	for name, body := range variants(t) {
		t.Run(name, func(t *testing.T) {
			if !utf8.ValidString(body) {
				t.Fatal("the page is not UTF-8")
			}
			var levels []int
			for _, m := range headingRE.FindAllStringSubmatch(body, -1) {
				n, _ := strconv.Atoi(m[1])
				levels = append(levels, n)
			}
			if strings.Count(body, "<h1") != 1 || len(levels) == 0 || levels[0] != 1 {
				t.Fatalf("headings %v, want exactly one h1, first:\n%s", levels, body)
			}
			for i := 1; i < len(levels); i++ {
				if levels[i] > levels[i-1]+1 {
					t.Errorf("headings %v skip from h%d to h%d", levels, levels[i-1], levels[i])
				}
			}
			seen := map[string]bool{}
			for _, m := range idRE.FindAllStringSubmatch(body, -1) {
				if seen[m[1]] {
					t.Errorf("id %q is used twice", m[1])
				}
				seen[m[1]] = true
			}
		})
	}
}

// TestPageReferences: every in-page reference of every page variant names an element of the
// page — labels' for, aria-describedby, aria-labelledby, and the error summary's #links (a link
// to a field without an input is no link) — and an input with an error is marked invalid and
// described by its message.
func TestPageReferences(t *testing.T) {
	for name, body := range variants(t) {
		t.Run(name, func(t *testing.T) {
			ids := map[string]bool{}
			for _, m := range idRE.FindAllStringSubmatch(body, -1) {
				ids[m[1]] = true
			}
			for _, m := range refRE.FindAllStringSubmatch(body, -1) {
				targets := strings.Fields(m[2])
				if m[1] == "href" {
					if !strings.HasPrefix(m[2], "#") {
						continue
					}
					targets = []string{strings.TrimPrefix(m[2], "#")}
				}
				for _, id := range targets {
					if !ids[id] {
						t.Errorf("%s=%q names no element of the page", m[1], m[2])
					}
				}
			}
			if strings.HasPrefix(name, "offer with errors") {
				for _, want := range []string{`id="organization" name="organization" value="Org" autocomplete="organization" required aria-invalid="true" aria-describedby="organization-error"`,
					`aria-describedby="domainHint domainPrefix-error" required aria-invalid="true"`, `<p class="error" id="signin-error" role="status">Problem with signin.</p>`,
					`<a href="#signinEmail">Problem with signin.</a>`, `<li>Problem with account.</li>`, `<li>Problem with licenses.unknown.</li>`} {
					if !strings.Contains(body, want) {
						t.Errorf("the page lacks %s", want)
					}
				}
			}
		})
	}
}
