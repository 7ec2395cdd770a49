package auth

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// productKeyInfo separates the product keys' hashing key from the link key it is derived from
// (and from the outbox's sealing key, derived from the same link key with a label of its own).
const productKeyInfo = "partner-admin-center/product-keys/hash/v1"

// ProductKeyHasher is the keyed hash under which product keys are stored: HMAC-SHA256 of the
// canonical key with a key derived (HKDF-SHA256) from the deployment's link key. A copy of the
// table alone cannot confirm a guessed key.
type ProductKeyHasher struct {
	key []byte
}

// NewProductKeyHasher derives the hashing key from a base64 (standard) link key of at least 32
// bytes (LINK_KEY).
func NewProductKeyHasher(linkKeyB64 string) (*ProductKeyHasher, error) {
	master, err := base64.StdEncoding.DecodeString(linkKeyB64)
	if err != nil || len(master) < 32 {
		return nil, errors.New("auth: the link key must be the base64 of at least 32 random bytes")
	}
	k, err := hkdf.Key(sha256.New, master, nil, productKeyInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("auth: derive the product key hashing key: %w", err)
	}
	return &ProductKeyHasher{key: k}, nil
}

// Hash returns the hex HMAC-SHA256 of a canonical product key.
func (h *ProductKeyHasher) Hash(canonical string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(canonical))
	return hex.EncodeToString(m.Sum(nil))
}
