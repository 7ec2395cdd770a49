package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Audience is the aud claim of access tokens.
const Audience = "partner-admin-center"

// MFAAudience is the aud claim of the short token between the password step and the second
// factor of a sign-in: it opens nothing but POST /auth/sign-in/mfa.
const MFAAudience = "partner-admin-center/mfa"

// MFATTL is the lifetime of that token: time to open an authenticator app and type a code.
const MFATTL = 5 * time.Minute

// Claims are the claims of an access token. Roles are deliberately absent: authorization re-reads
// the user record on every request.
type Claims struct {
	OrgID   string `json:"org"`
	OrgKind string `json:"orgKind"`
	// Epoch is the user's session epoch when the token was issued; a password change raises it.
	Epoch int `json:"sep"`
	// SessionID names the sign-in session the token belongs to (absent in MFA tokens); ending the
	// session ends its access tokens at once.
	SessionID string `json:"sid,omitempty"`
	jwt.RegisteredClaims
}

// Issuer signs access tokens. Only the sign-in and change-password functions hold one.
type Issuer struct {
	Key    ed25519.PrivateKey
	Issuer string
	TTL    time.Duration
	Now    func() time.Time

	// Lazily (NewLazyIssuer): the key is derived from its seed on the first token. Deriving it
	// builds edwards25519's base-point table (about a millisecond), which a cold start should
	// not pay for requests that never sign (bad input, throttled or failed sign-ins).
	seed      []byte
	public    ed25519.PublicKey
	once      sync.Once
	deriveErr error
}

// NewLazyIssuer returns an Issuer whose key is derived from seed (32 bytes) on first use and
// checked then against public.
func NewLazyIssuer(seed []byte, public ed25519.PublicKey, issuer string, ttl time.Duration, now func() time.Time) (*Issuer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("auth: signing key must be a 32-byte Ed25519 seed")
	}
	return &Issuer{seed: seed, public: public, Issuer: issuer, TTL: ttl, Now: now}, nil
}

func (i *Issuer) key() (ed25519.PrivateKey, error) {
	i.once.Do(func() {
		if i.Key != nil {
			return
		}
		i.Key = ed25519.NewKeyFromSeed(i.seed)
		if !i.public.Equal(i.Key.Public()) {
			i.Key, i.deriveErr = nil, errors.New("auth: the signing key does not belong to the public key (TOKEN_SIGNING_KEY vs TOKEN_PUBLIC_KEY)")
		}
	})
	return i.Key, i.deriveErr
}

// Issue returns a signed access token of a session and its lifetime in seconds.
func (i *Issuer) Issue(userID, orgID, orgKind string, epoch int, sessionID string) (string, int, error) {
	return i.sign(userID, orgID, orgKind, epoch, sessionID, Audience, i.TTL)
}

// IssueMFA returns the token of a sign-in whose password was right and whose second factor is
// still to come, and its lifetime in seconds.
func (i *Issuer) IssueMFA(userID, orgID, orgKind string, epoch int) (string, int, error) {
	return i.sign(userID, orgID, orgKind, epoch, "", MFAAudience, MFATTL)
}

func (i *Issuer) sign(userID, orgID, orgKind string, epoch int, sessionID, aud string, ttl time.Duration) (string, int, error) {
	key, err := i.key()
	if err != nil {
		return "", 0, err
	}
	now := i.Now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", 0, fmt.Errorf("auth: token id: %w", err)
	}
	c := Claims{OrgID: orgID, OrgKind: orgKind, Epoch: epoch, SessionID: sessionID, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: i.Issuer, Subject: userID, Audience: jwt.ClaimStrings{aud},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)), ID: base64.RawURLEncoding.EncodeToString(jti),
	}}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(key)
	if err != nil {
		return "", 0, fmt.Errorf("auth: sign token: %w", err)
	}
	return tok, int(ttl.Seconds()), nil
}

// Verifier checks access tokens with the public key.
type Verifier struct {
	Key    ed25519.PublicKey
	Issuer string
	Now    func() time.Time
}

// ErrInvalidToken is returned for every token that does not verify; the reason is logged, not
// shown.
var ErrInvalidToken = errors.New("auth: invalid token")

// Verify parses and checks an access token: EdDSA only, signature, issuer, audience, expiry
// (required), not-before, and the presence of subject, org and session.
func (v *Verifier) Verify(token string) (Claims, error) {
	c, err := v.verify(token, Audience)
	if err == nil && c.SessionID == "" {
		return Claims{}, fmt.Errorf("%w: missing session", ErrInvalidToken)
	}
	return c, err
}

// VerifyMFA checks the token of a sign-in's second step as Verify checks access tokens; neither
// kind passes for the other.
func (v *Verifier) VerifyMFA(token string) (Claims, error) { return v.verify(token, MFAAudience) }

func (v *Verifier) verify(token, aud string) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.Key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(v.Issuer), jwt.WithAudience(aud), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithTimeFunc(v.Now), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Subject == "" || c.OrgID == "" || c.IssuedAt == nil {
		return Claims{}, fmt.Errorf("%w: missing claims", ErrInvalidToken)
	}
	return c, nil
}

// ParsePrivateKey decodes a base64 (standard) Ed25519 seed of 32 bytes.
func ParsePrivateKey(b64 string) (ed25519.PrivateKey, error) {
	seed, err := ParseSeed(b64)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParseSeed decodes a base64 (standard) Ed25519 seed of 32 bytes without deriving the key.
func ParseSeed(b64 string) ([]byte, error) {
	seed, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("auth: signing key must be the base64 of a 32-byte Ed25519 seed")
	}
	return seed, nil
}

// ParsePublicKey decodes a base64 (standard) Ed25519 public key of 32 bytes.
func ParsePublicKey(b64 string) (ed25519.PublicKey, error) {
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("auth: public key must be the base64 of a 32-byte Ed25519 key")
	}
	return ed25519.PublicKey(k), nil
}

// EncodeKeyPair returns the base64 forms (seed, public key) of a fresh key pair.
func EncodeKeyPair() (seed, public string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("auth: generate key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(priv.Seed()), base64.StdEncoding.EncodeToString(pub), nil
}
