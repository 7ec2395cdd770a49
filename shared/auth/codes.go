package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// codeEncoding is lower-case base32 without padding: URL-safe, unambiguous to read aloud.
var codeEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// CodeLength is the length of a link code: 26 base32 characters carry 130 bits.
const CodeLength = 26

// LinkCodes makes the codes of customer-facing links. A code is HMAC-SHA256(key, nonce), where
// the nonce is 128 bits from crypto/rand stored with the link; the table keeps only the nonce
// and the code's SHA-256, so the server (holding the key) can put a link into an email again,
// while a copy of the table alone reveals no usable code.
type LinkCodes struct {
	Key []byte
}

// NewLinkCodes decodes a base64 (standard) key of at least 32 bytes.
func NewLinkCodes(b64 string) (*LinkCodes, error) {
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(k) < 32 {
		return nil, errors.New("auth: the link key must be the base64 of at least 32 random bytes")
	}
	return &LinkCodes{Key: k}, nil
}

// Nonce returns 16 bytes from crypto/rand.
func (c *LinkCodes) Nonce() ([]byte, error) {
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return nil, fmt.Errorf("auth: nonce: %w", err)
	}
	return n, nil
}

// Code returns the code of a nonce.
func (c *LinkCodes) Code(nonce []byte) (string, error) {
	if len(nonce) < 16 {
		return "", errors.New("auth: link nonce too short")
	}
	m := hmac.New(sha256.New, c.Key)
	m.Write(nonce)
	return codeEncoding.EncodeToString(m.Sum(nil))[:CodeLength], nil
}

// Hash returns the lookup hash of a code (hex SHA-256).
func (c *LinkCodes) Hash(code string) string { return HashCode(code) }

// HashCode is the lookup hash of a link code.
func HashCode(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}

// WellFormedCode reports whether s looks like a link code (cheap pre-check before any lookup).
func WellFormedCode(s string) bool {
	if len(s) != CodeLength {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// NewLinkKey returns a fresh base64 link key (32 bytes from crypto/rand).
func NewLinkKey() (string, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(k), nil
}

// HashOnlyCodes looks codes up without the link key: functions that only resolve codes (the
// link pages) never hold the key that makes them.
type HashOnlyCodes struct{}

var errNoLinkKey = errors.New("auth: this function holds no link key")

// Nonce is not available without the link key.
func (HashOnlyCodes) Nonce() ([]byte, error) { return nil, errNoLinkKey }

// Code is not available without the link key.
func (HashOnlyCodes) Code([]byte) (string, error) { return "", errNoLinkKey }

// Hash returns the lookup hash of a code.
func (HashOnlyCodes) Hash(code string) string { return HashCode(code) }
