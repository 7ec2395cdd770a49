package seed

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

// DemoProductKey is a product key of a demo partner, for the startup banner and the
// credentials file.
type DemoProductKey struct {
	Partner  string `json:"partner"`
	Key      string `json:"key"`
	Product  string `json:"product"`
	Licenses int    `json:"licenses"`
	State    string `json:"state"` // at this start: available, redeemed, expired or revoked
}

// demoKeyOrders are the keys each demo partner (a subscription advisor) gets, by cloud.
var demoKeyOrders = map[admin.Cloud]admin.NewProductKeys{
	admin.CloudGlobal:   {ProductID: "m365-business-premium", Licenses: 25, Count: 5},
	admin.Cloud21Vianet: {ProductID: "o365-e3-21v", Licenses: 25, Count: 5},
}

// ProductKeys issues (once) a handful of product keys to each demo partner through the
// operator's path (ProductKeyService.Issue, with its activity entry) and returns them with their
// state now.
//
// A key's text appears only in the answer that issues it, yet a demo operator expects `make run`
// to print a key that works at every start, not only the first. So the demo keys are not drawn
// from crypto/rand but from a stream derived from LINK_KEY and the partner (HMAC-SHA256 seeding
// ChaCha8): every run derives the same keys again, looks the first up by its hash, issues them
// only when it is not there, and reads each one's state. Like the demo links' codes they are
// unknowable without the installation's link key (random per data directory; `make reset` makes
// new ones); keys issued through the operator's route are random as always.
func ProductKeys(ctx context.Context, db store.API, table, linkKey string, creds Credentials) ([]DemoProductKey, error) {
	st := store.NewProductKeys(store.New(db, table))
	hasher, err := auth.NewProductKeyHasher(linkKey)
	if err != nil {
		return nil, err
	}
	op := admin.Principal{Kind: admin.PrincipalOperator, ARN: "arn:aws:iam::000000000000:role/local-seed"}
	now := time.Now()
	var out []DemoProductKey
	for _, pc := range creds.Partners {
		cloud := admin.Cloud(pc.Cloud)
		order, ok := demoKeyOrders[cloud]
		prod, found := admin.FindProduct(cloud, order.ProductID)
		if !ok || !found {
			continue
		}
		stream, err := demoKeyStream(linkKey, pc.PartnerID)
		if err != nil {
			return nil, err
		}
		texts := make([]string, order.Count)
		for i := range texts {
			if texts[i], err = admin.ProductKeyFrom(stream); err != nil {
				return nil, err
			}
		}
		hash := func(text string) string {
			c, _ := admin.ParseProductKey(text)
			return hasher.Hash(c)
		}
		first, _, _, err := st.RedemptionTarget(ctx, pc.PartnerID, hash(texts[0]), "")
		if err != nil {
			return nil, fmt.Errorf("seed: product keys of %s: %w", pc.Name, err)
		}
		if first == nil {
			stream, _ := demoKeyStream(linkKey, pc.PartnerID)
			svc := &admin.ProductKeyService{Env: admin.Env{Now: time.Now, NewID: app.NewID}, Store: st, Hasher: hasher, Random: stream}
			issued, _, err := svc.Issue(ctx, op, pc.PartnerID, order, nil)
			if admin.ErrorCode(err) == admin.CodeFeatureNotAuthorized {
				continue // the partner is no longer a subscription advisor (its authorizations were changed)
			}
			if err != nil {
				return nil, fmt.Errorf("seed: product keys of %s: %w", pc.Name, err)
			}
			for i, k := range issued {
				if k.Key != texts[i] {
					return nil, fmt.Errorf("seed: product keys of %s: issued %s, derived %s", pc.Name, k.Key, texts[i])
				}
			}
		}
		for _, text := range texts {
			k, _, _, err := st.RedemptionTarget(ctx, pc.PartnerID, hash(text), "")
			if err != nil {
				return nil, fmt.Errorf("seed: product keys of %s: %w", pc.Name, err)
			}
			if k == nil {
				continue
			}
			out = append(out, DemoProductKey{Partner: pc.Name, Key: text, Product: prod.Name, Licenses: k.Licenses, State: string(k.State(now))})
		}
	}
	return out, nil
}

// demoKeyStream is the source of a demo partner's keys: ChaCha8 seeded with
// HMAC-SHA256(link key, "demo product keys " + partner id).
func demoKeyStream(linkKey, partnerID string) (*rand.ChaCha8, error) {
	master, err := base64.StdEncoding.DecodeString(linkKey)
	if err != nil {
		return nil, fmt.Errorf("seed: LINK_KEY: %w", err)
	}
	m := hmac.New(sha256.New, master)
	m.Write([]byte("demo product keys " + partnerID))
	var seed [32]byte
	copy(seed[:], m.Sum(nil))
	return rand.NewChaCha8(seed), nil
}
