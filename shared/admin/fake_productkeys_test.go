package admin

import "context"

// fakeProductKeyStore is a hand-written fake of ProductKeyStore: keys by partner and hash,
// customers with their relationships, and the writes it was asked for.
type fakeProductKeyStore struct {
	partners  map[string]Partner
	keys      map[string]ProductKey // partnerID/hash
	customers map[string]Customer
	rels      map[string]Relationship // customerID/partnerID
	users     map[string][]User       // customerID

	writes   []string
	issued   []ProductKey
	redeemed []RedeemWrite
	revoked  []ProductKey
}

func newFakeProductKeyStore() *fakeProductKeyStore {
	return &fakeProductKeyStore{partners: map[string]Partner{}, keys: map[string]ProductKey{}, customers: map[string]Customer{},
		rels: map[string]Relationship{}, users: map[string][]User{}}
}

var _ ProductKeyStore = (*fakeProductKeyStore)(nil)

func (f *fakeProductKeyStore) Partner(_ context.Context, id string) (Partner, error) {
	p, ok := f.partners[id]
	if !ok {
		return Partner{}, NotFound("partner")
	}
	return p, nil
}

func (f *fakeProductKeyStore) IssueProductKeys(_ context.Context, keys []ProductKey, _ Activity, _ *Idempotency) error {
	f.writes = append(f.writes, "IssueProductKeys")
	f.issued = append(f.issued, keys...)
	for _, k := range keys {
		f.keys[k.PartnerID+"/"+k.Hash] = k
	}
	return nil
}

func (f *fakeProductKeyStore) ProductKeyByID(_ context.Context, id string) (ProductKey, error) {
	for _, k := range f.keys {
		if k.ID == id {
			return k, nil
		}
	}
	return ProductKey{}, NotFound("product key")
}

func (f *fakeProductKeyStore) RevokeProductKey(_ context.Context, k ProductKey, _ int, _ Activity) error {
	f.writes = append(f.writes, "RevokeProductKey")
	f.revoked = append(f.revoked, k)
	f.keys[k.PartnerID+"/"+k.Hash] = k
	return nil
}

func (f *fakeProductKeyStore) ProductKeys(_ context.Context, pid string, keep func(ProductKey) bool, _ PageRequest) (Page[ProductKey], error) {
	var out Page[ProductKey]
	for _, k := range f.keys {
		if k.PartnerID == pid && (keep == nil || keep(k)) {
			out.Items = append(out.Items, k)
		}
	}
	return out, nil
}

func (f *fakeProductKeyStore) RedemptionTarget(_ context.Context, pid, hash, cid string) (*ProductKey, *Customer, *Relationship, error) {
	var (
		k *ProductKey
		c *Customer
		r *Relationship
	)
	if v, ok := f.keys[pid+"/"+hash]; ok {
		k = &v
	}
	if v, ok := f.customers[cid]; ok {
		c = &v
	}
	if v, ok := f.rels[cid+"/"+pid]; ok {
		r = &v
	}
	return k, c, r, nil
}

func (f *fakeProductKeyStore) CustomerUsers(_ context.Context, cid string, _ PageRequest) (Page[User], error) {
	return Page[User]{Items: f.users[cid]}, nil
}

func (f *fakeProductKeyStore) Redeem(_ context.Context, w RedeemWrite) error {
	f.writes = append(f.writes, "Redeem")
	f.redeemed = append(f.redeemed, w)
	f.keys[w.Key.PartnerID+"/"+w.Key.Hash] = w.Key
	return nil
}

// fakeHasher "hashes" a key by prefixing it (the domain only compares hashes).
type fakeHasher struct{}

func (fakeHasher) Hash(canonical string) string { return "h:" + canonical }

func (f *fakeProductKeyStore) IdempotencyRecord(context.Context, Idempotency) (*IdempotencyConflict, error) {
	return nil, nil
}

func (f *fakeProductKeyStore) CustomerSubscription(_ context.Context, _, cid, _ string) (Customer, Relationship, *Subscription, error) {
	return f.customers[cid], Relationship{}, nil, nil
}
