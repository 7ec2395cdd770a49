package admin

import (
	"context"
	"fmt"
	"time"
)

// memory is the in-memory state behind the hand-written fakes of the store interfaces
// (fakeIdentityStore, fakeCompanyStore, fakePartnerStore here; the link, accept and tenant fakes
// in fake_links_test.go). It records every write so a test can assert that nothing was written.
type memory struct {
	partners  map[string]Partner
	customers map[string]Customer
	users     map[string]User // key: orgID + "/" + userID
	logins    map[string]Login
	sessions  map[string]UserSession  // key: orgID + "/" + userID + "/" + sessionID
	factors   map[string]SecondFactor // key: orgID + "/" + userID

	writes []string // one entry per write call, e.g. "UpdateUser"

	lastUser   User
	lastDelta  int
	lastPrev   int
	lastAct    Activity
	createErr  error // returned by CreateUser / CreatePartner when set
	admitGuard SignInGuard
	admit      bool
}

func newMemory() *memory {
	return &memory{partners: map[string]Partner{}, customers: map[string]Customer{}, users: map[string]User{}, logins: map[string]Login{},
		sessions: map[string]UserSession{}, factors: map[string]SecondFactor{}, admit: true}
}

func (f *memory) put(u User) { f.users[u.OrgID+"/"+u.ID] = u }

// The fakes: one per store interface, each with exactly that interface's methods.
type (
	fakeIdentityStore struct{ *memory }
	fakeCompanyStore  struct{ *memory }
	fakePartnerStore  struct{ *memory }
)

var (
	_ IdentityStore = fakeIdentityStore{}
	_ CompanyStore  = fakeCompanyStore{}
	_ PartnerStore  = fakePartnerStore{}
)

func (f fakeIdentityStore) PartnerPrincipal(_ context.Context, partnerID, userID, sessionID string) (User, Partner, UserSession, error) {
	u, ok := f.users[partnerID+"/"+userID]
	p, ok2 := f.partners[partnerID]
	ses, ok3 := f.sessions[partnerID+"/"+userID+"/"+sessionID]
	if !ok || !ok2 || !ok3 {
		return User{}, Partner{}, UserSession{}, NotFound("user")
	}
	return u, p, ses, nil
}

// session stores a live session of u, begun now, and returns its id.
func (f *memory) session(u User) string {
	id := fmt.Sprintf("ses_%026d", len(f.sessions)+1)
	f.sessions[u.OrgID+"/"+u.ID+"/"+id] = UserSession{ID: id, OrgID: u.OrgID, OrgKind: u.OrgKind, UserID: u.ID, Epoch: u.SessionEpoch,
		CreatedAt: testNow, LastUsedAt: testNow, Version: 1}
	return id
}

func (f *memory) partner(_ context.Context, partnerID string) (Partner, error) {
	p, ok := f.partners[partnerID]
	if !ok {
		return Partner{}, NotFound("partner")
	}
	return p, nil
}

func (f fakeCompanyStore) User(_ context.Context, partnerID, userID string) (User, error) {
	u, ok := f.users[partnerID+"/"+userID]
	if !ok {
		return User{}, NotFound("user")
	}
	return u, nil
}

func (f fakeCompanyStore) Users(context.Context, string, PageRequest) (Page[User], error) {
	return Page[User]{}, nil
}

func (f fakeCompanyStore) Activity(context.Context, string, ActivityQuery) (Page[Activity], error) {
	return Page[Activity]{}, nil
}

func (f fakePartnerStore) CreatePartner(_ context.Context, p Partner, u User, l Login, a Activity, _ *Idempotency) error {
	f.writes = append(f.writes, "CreatePartner")
	if f.createErr != nil {
		return f.createErr
	}
	f.partners[p.ID] = p
	f.put(u)
	f.logins[l.Email] = l
	f.lastAct = a
	return nil
}

func (f *memory) updatePartner(_ context.Context, p Partner, prev int, a Activity) error {
	f.writes = append(f.writes, "UpdatePartner")
	f.partners[p.ID] = p
	f.lastPrev, f.lastAct = prev, a
	return nil
}

func (f fakeCompanyStore) CreateUser(_ context.Context, u User, l Login, a Activity, _ *Idempotency) error {
	f.writes = append(f.writes, "CreateUser")
	if f.createErr != nil {
		return f.createErr
	}
	f.put(u)
	f.logins[l.Email] = l
	f.lastUser, f.lastAct = u, a
	return nil
}

func (f fakeCompanyStore) UpdateUser(_ context.Context, u User, prev int, delta int, a Activity) error {
	f.writes = append(f.writes, "UpdateUser")
	f.put(u)
	f.lastUser, f.lastPrev, f.lastDelta, f.lastAct = u, prev, delta, a
	return nil
}

