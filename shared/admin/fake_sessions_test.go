package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The fakes of the session and second-factor stores, over the same memory.
type (
	fakeSessionStore struct{ *memory }
	fakeMFAStore     struct{ *memory }
)

var (
	_ SessionStore = fakeSessionStore{}
	_ MFAStore     = fakeMFAStore{}
)

func (f fakeSessionStore) OrgUser(_ context.Context, orgID, userID string) (User, error) {
	u, ok := f.users[orgID+"/"+userID]
	if !ok {
		return User{}, NotFound("user")
	}
	return u, nil
}

func (f fakeSessionStore) CreateSession(_ context.Context, s UserSession) error {
	f.writes = append(f.writes, "CreateSession")
	f.sessions[s.OrgID+"/"+s.UserID+"/"+s.ID] = s
	return nil
}

func (f fakeSessionStore) SessionWithUser(_ context.Context, orgID, userID, sessionID string) (UserSession, User, error) {
	s, ok := f.sessions[orgID+"/"+userID+"/"+sessionID]
	u, ok2 := f.users[orgID+"/"+userID]
	if !ok || !ok2 {
		return UserSession{}, User{}, NotFound("session")
	}
	return s, u, nil
}

func (f fakeSessionStore) SaveSession(_ context.Context, s UserSession, prev int, a *Activity) error {
	k := s.OrgID + "/" + s.UserID + "/" + s.ID
	if cur := f.sessions[k]; cur.Version != prev {
		return Errorf(CodeVersionConflict, "session changed")
	}
	f.writes = append(f.writes, "SaveSession")
	f.sessions[k] = s
	if a != nil {
		f.lastAct = *a
	}
	return nil
}

func (f fakeSessionStore) Sessions(_ context.Context, orgID, userID string) ([]UserSession, error) {
	var out []UserSession
	for k, s := range f.sessions {
		if strings.HasPrefix(k, orgID+"/"+userID+"/") {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f fakeSessionStore) SetSessionEpoch(_ context.Context, u User, prev int, a Activity) error {
	if cur := f.users[u.OrgID+"/"+u.ID]; cur.Version != prev {
		return Errorf(CodeVersionConflict, "user changed")
	}
	f.writes = append(f.writes, "SetSessionEpoch")
	f.put(u)
	f.lastAct = a
	return nil
}

func (f fakeMFAStore) SecondFactor(_ context.Context, orgID, userID string) (SecondFactor, User, error) {
	u, ok := f.users[orgID+"/"+userID]
	if !ok {
		return SecondFactor{}, User{}, NotFound("user")
	}
	fa, ok := f.factors[orgID+"/"+userID]
	if !ok {
		return SecondFactor{OrgID: orgID, UserID: userID}, u, nil
	}
	return fa, u, nil
}

func (f fakeMFAStore) SavePendingFactor(_ context.Context, fa SecondFactor, prev int) error {
	if f.factors[fa.OrgID+"/"+fa.UserID].Version != prev {
		return Errorf(CodeConcurrentRequest, "factor changed")
	}
	f.writes = append(f.writes, "SavePendingFactor")
	f.factors[fa.OrgID+"/"+fa.UserID] = fa
	return nil
}

func (f fakeMFAStore) SetFactor(_ context.Context, u User, prevUser int, fa SecondFactor, prev int, a Activity) error {
	if f.users[u.OrgID+"/"+u.ID].Version != prevUser {
		return Errorf(CodeVersionConflict, "user changed")
	}
	if f.factors[fa.OrgID+"/"+fa.UserID].Version != prev {
		return Errorf(CodeConcurrentRequest, "factor changed")
	}
	f.writes = append(f.writes, "SetFactor")
	f.put(u)
	if !fa.Active && !fa.Pending {
		delete(f.factors, fa.OrgID+"/"+fa.UserID)
	} else {
		f.factors[fa.OrgID+"/"+fa.UserID] = fa
	}
	f.lastAct = a
	return nil
}

func (f fakeMFAStore) UseTOTPStep(_ context.Context, orgID, userID string, step int64) error {
	fa, ok := f.factors[orgID+"/"+userID]
	if !ok || !fa.Active || fa.LastStep >= step {
		return InvalidMFACode("code")
	}
	f.writes = append(f.writes, "UseTOTPStep")
	fa.LastStep = step
	f.factors[orgID+"/"+userID] = fa
	return nil
}

func (f fakeMFAStore) UseRecoveryCode(_ context.Context, orgID, userID, hash string, a Activity) error {
	fa, ok := f.factors[orgID+"/"+userID]
	i := slices.Index(fa.RecoveryHashes, hash)
	if !ok || i < 0 {
		return InvalidMFACode("recoveryCode")
	}
	f.writes = append(f.writes, "UseRecoveryCode")
	fa.RecoveryHashes = slices.Delete(slices.Clone(fa.RecoveryHashes), i, i+1)
	f.factors[orgID+"/"+userID] = fa
	f.lastAct = a
	return nil
}

// fakeSecrets makes sequential secrets: token-1, token-2, …; a hash is "h:" + the secret.
type fakeSecrets struct{ n int }

func (s *fakeSecrets) NewToken() (string, error) {
	s.n++
	return fmt.Sprintf("token-%032d", s.n), nil
}
func (s *fakeSecrets) NewRecoveryCodes() ([]string, error) {
	out := make([]string, 10)
	for i := range out {
		s.n++
		out[i] = fmt.Sprintf("rc-%d", s.n)
	}
	return out, nil
}
func (s *fakeSecrets) Hash(v string) string             { return "h:" + v }
func (s *fakeSecrets) HashRecoveryCode(v string) string { return "rc:" + strings.ToLower(v) }

// fakeTOTP: the code of a secret at step n is the last six digits of n, so tests can name codes
// by step; the "secret" is ignored but must be non-empty.
type fakeTOTP struct{}

func (fakeTOTP) NewKey(account string) (string, string, string, error) {
	return "SECRET-" + account, "otpauth://totp/" + account, "data:image/png;base64,AA", nil
}
func (fakeTOTP) Match(secret, code string, now time.Time) (int64, bool) {
	step := now.Unix() / 30
	for _, s := range []int64{step, step - 1, step + 1} {
		if secret != "" && code == stepCode(s) {
			return s, true
		}
	}
	return 0, false
}

func stepCode(step int64) string { return fmt.Sprintf("%06d", step%1_000_000) }
