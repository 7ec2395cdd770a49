package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Secrets makes the random secrets of sessions and second factors and their stored hashes
// (admin.Secrets). Every secret carries at least 80 random bits, so one SHA-256 is a sufficient
// stored form: unlike passwords, nothing about them can be guessed faster than by brute force.
type Secrets struct{}

// NewToken returns 256 bits from crypto/rand, base64url without padding (43 characters).
func (Secrets) NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// RecoveryCodeCount is how many recovery codes a user gets at a time.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns ten recovery codes, each 80 random bits written as four groups of four
// lower-case base32 characters (e.g. "k3m7-q2xa-9pfr-b4td" without the digits 0, 1, 8 and 9 that
// base32 does not use).
func (Secrets) NewRecoveryCodes() ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("auth: recovery code: %w", err)
		}
		s := codeEncoding.EncodeToString(b) // 16 characters
		codes[i] = s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	}
	return codes, nil
}

// Hash returns the stored form of a secret: hex SHA-256.
func (Secrets) Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// HashRecoveryCode returns the stored form of a recovery code as a user may type it: case,
// spaces and dashes do not matter.
func (s Secrets) HashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, code)
	return s.Hash("recovery:" + norm)
}
