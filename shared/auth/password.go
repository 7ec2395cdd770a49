// Package auth provides identity primitives: argon2id password hashing (PHC strings), random
// temporary passwords, and short-lived Ed25519-signed access tokens (JWT, EdDSA).
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. The defaults are OWASP's first recommended set
// (m=19 MiB, t=2, p=1): affordable in a 512 MB Lambda, expensive for an offline attacker.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is the production cost.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and verifies passwords with argon2id.
type Hasher struct {
	Params Argon2Params
	// dummy is a hash of a random password: verifying against it costs what a real verification
	// costs. Made on first need, not at init: most functions never verify a password, and a
	// cold start should not pay for an argon2 run.
	dummy     string
	dummyOnce sync.Once
}

// NewHasher returns a Hasher with the given cost.
func NewHasher(p Argon2Params) *Hasher { return &Hasher{Params: p} }

// Hash returns the PHC string of password: $argon2id$v=19$m=…,t=…,p=…$salt$key.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	p := h.Params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string. An empty or malformed hash is verified
// against a dummy hash so that the time taken does not tell whether the account exists.
func (h *Hasher) Verify(hash, password string) bool {
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		h.dummyOnce.Do(func() { h.dummy, _ = h.Hash(rand.Text()) })
		p, salt, key, _ = parsePHC(h.dummy)
		argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

func parsePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("auth: not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("auth: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("auth: parameters: %w", err)
	}
	if p.MemoryKiB == 0 || p.MemoryKiB > 1<<20 || p.Time == 0 || p.Time > 10 || p.Threads == 0 {
		return p, nil, nil, errors.New("auth: parameters out of range")
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, errors.New("auth: malformed salt or key")
	}
	return p, salt, key, nil
}

// Temporary returns a one-time password: 26 base32 characters from crypto/rand (≥128 bits) in
// groups, e.g. "K7QX-M2PA-…". It satisfies the password policy.
func (h *Hasher) Temporary() (string, error) {
	t := rand.Text()
	var b strings.Builder
	for i := 0; i < len(t); i += 5 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(t[i:min(i+5, len(t))])
	}
	return b.String(), nil
}
