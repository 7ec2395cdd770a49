package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

// Demo customers: the global partner gets 150 (its overview says "search"), the 21Vianet partner
// 12 ("list"). They cover every relationship state and subscriptions in every state; each has an
// admin who signs in with Password at admin@<domainPrefix>.example.
const (
	GlobalCustomers = 150
	VianetCustomers = 12
)

// DemoCustomer is one seeded customer, for the startup banner and the README's walk-through.
type DemoCustomer struct {
	Partner    string `json:"partner"`
	CustomerID string `json:"customerId"`
	Name       string `json:"name"`
	Admin      string `json:"admin"`
	State      string `json:"delegatedAdmin"` // active, expiring, ended, expired or none
	Scope      string `json:"scope,omitempty"`
}

// Name parts: accents, umlauts and sharp s on purpose, so that search can be tried on them.
var (
	nameHeads = []string{"Müller", "Schäfer", "Nordwind", "Alpenglühen", "Fabrikam", "Contoso", "Tailspin", "Wingtip", "Adatum", "Litware",
		"Proseware", "Lucerne", "Woodgrove", "Northwind", "Café Élan", "Zürich", "Öko", "Bäckerei Groß", "Søren", "Margarita"}
	nameTails = []string{"Bau GmbH", "Logistik AG", "Consulting", "Pharma KG", "Software", "Trading Ltd", "Medien", "Energie GmbH"}
	vianet    = []string{"北京云科技有限公司", "上海数据服务有限公司", "Shenzhen Harbour Trading", "Hangzhou Silk Software", "Chengdu Panda Media",
		"Guangzhou Pearl Logistics", "Nanjing River Consulting", "Wuhan Bridge Energy", "Xi'an Terracotta Design", "Suzhou Garden Retail",
		"Tianjin Port Services", "Qingdao Coastal Foods"}
)

// demoState is the relationship of the i-th demo customer: four in ten active full, one active
// limited that extends itself, one expiring within 30 days (in turn a full one that will expire
// and a limited one that will extend itself: a full grant never does), one ended, one expired,
// one declined, one never offered.
func demoState(i int, now time.Time) (string, *admin.DelegatedAdmin) {
	active := func(scope admin.CustomerAccess, start time.Time, days int, auto bool) *admin.DelegatedAdmin {
		return &admin.DelegatedAdmin{Scope: scope, StartsAt: start, EndsAt: start.AddDate(0, 0, days), AutoExtend: auto, Status: "active"}
	}
	switch i % 10 {
	case 0, 1, 2, 3:
		return "active", active(admin.AccessFull, now.AddDate(0, 0, -i), 730, false)
	case 4:
		return "active", active(admin.AccessLimited, now.AddDate(0, 0, -i), 365, true)
	case 5:
		if i/10%2 == 1 {
			return "expiring", active(admin.AccessLimited, now.AddDate(0, 0, -350-i%15), 365, true) // extends in 0–15 days
		}
		return "expiring", active(admin.AccessFull, now.AddDate(0, 0, -350-i%15), 365, false) // ends in 0–15 days
	case 6:
		d := active(admin.AccessFull, now.AddDate(0, 0, -200), 730, false)
		ended := now.AddDate(0, 0, -3)
		d.Status, d.EndedAt = "ended", &ended
		return "ended", d
	case 7:
		return "expired", active(admin.AccessFull, now.AddDate(0, 0, -400), 365, false)
	}
	return "none", nil
}

