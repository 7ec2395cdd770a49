package admin

import (
	"context"
	"fmt"
	"time"
)

// fakeStore is an in-memory Store for unit tests of the domain rules. It records every write so a
// test can assert that nothing was written. Methods a test does not expect panic via fail.
type fakeStore struct {
	partners map[string]Partner
	users    map[string]User // key: partnerID + "/" + userID
	logins   map[string]Login

	writes []string // one entry per write call, e.g. "UpdateUser"

	lastUser   User
	lastDelta  int
	lastPrev   int
	lastAct    Activity
	createErr  error // returned by CreateUser / CreatePartner when set
	admitGuard SignInGuard
	admit      bool
}

func newFakeStore() *fakeStore {
	return &fakeStore{partners: map[string]Partner{}, users: map[string]User{}, logins: map[string]Login{}, admit: true}
}

func (f *fakeStore) put(u User) { f.users[u.OrgID+"/"+u.ID] = u }

func (f *fakeStore) UserWithPartner(_ context.Context, partnerID, userID string) (User, Partner, error) {
	u, ok := f.users[partnerID+"/"+userID]
	p, ok2 := f.partners[partnerID]
	if !ok || !ok2 {
		return User{}, Partner{}, NotFound("user")
	}
	return u, p, nil
}

func (f *fakeStore) Partner(_ context.Context, partnerID string) (Partner, error) {
	p, ok := f.partners[partnerID]
	if !ok {
		return Partner{}, NotFound("partner")
	}
	return p, nil
}

func (f *fakeStore) User(_ context.Context, partnerID, userID string) (User, error) {
	u, ok := f.users[partnerID+"/"+userID]
	if !ok {
		return User{}, NotFound("user")
	}
	return u, nil
}

func (f *fakeStore) Users(context.Context, string, PageRequest) (Page[User], error) {
	return Page[User]{}, nil
}

func (f *fakeStore) Activity(context.Context, string, ActivityQuery) (Page[Activity], error) {
	return Page[Activity]{}, nil
}

func (f *fakeStore) CreatePartner(_ context.Context, p Partner, u User, l Login, a Activity, _ *Idempotency) error {
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

func (f *fakeStore) UpdatePartner(_ context.Context, p Partner, prev int, a Activity) error {
	f.writes = append(f.writes, "UpdatePartner")
	f.partners[p.ID] = p
	f.lastPrev, f.lastAct = prev, a
	return nil
}

func (f *fakeStore) CreateUser(_ context.Context, u User, l Login, a Activity, _ *Idempotency) error {
	f.writes = append(f.writes, "CreateUser")
	if f.createErr != nil {
		return f.createErr
	}
	f.put(u)
	f.logins[l.Email] = l
	f.lastUser, f.lastAct = u, a
	return nil
}

func (f *fakeStore) UpdateUser(_ context.Context, u User, prev int, delta int, a Activity) error {
	f.writes = append(f.writes, "UpdateUser")
	f.put(u)
	f.lastUser, f.lastPrev, f.lastDelta, f.lastAct = u, prev, delta, a
	return nil
}

func (f *fakeStore) DeleteUser(_ context.Context, u User, delta int, a Activity) error {
	f.writes = append(f.writes, "DeleteUser")
	delete(f.users, u.OrgID+"/"+u.ID)
	f.lastUser, f.lastDelta, f.lastAct = u, delta, a
	return nil
}

func (f *fakeStore) SetPassword(_ context.Context, u User, prev int, hash string, a Activity) error {
	f.writes = append(f.writes, "SetPassword")
	f.put(u)
	l := f.logins[u.Email]
	l.PasswordHash = hash
	f.logins[u.Email] = l
	f.lastUser, f.lastPrev, f.lastAct = u, prev, a
	return nil
}

func (f *fakeStore) Login(_ context.Context, email string) (Login, error) {
	l, ok := f.logins[email]
	if !ok {
		return Login{}, NotFound("login")
	}
	return l, nil
}

func (f *fakeStore) AdmitSignInAttempt(context.Context, string, time.Time, SignInPolicy) (SignInGuard, bool, error) {
	return f.admitGuard, f.admit, nil
}

func (f *fakeStore) ClearSignInAttempts(context.Context, string, time.Time, SignInPolicy) error {
	f.writes = append(f.writes, "ClearSignInAttempts")
	return nil
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

// newTestService returns a Service over a fresh fake store with a fixed clock and sequential ids.
func newTestService() (*Service, *fakeStore) {
	st := newFakeStore()
	n := 0
	return &Service{Store: st, Passwords: &fakePasswords{}, Now: func() time.Time { return testNow },
		NewID: func(prefix string) string { n++; return fmt.Sprintf("%s_%026d", prefix, n) }}, st
}
