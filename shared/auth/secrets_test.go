package auth

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMFATokenIsNoAccessToken(t *testing.T) {
	pub, priv := newKeys(t)
	iss := &Issuer{Key: priv, Issuer: testIssuer, TTL: 15 * time.Minute, Now: fixedClock(t0)}
	v := &Verifier{Key: pub, Issuer: testIssuer, Now: fixedClock(t0.Add(time.Minute))}
	mfa, ttl, err := iss.IssueMFA("usr_1", "ptn_1", "partner", 3)
	if err != nil || ttl != int(MFATTL.Seconds()) {
		t.Fatalf("IssueMFA = %d, %v", ttl, err)
	}
	if _, err := v.Verify(mfa); err == nil {
		t.Error("an MFA token passed as an access token")
	}
	c, err := v.VerifyMFA(mfa)
	if err != nil || c.Subject != "usr_1" || c.Epoch != 3 || c.SessionID != "" {
		t.Errorf("VerifyMFA = %+v, %v", c, err)
	}
	access, _, _ := iss.Issue("usr_1", "ptn_1", "partner", 3, "ses_1")
	if _, err := v.VerifyMFA(access); err == nil {
		t.Error("an access token passed as an MFA token")
	}
	late := &Verifier{Key: pub, Issuer: testIssuer, Now: fixedClock(t0.Add(MFATTL + time.Minute))}
	if _, err := late.VerifyMFA(mfa); err == nil {
		t.Error("an MFA token passed after its lifetime")
	}
	// An access token without a session (as issued before sessions existed) is refused.
	old := claimsAt(t0)
	old.SessionID = ""
	if _, err := v.Verify(sign(t, priv, old)); err == nil {
		t.Error("an access token without a session passed")
	}
}

func TestRecoveryCodes(t *testing.T) {
	var s Secrets
	codes, err := s.NewRecoveryCodes()
	if err != nil || len(codes) != RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes = %v, %v", codes, err)
	}
	shape := regexp.MustCompile(`^[a-z2-7]{4}(-[a-z2-7]{4}){3}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !shape.MatchString(c) || seen[c] {
			t.Errorf("code %q: wrong shape or repeated", c)
		}
		seen[c] = true
	}
	c := codes[0]
	typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
	if s.HashRecoveryCode(typed) != s.HashRecoveryCode(c) || s.HashRecoveryCode(codes[1]) == s.HashRecoveryCode(c) {
		t.Error("a recovery code's hash depends on case and separators, or two codes hash alike")
	}
	tok, _ := s.NewToken()
	tok2, _ := s.NewToken()
	if len(tok) != 43 || tok == tok2 || s.Hash(tok) == s.Hash(tok2) || len(s.Hash(tok)) != 64 {
		t.Errorf("tokens %q %q", tok, tok2)
	}
}
