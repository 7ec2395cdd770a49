package admin

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Hand-written fakes of the links, acceptance and self-service store interfaces. Each keeps
// what it was asked to write, so a test can assert the exact effect of a rule, or that a refusal
// wrote nothing. Function fields, when set, replace a method's answer.

type fakeLinkStore struct {
	links     map[string]Link // key: partnerID/kind/id
	uses      map[string][]LinkUse
	customers map[string]bool // partnerID/customerID

	writes  []string
	created Link
	revoked Link
	emails  []Email
	acts    []Activity
	// createErr is returned by CreateLink when set (an idempotency conflict, say).
	createErr error
}

func newFakeLinkStore() *fakeLinkStore {
	return &fakeLinkStore{links: map[string]Link{}, uses: map[string][]LinkUse{}, customers: map[string]bool{}}
}

var _ LinkStore = (*fakeLinkStore)(nil)

func linkKey(pid string, kind LinkKind, id string) string { return pid + "/" + string(kind) + "/" + id }

func (f *fakeLinkStore) CreateLink(_ context.Context, l Link, a Activity, _ *Idempotency) error {
	f.writes = append(f.writes, "CreateLink")
	if f.createErr != nil {
		return f.createErr
	}
	f.links[linkKey(l.PartnerID, l.Kind, l.ID)] = l
	f.created, f.acts = l, append(f.acts, a)
	return nil
}

func (f *fakeLinkStore) Link(_ context.Context, pid string, kind LinkKind, id string) (Link, []LinkUse, error) {
	l, ok := f.links[linkKey(pid, kind, id)]
	if !ok {
		return Link{}, nil, NotFound("link")
	}
	return l, f.uses[l.ID], nil
}

func (f *fakeLinkStore) Links(_ context.Context, pid string, kind LinkKind, _ PageRequest) (Page[Link], error) {
	var out Page[Link]
	for k, l := range f.links {
		if strings.HasPrefix(k, pid+"/"+string(kind)+"/") {
			out.Items = append(out.Items, l)
		}
	}
	return out, nil
}

func (f *fakeLinkStore) RevokeLink(_ context.Context, l Link, a Activity) error {
	f.writes = append(f.writes, "RevokeLink")
	f.links[linkKey(l.PartnerID, l.Kind, l.ID)] = l
	f.revoked, f.acts = l, append(f.acts, a)
	return nil
}

func (f *fakeLinkStore) EmailLink(_ context.Context, l Link, emails []Email, a Activity) error {
	f.writes = append(f.writes, "EmailLink")
	f.emails, f.acts = append(f.emails, emails...), append(f.acts, a)
	return nil
}

func (f *fakeLinkStore) HasCustomer(_ context.Context, pid, cid string) (bool, error) {
	return f.customers[pid+"/"+cid], nil
}

// fakeCodes makes deterministic codes: the code of a nonce is its hex, made 26 base32-ish
// characters long; the hash is "h:" + code.
type fakeCodes struct{ n int }

func (c *fakeCodes) Nonce() ([]byte, error) {
	c.n++
	return []byte(fmt.Sprintf("nonce%011d", c.n)), nil
}
func (c *fakeCodes) Code(nonce []byte) (string, error) {
	s := strings.NewReplacer("0", "a", "1", "b", "8", "c", "9", "d").Replace(strings.ToLower(string(nonce)))
	return (s + strings.Repeat("q", 26))[:26], nil
}
func (c *fakeCodes) Hash(code string) string { return "h:" + code }

type fakeAcceptStore struct {
	byHash        map[string]Link
	partners      map[string]Partner
	relationships map[string]Relationship // customerID/partnerID
	guesses       int

	// accept, when set, answers Accept (after recording the write).
	accept  func(w AcceptWrite) error
	accepts []AcceptWrite
}

func newFakeAcceptStore() *fakeAcceptStore {
	return &fakeAcceptStore{byHash: map[string]Link{}, partners: map[string]Partner{}, relationships: map[string]Relationship{}}
}

var _ AcceptStore = (*fakeAcceptStore)(nil)

func (f *fakeAcceptStore) ResolveCode(_ context.Context, hash string) (Link, Partner, error) {
	l, ok := f.byHash[hash]
	if !ok {
		return Link{}, Partner{}, NotFound("link")
	}
	return l, f.partners[l.PartnerID], nil
}

func (f *fakeAcceptStore) CountInvalidCode(context.Context, string, time.Time, time.Duration) (int, error) {
	f.guesses++
	return f.guesses, nil
}

func (f *fakeAcceptStore) Accept(_ context.Context, w AcceptWrite) error {
	f.accepts = append(f.accepts, w)
	if f.accept != nil {
		return f.accept(w)
	}
	return nil
}

func (f *fakeAcceptStore) Relationship(_ context.Context, cid, pid string) (Relationship, error) {
	r, ok := f.relationships[cid+"/"+pid]
	if !ok {
		return Relationship{}, NotFound("relationship")
	}
	return r, nil
}

// fakeCredentials is the sign-in check of existing customer admins: logins by email, with the
// password "right-password".
type fakeCredentials struct{ logins map[string]Login }

func (c fakeCredentials) SignIn(_ context.Context, email, password string, kinds ...OrgKind) (Login, error) {
	l, ok := c.logins[email]
	if !ok || password != "right-password" || len(kinds) != 1 || kinds[0] != OrgCustomer || l.OrgKind != OrgCustomer {
		return Login{}, Errorf(CodeInvalidCredentials, "the email or password is wrong")
	}
	return l, nil
}

type fakeTenantStore struct {
	relationships map[string]Relationship // customerID/partnerID
	partners      map[string]Partner

	writes []string
	ended  Relationship
	prev   int
	acts   []Activity
	email  Email
	update TenantUpdate // directory_test.go
}

var _ TenantStore = (*fakeTenantStore)(nil)

func (f *fakeTenantStore) Subscriptions(context.Context, string, PageRequest) (Page[Subscription], error) {
	return Page[Subscription]{}, nil
}

func (f *fakeTenantStore) Relationships(_ context.Context, cid string, _ PageRequest) (Page[Relationship], error) {
	var out Page[Relationship]
	for k, r := range f.relationships {
		if strings.HasPrefix(k, cid+"/") {
			out.Items = append(out.Items, r)
		}
	}
	return out, nil
}

func (f *fakeTenantStore) RelationshipWithPartner(_ context.Context, cid, pid string) (Relationship, Partner, error) {
	r, ok := f.relationships[cid+"/"+pid]
	if !ok {
		return Relationship{}, Partner{}, NotFound("relationship")
	}
	return r, f.partners[pid], nil
}

func (f *fakeTenantStore) EndDelegatedAdmin(_ context.Context, r Relationship, prev int, acts []Activity, email Email) error {
	f.writes = append(f.writes, "EndDelegatedAdmin")
	f.ended, f.prev, f.acts, f.email = r, prev, acts, email
	return nil
}
