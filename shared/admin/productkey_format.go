package admin

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
)

// A product key is 25 characters in five groups of five (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX): 24
// random characters and a check character, from an alphabet of 29 characters without the ones
// readers confuse with another of the set (no 0/O, 1/I, 2/Z, 5/S, 8/B). 24 characters of 29
// carry 116 bits from crypto/rand.
//
// The check character makes Σ (i+1)·v(cᵢ) ≡ 0 (mod 29) over the 25 positions i = 0…24, v(c)
// being a character's index in the alphabet. 29 is prime and every weight 1…25 is non-zero
// mod 29, so a single substituted character changes the sum by w·d ≢ 0 and two swapped
// neighbours change it by ±(a−b) ≢ 0: every single-character substitution and every adjacent
// transposition is caught by ParseProductKey, before any lookup.
const (
	ProductKeyAlphabet = "23456789ACDEFGHJKLMNPQRTUVWXY"
	productKeyRadix    = len(ProductKeyAlphabet) // 29, prime
	ProductKeyLength   = 25                      // characters without the dashes
	productKeyGroup    = 5
)

// productKeyValue is a character's index in the alphabet, or -1.
func productKeyValue(c byte) int { return strings.IndexByte(ProductKeyAlphabet, c) }

// checkValue returns the value of the check character for 24 data values.
func checkValue(data []int) int {
	sum := 0
	for i, v := range data {
		sum += (i + 1) * v
	}
	// 25·x ≡ −sum (mod 29); 25⁻¹ ≡ 7 (mod 29), since 25·7 = 175 = 6·29 + 1.
	return ((productKeyRadix - sum%productKeyRadix) * 7) % productKeyRadix
}

// NewProductKey returns a fresh product key in its display form (with dashes), from crypto/rand.
func NewProductKey() (string, error) { return ProductKeyFrom(rand.Reader) }

// ProductKeyFrom returns a product key in its display form drawn from the bytes of r.
func ProductKeyFrom(r io.Reader) (string, error) {
	data := make([]int, 0, ProductKeyLength-1)
	buf := make([]byte, 32)
	for len(data) < ProductKeyLength-1 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("admin: product key: %w", err)
		}
		for _, b := range buf {
			// Rejection sampling: 232 = 8·29, so b % 29 is uniform for b < 232.
			if int(b) < 256-256%productKeyRadix && len(data) < ProductKeyLength-1 {
				data = append(data, int(b)%productKeyRadix)
			}
		}
	}
	return productKeyOf(data), nil
}

// productKeyOf is the display form of 24 data values with their check character.
func productKeyOf(data []int) string {
	var b strings.Builder
	for i, v := range append(data, checkValue(data)) {
		if i > 0 && i%productKeyGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(ProductKeyAlphabet[v])
	}
	return b.String()
}

// ParseProductKey returns the canonical form of a key as typed (25 characters, upper case, no
// dashes or spaces), or false when it is not a well-formed key: wrong length, a character
// outside the alphabet, or a check character that does not match (a typo).
func ParseProductKey(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
		case r < 128 && productKeyValue(byte(r)) >= 0 && b.Len() < ProductKeyLength:
			b.WriteByte(byte(r))
		default:
			return "", false
		}
	}
	k := b.String()
	if len(k) != ProductKeyLength {
		return "", false
	}
	sum := 0
	for i := range len(k) {
		sum += (i + 1) * productKeyValue(k[i])
	}
	return k, sum%productKeyRadix == 0
}

// FormatProductKey is the display form of a canonical key.
func FormatProductKey(canonical string) string {
	var b strings.Builder
	for i := range len(canonical) {
		if i > 0 && i%productKeyGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(canonical[i])
	}
	return b.String()
}

// lastGroup is the last group of a canonical key: what the inventory shows of it.
func lastGroup(canonical string) string { return canonical[len(canonical)-productKeyGroup:] }
