package app

import (
	"fmt"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

// ProductKeys wires d.ProductKeys: the operator's issuing and revoking, the partner's inventory,
// preview and redemption, over the product-key store. A redemption sets up a new customer's admin
// with the identity service's password hasher and makes its delegated-admin offer through
// d.Links. Keys are hashed under a key derived from LINK_KEY, which only the functions that hash
// a typed or new key hold (issue, preview, redeem).
func ProductKeys(d *api.Deps, st *store.Store, env admin.Env, cfg Config) error {
	svc := &admin.ProductKeyService{Env: env, Store: store.NewProductKeys(st), Passwords: d.Identity.Passwords, Links: d.Links}
	if cfg.LinkKey != "" {
		h, err := auth.NewProductKeyHasher(cfg.LinkKey)
		if err != nil {
			return fmt.Errorf("app: LINK_KEY: %w", err)
		}
		svc.Hasher = h
	}
	d.ProductKeys = svc
	return nil
}
