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

// DemoLink is a link the seed made, to try the customer journey in a browser.
type DemoLink struct {
	Partner string `json:"partner"`
	Kind    string `json:"kind"`
	Offer   string `json:"offer"`
	URL     string `json:"url"`
}

// Links makes (once) a trial invitation with delegated administration and a purchase offer for
// each demo partner, and returns their URLs under baseURL. Run seeds the partners first.
func Links(ctx context.Context, db store.API, table, linkKey, baseURL string, creds Credentials) ([]DemoLink, error) {
	st := store.New(db, table)
	codes, err := auth.NewLinkCodes(linkKey)
	if err != nil {
		return nil, err
	}
	svc := &admin.LinkService{Codes: codes, BaseURL: baseURL}
	var out []DemoLink
	for _, pc := range creds.Partners {
		cloud := admin.Cloud(pc.Cloud)
		var trial, paid []admin.Product
		for _, p := range admin.Catalog(cloud) {
			if p.Trial {
				trial = append(trial, p)
			} else {
				paid = append(paid, p)
			}
		}
		lines := []admin.OfferLine{{ProductID: trial[0].ID, Licenses: 10}}
		if len(paid) > 0 {
			lines = append(lines, admin.OfferLine{ProductID: paid[0].ID, Licenses: 5})
		}
		demos := []struct {
			link  admin.Link
			offer string
		}{
			{admin.Link{ID: "lnk_" + pad("demotrial"+strings.TrimPrefix(pc.Cloud, "21")), Kind: admin.LinkTrial, ProductID: trial[0].ID,
				DelegatedAdmin: &admin.DelegatedAdminOffer{Scope: admin.AccessFull, DurationDays: 365}},
				"trial of " + trial[0].Name + " with delegated administration (full, 365 days)"},
			{admin.Link{ID: "lnk_" + pad("demooffer"+strings.TrimPrefix(pc.Cloud, "21")), Kind: admin.LinkOffer, Lines: lines},
				"purchase offer: " + linesText(cloud, lines)},
		}
		for _, d := range demos {
			l, _, err := st.Link(ctx, pc.PartnerID, d.link.Kind, d.link.ID)
			if admin.ErrorCode(err) == admin.CodeNotFound {
				l = d.link
				now := time.Now().UTC()
				l.PartnerID, l.CreatedBy, l.Version, l.CreatedAt, l.UpdatedAt = pc.PartnerID, "local-seed", 1, now, now
				if l.Nonce, err = codes.Nonce(); err != nil {
					return nil, err
				}
				code, err := codes.Code(l.Nonce)
				if err != nil {
					return nil, err
				}
				l.CodeHash = codes.Hash(code)
				act := admin.Activity{ID: app.NewID("act"), OrgID: pc.PartnerID, At: now, Actor: admin.Actor{Type: "operator", ID: "local-seed"},
					Action: "link.created", Target: admin.Target{Type: "link", ID: l.ID}}
				if err := st.CreateLink(ctx, l, act, nil); err != nil {
					return nil, fmt.Errorf("seed: link %s: %w", l.ID, err)
				}
			} else if err != nil {
				return nil, fmt.Errorf("seed: read link %s: %w", d.link.ID, err)
			}
			url, err := svc.LinkURL(l)
			if err != nil {
				return nil, err
			}
			out = append(out, DemoLink{Partner: pc.Name, Kind: string(l.Kind), Offer: d.offer, URL: url})
		}
	}
	return out, nil
}

// linesText describes offer lines for the demo's printout: "10 × Product A; 5 × Product B".
func linesText(cloud admin.Cloud, lines []admin.OfferLine) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		prod, _ := admin.FindProduct(cloud, l.ProductID)
		parts[i] = fmt.Sprintf("%d × %s", l.Licenses, prod.Name)
	}
	return strings.Join(parts, "; ")
}