// demoSubscriptions gives the i-th customer one to three subscriptions across the states.
func demoSubscriptions(cloud admin.Cloud, cid, pid string, i int, now time.Time) []admin.Subscription {
	products := admin.Catalog(cloud)
	statuses := []admin.SubscriptionStatus{admin.SubscriptionActive, admin.SubscriptionTrial, admin.SubscriptionSuspended, admin.SubscriptionCancelled}
	var out []admin.Subscription
	for k := 0; k <= i%3; k++ {
		prod := products[(i+k)%len(products)]
		st := statuses[(i+k)%len(statuses)]
		if st == admin.SubscriptionTrial && !prod.Trial {
			st = admin.SubscriptionActive
		}
		created := now.AddDate(0, 0, -(i%40)-k)
		if st == admin.SubscriptionTrial {
			created = now.AddDate(0, 0, -(i % 20)) // a trial still running
		}
		s := admin.Subscription{ID: fmt.Sprintf("sub_%s", pad(fmt.Sprintf("demo%s%03d%d", cloudTag(cloud), i, k))), CustomerID: cid,
			ProductID: prod.ID, ProductName: prod.Name, Licenses: max(prod.MinLicenses, 5+(i*7+k*3)%40), Status: st,
			PartnerOfRecord: pid, PORHistory: []admin.PORPeriod{{PartnerID: pid, From: created}}, Version: 1, CreatedAt: created}
		if st == admin.SubscriptionTrial {
			s.Licenses = min(s.Licenses, prod.TrialLicenseCap)
			s.TrialEndsAt = created.AddDate(0, 0, prod.TrialLength())
		}
		out = append(out, s)
	}
	return out
}

func cloudTag(c admin.Cloud) string {
	if c == admin.Cloud21Vianet {
		return "cn"
	}
	return "gl"
}

