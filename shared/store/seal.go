package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Sealed facts. An email may have to carry a secret — a customer user's temporary password —
// and the outbox keeps its emails in the table, where secrets are never stored in plaintext. Such
// facts go into the item's `sealed` map instead of `data`, each encrypted with AES-256-GCM under
// a key only the writing functions and the mailer hold, bound (as additional data) to the outbox
// id and the field name, so a sealed value cannot be moved to another item or field. The mailer
// opens them in memory to render the email; the transition that ends the item (sent or failed)
// removes the map, and nothing logs it. Stream images carry only the ciphertext.

// sealInfo separates the sealing key from the link codes' key it is derived from.
const (
	sealInfo    = "partner-admin-center/outbox/sealed-facts/v1"
	sealVersion = "v1."

	factorSealInfo = "partner-admin-center/mfa/totp-secrets/v1"
)

// Sealer seals and opens the secret facts of outbox items.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer derives the sealing key from a base64 (standard) master key of at least 32 random
// bytes — the deployment's link key (LINK_KEY) — with HKDF-SHA256 and a label of its own, so the
// sealing key is independent of the link codes' HMAC key.
func NewSealer(masterB64 string) (*Sealer, error) { return newSealer(masterB64, sealInfo) }

// NewFactorSealer derives, likewise under a label of its own, the key that seals the TOTP
// secrets of two-factor sign-in (mfa.go).
func NewFactorSealer(masterB64 string) (*Sealer, error) { return newSealer(masterB64, factorSealInfo) }

func newSealer(masterB64, info string) (*Sealer, error) {
	master, err := base64.StdEncoding.DecodeString(masterB64)
	if err != nil || len(master) < 32 {
		return nil, errors.New("store: the sealing master key must be the base64 of at least 32 random bytes")
	}
	k, err := hkdf.Key(sha256.New, master, nil, info, 32)
	if err != nil {
		return nil, fmt.Errorf("store: derive the sealing key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("store: sealing key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: sealing key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

func sealAAD(outboxID, field string) []byte { return []byte(outboxID + "\x00" + field) }

// seal returns "v1." + base64url(nonce ‖ ciphertext) of plain.
func (s *Sealer) seal(outboxID, field, plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("store: seal: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), sealAAD(outboxID, field))
	return sealVersion + base64.RawURLEncoding.EncodeToString(out), nil
}

func (s *Sealer) open(outboxID, field, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, sealVersion))
	if err != nil || !strings.HasPrefix(sealed, sealVersion) || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("store: sealed fact %s is malformed", field)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], sealAAD(outboxID, field))
	if err != nil {
		return "", fmt.Errorf("store: sealed fact %s does not open with this key", field)
	}
	return string(plain), nil
}

// sealFacts seals the secret facts of outbox item id.
func (s *Store) sealFacts(id string, secrets map[string]string) (map[string]string, error) {
	if s.Sealer == nil {
		return nil, fmt.Errorf("store: email %s carries a secret, and no sealing key is configured (LINK_KEY)", id)
	}
	out := make(map[string]string, len(secrets))
	for f, v := range secrets {
		sealed, err := s.Sealer.seal(id, f, v)
		if err != nil {
			return nil, err
		}
		out[f] = sealed
	}
	return out, nil
}

// Facts returns the data an outbox item is rendered from: its data with its sealed facts opened
// (in memory only). An item with sealed facts cannot be rendered without the sealer (nil).
func (it OutboxItem) Facts(s *Sealer) (map[string]string, error) {
	if len(it.Sealed) == 0 {
		return it.Data, nil
	}
	if s == nil {
		return nil, fmt.Errorf("store: outbox %s has sealed facts, and no sealing key is configured (LINK_KEY)", it.ID)
	}
	d := make(map[string]string, len(it.Data)+len(it.Sealed))
	for k, v := range it.Data {
		d[k] = v
	}
	for f, sealed := range it.Sealed {
		v, err := s.open(it.ID, f, sealed)
		if err != nil {
			return nil, err
		}
		d[f] = v
	}
	return d, nil
}