func (f fakeCompanyStore) DeleteUser(_ context.Context, u User, delta int, a Activity) error {
	f.writes = append(f.writes, "DeleteUser")
	delete(f.users, u.OrgID+"/"+u.ID)
	f.lastUser, f.lastDelta, f.lastAct = u, delta, a
	return nil
}

func (f fakeCompanyStore) SetPassword(ctx context.Context, u User, prev int, hash string, a Activity, next *UserSession) error {
	return fakeIdentityStore(f).SetPassword(ctx, u, prev, hash, a, next)
}

func (f fakeIdentityStore) SetPassword(_ context.Context, u User, prev int, hash string, a Activity, next *UserSession) error {
	f.writes = append(f.writes, "SetPassword")
	if next != nil {
		f.sessions[next.OrgID+"/"+next.UserID+"/"+next.ID] = *next
	}
	f.put(u)
	l := f.logins[u.Email]
	l.PasswordHash = hash
	f.logins[u.Email] = l
	f.lastUser, f.lastPrev, f.lastAct = u, prev, a
	return nil
}

func (f fakeIdentityStore) Login(_ context.Context, email string) (Login, error) {
	l, ok := f.logins[email]
	if !ok {
		return Login{}, NotFound("login")
	}
	return l, nil
}

func (f fakeIdentityStore) AdmitSignInAttempt(context.Context, string, time.Time, SignInPolicy) (SignInGuard, bool, error) {
	return f.admitGuard, f.admit, nil
}

func (f fakeIdentityStore) ClearSignInAttempts(context.Context, string, time.Time, SignInPolicy) error {
	f.writes = append(f.writes, "ClearSignInAttempts")
	return nil
}

func (f fakePartnerStore) Partner(ctx context.Context, id string) (Partner, error) {
	return f.partner(ctx, id)
}
func (f fakePartnerStore) UpdatePartner(ctx context.Context, p Partner, prev int, a Activity) error {
	return f.updatePartner(ctx, p, prev, a)
}
func (f fakeCompanyStore) UpdatePartner(ctx context.Context, p Partner, prev int, a Activity) error {
	return f.updatePartner(ctx, p, prev, a)
}

func (f fakeIdentityStore) CustomerPrincipal(_ context.Context, customerID, userID, sessionID string) (User, Customer, UserSession, error) {
	u, ok := f.users[customerID+"/"+userID]
	c, ok2 := f.customers[customerID]
	ses, ok3 := f.sessions[customerID+"/"+userID+"/"+sessionID]
	if !ok || !ok2 || !ok3 {
		return User{}, Customer{}, UserSession{}, NotFound("user")
	}
	return u, c, ses, nil
}

// fakePasswords is a trivial Passwords: the "hash" is "h:" + password.
type fakePasswords struct{ verified []string }

func (p *fakePasswords) Hash(pw string) (string, error) { return "h:" + pw, nil }
func (p *fakePasswords) Verify(hash, pw string) bool {
	p.verified = append(p.verified, hash)
	return hash != "" && hash == "h:"+pw
}
func (p *fakePasswords) Temporary() (string, error) { return "TEMPO-RARYP-ASSWO-RD234-56723-A", nil }

var testNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// testEnv is a fixed clock and sequential ids.
func testEnv() Env {
	n := 0
	return Env{Now: func() time.Time { return testNow }, NewID: func(prefix string) string { n++; return fmt.Sprintf("%s_%026d", prefix, n) }}
}

// services are the identity, company and partner services over one memory, for the tests of
// their rules.
type services struct {
	*IdentityService
	*CompanyService
	*PartnerService
	*SessionService
	*TwoFactorService
}

// newTestService returns the services over a fresh memory with a fixed clock and sequential ids.
func newTestService() (*services, *memory) {
	st := newMemory()
	env, pw := testEnv(), &fakePasswords{}
	return &services{
		IdentityService:  &IdentityService{Env: env, Store: fakeIdentityStore{st}, Passwords: pw},
		SessionService:   &SessionService{Env: env, Store: fakeSessionStore{st}, Secrets: &fakeSecrets{}},
		TwoFactorService: &TwoFactorService{Env: env, Store: fakeMFAStore{st}, Attempts: fakeIdentityStore{st}, Secrets: &fakeSecrets{}, TOTP: fakeTOTP{}},
		CompanyService:   &CompanyService{Env: env, Store: fakeCompanyStore{st}, Passwords: pw},
		PartnerService:   &PartnerService{Env: env, Store: fakePartnerStore{st}, Passwords: pw},
	}, st
}
