package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testIssuer = "https://pac.example/test"

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newKeys(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// claimsAt returns valid claims issued at now.
func claimsAt(now time.Time) Claims {
	return Claims{OrgID: "ptn_1", OrgKind: "partner", Epoch: 2, SessionID: "ses_1", RegisteredClaims: jwt.RegisteredClaims{
		Issuer: testIssuer, Subject: "usr_1", Audience: jwt.ClaimStrings{Audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
	}}
}

func sign(t *testing.T, priv ed25519.PrivateKey, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueVerify(t *testing.T) {
	pub, priv := newKeys(t)
	iss := &Issuer{Key: priv, Issuer: testIssuer, TTL: 15 * time.Minute, Now: fixedClock(t0)}
	tok, ttl, err := iss.Issue("usr_1", "ptn_1", "partner", 4, "ses_1")
	if err != nil {
		t.Fatal(err)
	}
	if ttl != 900 {
		t.Errorf("ttl = %d, want 900", ttl)
	}
	v := &Verifier{Key: pub, Issuer: testIssuer, Now: fixedClock(t0.Add(time.Minute))}
	c, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify = %v, want nil", err)
	}
	if c.Subject != "usr_1" || c.OrgID != "ptn_1" || c.OrgKind != "partner" || c.Epoch != 4 || c.Issuer != testIssuer || c.ID == "" {
		t.Errorf("claims = %+v", c)
	}
	if !c.ExpiresAt.Equal(t0.Add(15*time.Minute)) || !c.IssuedAt.Equal(t0) {
		t.Errorf("exp = %v, iat = %v; want %v, %v", c.ExpiresAt, c.IssuedAt, t0.Add(15*time.Minute), t0)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if !strings.Contains(string(hdr), `"alg":"EdDSA"`) {
		t.Errorf("header = %s, want alg EdDSA", hdr)
	}
	tok2, _, _ := iss.Issue("usr_1", "ptn_1", "partner", 4, "ses_1")
	c2, _ := v.Verify(tok2)
	if c2.ID == c.ID {
		t.Errorf("two tokens share jti %q", c.ID)
	}
}

func TestVerifyRejects(t *testing.T) {
	pub, priv := newKeys(t)
	_, otherPriv := newKeys(t)
	v := &Verifier{Key: pub, Issuer: testIssuer, Now: fixedClock(t0)}
	valid := claimsAt(t0)

	mod := func(f func(c *Claims)) Claims {
		c := claimsAt(t0)
		f(&c)
		return c
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	payload := func(c Claims) string {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	good := sign(t, priv, valid)
	gp := strings.Split(good, ".")

	hs256PubKey, err := jwt.NewWithClaims(jwt.SigningMethodHS256, valid).SignedString([]byte(pub))
	if err != nil {
		t.Fatal(err)
	}
	hs256B64Key, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, valid).SignedString([]byte(base64.StdEncoding.EncodeToString(pub)))
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, valid).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		tok  string
	}{
		{"empty", ""},
		{"garbage", "not.a.token"},
		{"two parts", gp[0] + "." + gp[1]},
		{"expired beyond leeway", sign(t, priv, mod(func(c *Claims) {
			c.IssuedAt, c.NotBefore = jwt.NewNumericDate(t0.Add(-20*time.Minute)), jwt.NewNumericDate(t0.Add(-20*time.Minute))
			c.ExpiresAt = jwt.NewNumericDate(t0.Add(-6 * time.Second))
		}))},
		{"not yet valid beyond leeway", sign(t, priv, mod(func(c *Claims) { c.NotBefore = jwt.NewNumericDate(t0.Add(10 * time.Second)) }))},
		{"issued in the future beyond leeway", sign(t, priv, mod(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(t0.Add(10 * time.Second)) }))},
		{"missing exp", sign(t, priv, mod(func(c *Claims) { c.ExpiresAt = nil }))},
		{"missing iat", sign(t, priv, mod(func(c *Claims) { c.IssuedAt = nil }))},
		{"missing sub", sign(t, priv, mod(func(c *Claims) { c.Subject = "" }))},
		{"missing org", sign(t, priv, mod(func(c *Claims) { c.OrgID = "" }))},
		{"wrong issuer", sign(t, priv, mod(func(c *Claims) { c.Issuer = "https://evil.example" }))},
		{"missing issuer", sign(t, priv, mod(func(c *Claims) { c.Issuer = "" }))},
		{"wrong audience", sign(t, priv, mod(func(c *Claims) { c.Audience = jwt.ClaimStrings{"another-app"} }))},
		{"missing audience", sign(t, priv, mod(func(c *Claims) { c.Audience = nil }))},
		{"signed by another key", sign(t, otherPriv, valid)},
		{"alg none", none},
		{"alg none, empty signature, forged header", b64(`{"alg":"none","typ":"JWT"}`) + "." + gp[1] + "."},
		{"alg none, original signature kept", b64(`{"alg":"none","typ":"JWT"}`) + "." + gp[1] + "." + gp[2]},
		{"HS256 with the public key bytes as secret", hs256PubKey},
		{"HS256 with the base64 public key as secret", hs256B64Key},
		{"tampered payload", gp[0] + "." + payload(mod(func(c *Claims) { c.OrgID = "ptn_2" })) + "." + gp[2]},
		{"tampered epoch", gp[0] + "." + payload(mod(func(c *Claims) { c.Epoch = 99 })) + "." + gp[2]},
		{"tampered signature", gp[0] + "." + gp[1] + "." + strings.Repeat("A", len(gp[2]))},
		{"missing signature", gp[0] + "." + gp[1] + "."},
		{"extra segment", good + ".x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(tt.tok)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify = (%+v, %v), want ErrInvalidToken", c, err)
			}
			if c.Subject != "" || c.OrgID != "" || c.ExpiresAt != nil {
				t.Errorf("claims = %+v alongside the error, want zero", c)
			}
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	pub, priv := newKeys(t)
	iss := &Issuer{Key: priv, Issuer: testIssuer, TTL: time.Minute, Now: fixedClock(t0)}
	tok, _, err := iss.Issue("usr_1", "ptn_1", "partner", 0, "ses_1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"at issue", t0, true},
		{"verifier clock 4s behind (nbf/iat leeway)", t0.Add(-4 * time.Second), true},
		{"verifier clock 10s behind", t0.Add(-10 * time.Second), false},
		{"just before exp", t0.Add(time.Minute - time.Second), true},
		{"3s after exp (leeway)", t0.Add(time.Minute + 3*time.Second), true},
		{"6s after exp", t0.Add(time.Minute + 6*time.Second), false},
		{"an hour later", t0.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&Verifier{Key: pub, Issuer: testIssuer, Now: fixedClock(tt.now)}).Verify(tok)
			if got := err == nil; got != tt.ok {
				t.Errorf("Verify at %v: err = %v, want ok=%v", tt.now.Sub(t0), err, tt.ok)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	seed, public, err := EncodeKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKey(seed)
	if err != nil {
		t.Fatalf("ParsePrivateKey = %v", err)
	}
	pub, err := ParsePublicKey(public)
	if err != nil {
		t.Fatalf("ParsePublicKey = %v", err)
	}
	if !pub.Equal(priv.Public()) {
		t.Errorf("the parsed public key does not belong to the parsed private key")
	}
	// Round trip through a token.
	tok, _, err := (&Issuer{Key: priv, Issuer: testIssuer, TTL: time.Minute, Now: fixedClock(t0)}).Issue("usr_1", "ptn_1", "partner", 0, "ses_1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Verifier{Key: pub, Issuer: testIssuer, Now: fixedClock(t0)}).Verify(tok); err != nil {
		t.Errorf("Verify with the encoded pair = %v", err)
	}
	seed2, public2, _ := EncodeKeyPair()
	if seed2 == seed || public2 == public {
		t.Errorf("EncodeKeyPair returned the same pair twice")
	}

	std := base64.StdEncoding.EncodeToString
	raw := make([]byte, 32)
	bad := []struct {
		name, in string
	}{
		{"empty", ""},
		{"not base64", "!!!!"},
		{"31 bytes", std(raw[:31])},
		{"33 bytes", std(append(raw, 0))},
		{"64-byte private key instead of seed", std(priv)},
		{"url alphabet", strings.NewReplacer("+", "-", "/", "_").Replace(seed) + "-_"},
		{"unpadded", strings.TrimRight(std(raw[:31]), "=")},
		{"whitespace", " " + seed},
	}
	for _, tt := range bad {
		t.Run("private/"+tt.name, func(t *testing.T) {
			if k, err := ParsePrivateKey(tt.in); err == nil {
				t.Errorf("ParsePrivateKey(%q) = %x, nil; want an error", tt.in, k)
			}
		})
		t.Run("public/"+tt.name, func(t *testing.T) {
			if k, err := ParsePublicKey(tt.in); err == nil {
				t.Errorf("ParsePublicKey(%q) = %x, nil; want an error", tt.in, k)
			}
		})
	}
}

func TestLazyIssuer(t *testing.T) {
	seedB64, pubB64, err := EncodeKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := ParseSeed(seedB64)
	pub, _ := ParsePublicKey(pubB64)
	now := fixedClock(time.Unix(1_800_000_000, 0))
	iss, err := NewLazyIssuer(seed, pub, testIssuer, time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := iss.Issue("usr_1", "ptn_1", "partner", 0, "ses_1")
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if _, err := (&Verifier{Key: pub, Issuer: testIssuer, Now: now}).Verify(tok); err != nil {
		t.Fatalf("verify: %v", err)
	}
	_, otherPubB64, _ := EncodeKeyPair()
	otherPub, _ := ParsePublicKey(otherPubB64)
	bad, _ := NewLazyIssuer(seed, otherPub, testIssuer, time.Minute, now)
	if _, _, err := bad.Issue("usr_1", "ptn_1", "partner", 0, "ses_1"); err == nil {
		t.Fatal("a signing key that does not belong to the public key must not sign")
	}
	if _, err := NewLazyIssuer(seed[:31], pub, testIssuer, time.Minute, now); err == nil {
		t.Fatal("a short seed must be refused at init")
	}
}