// domainPrefix makes a customer's domain prefix from its name (folded as search folds it, then
// ASCII letters and digits only), unique by its number.
func domainPrefix(name string, i int) string {
	var b strings.Builder
	for _, r := range admin.FoldName(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	p := b.String()
	if p == "" || p[0] < 'a' || p[0] > 'z' {
		p = "kunde" + p
	}
	if len(p) > 22 {
		p = p[:22]
	}
	return fmt.Sprintf("%s%03d", p, i)
}

// Customers writes (once) the demo partners' customers through the same store write as a link
// acceptance, so they get every item a real customer has. A run that finds the last customer of
// a partner leaves that partner's customers as they are.
func Customers(ctx context.Context, db store.API, table, linkKey string, creds Credentials) ([]DemoCustomer, error) {
	st := store.New(db, table)
	codes, err := auth.NewLinkCodes(linkKey)
	if err != nil {
		return nil, err
	}
	hash, err := auth.NewHasher(auth.DefaultArgon2).Hash(Password)
	if err != nil {
		return nil, err
	}
	var out []DemoCustomer
	for _, pc := range creds.Partners {
		p, err := st.Partner(ctx, pc.PartnerID)
		if err != nil {
			return nil, fmt.Errorf("seed customers: read partner %s: %w", pc.Name, err)
		}
		names := demoNames(p.Cloud)
		link := admin.Link{ID: "lnk_" + pad("democustomers"+cloudTag(p.Cloud)), PartnerID: p.ID, Kind: admin.LinkOffer}
		if err := ensureSeedLink(ctx, st, codes, p.Cloud, link); err != nil {
			return nil, err
		}
		now := time.Now().UTC()
		_, _, lastErr := st.CustomerOfPartner(ctx, p.ID, demoCustomerID(p.Cloud, len(names)-1))
		// Only a run that stopped half-way left some customers: then each is looked up first.
		_, _, firstErr := st.CustomerOfPartner(ctx, p.ID, demoCustomerID(p.Cloud, 0))
		partial := lastErr != nil && firstErr == nil
		for i, name := range names {
			c := admin.Customer{ID: demoCustomerID(p.Cloud, i), Name: name, DomainPrefix: domainPrefix(name, i), Country: map[admin.Cloud]string{admin.CloudGlobal: "DE", admin.Cloud21Vianet: "CN"}[p.Cloud],
				Cloud: p.Cloud, Version: 1, CreatedAt: now.AddDate(0, 0, -(i % 60))}
			state, da := demoState(i, now)
			email := "admin@" + c.DomainPrefix + ".example"
			d := DemoCustomer{Partner: pc.Name, CustomerID: c.ID, Name: name, Admin: email, State: state}
			if da != nil {
				d.Scope = string(da.Scope)
			}
			out = append(out, d)
			if lastErr == nil {
				continue // seeded before
			}
			if partial {
				if _, _, err := st.CustomerOfPartner(ctx, p.ID, c.ID); err == nil {
					continue
				}
			}
			uid := "usr_" + pad(fmt.Sprintf("demo%sadmin%03d", cloudTag(p.Cloud), i))
			u := admin.User{ID: uid, OrgID: c.ID, OrgKind: admin.OrgCustomer, Email: email, DisplayName: "Alex Admin", CompanyRole: admin.RoleGlobalAdmin,
				CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt}
			login := admin.Login{Email: email, UserID: uid, OrgID: c.ID, OrgKind: admin.OrgCustomer, PasswordHash: hash, Cloud: c.Cloud, OrgName: c.Name, OrgDomain: c.DomainPrefix}
			subs := demoSubscriptions(p.Cloud, c.ID, p.ID, i, now)
			rel := admin.Relationship{CustomerID: c.ID, CustomerName: c.Name, CustomerDomain: c.DomainPrefix, PartnerID: p.ID, PartnerName: p.Contact.Name,
				Since: c.CreatedAt, DelegatedAdmin: da, Version: 1}
			actor := admin.Actor{Type: "operator", ID: "local-seed"}
			after := map[string]any{"link": link.ID, "kind": string(link.Kind), "subscriptions": len(subs)}
			w := admin.AcceptWrite{Link: link, Now: now, NewCustomer: &c, Admin: u, AdminLogin: login, Subscriptions: subs, Relationship: rel, NewRelationship: true,
				Use: admin.LinkUse{LinkID: link.ID, CustomerID: c.ID, CustomerName: c.Name, At: now},
				Activities: []admin.Activity{
					{ID: app.NewID("act"), OrgID: p.ID, At: now, Actor: actor, Action: "link.accepted", Target: admin.Target{Type: "link", ID: link.ID}, CustomerID: c.ID, After: after},
					{ID: app.NewID("act"), OrgID: c.ID, At: now, Actor: actor, Action: "partner.offer_accepted", Target: admin.Target{Type: "partner", ID: p.ID}, CustomerID: c.ID, After: after},
				}}
			if err := st.Accept(ctx, w); err != nil {
				return nil, fmt.Errorf("seed: customer %s: %w", name, err)
			}
		}
	}
	return out, nil
}

func demoCustomerID(cloud admin.Cloud, i int) string {
	return "cus_" + pad(fmt.Sprintf("demo%s%03d", cloudTag(cloud), i))
}

// demoNames are the customer names of a cloud's demo partner.
func demoNames(cloud admin.Cloud) []string {
	if cloud == admin.Cloud21Vianet {
		return vianet[:VianetCustomers]
	}
	var out []string
	for _, t := range nameTails {
		for _, h := range nameHeads {
			out = append(out, h+" "+t)
		}
	}
	return out[:GlobalCustomers]
}

// ensureSeedLink makes the purchase offer the demo customers were won through.
func ensureSeedLink(ctx context.Context, st *store.Store, codes *auth.LinkCodes, cloud admin.Cloud, l admin.Link) error {
	if _, _, err := st.Link(ctx, l.PartnerID, l.Kind, l.ID); err == nil {
		return nil
	} else if admin.ErrorCode(err) != admin.CodeNotFound {
		return fmt.Errorf("seed: read link %s: %w", l.ID, err)
	}
	now := time.Now().UTC()
	prod := admin.Catalog(cloud)[0]
	l.Lines = []admin.OfferLine{{ProductID: prod.ID, Licenses: 10}}
	l.CreatedBy, l.Version, l.CreatedAt, l.UpdatedAt = "local-seed", 1, now.AddDate(0, 0, -90), now
	var err error
	if l.Nonce, err = codes.Nonce(); err != nil {
		return err
	}
	code, err := codes.Code(l.Nonce)
	if err != nil {
		return err
	}
	l.CodeHash = codes.Hash(code)
	act := admin.Activity{ID: app.NewID("act"), OrgID: l.PartnerID, At: now, Actor: admin.Actor{Type: "operator", ID: "local-seed"},
		Action: "link.created", Target: admin.Target{Type: "link", ID: l.ID}}
	if err := st.CreateLink(ctx, l, act, nil); err != nil {
		return fmt.Errorf("seed: link %s: %w", l.ID, err)
	}
	return nil
}
