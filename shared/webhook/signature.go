// Package webhook is the HTTP side of webhooks (docs/architecture.md, "Webhooks"): the URL
// policy (https to public addresses only, checked at registration and again on every connection),
// the events' wire shape, their signature, and the request. It implements admin.WebhookSender.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of every webhook request. The signature header is "t=<unix seconds>,v1=<hex>",
// where v1 is HMAC-SHA256 with the endpoint's secret over "<t>.<body>" (the exact bytes of the
// body). A receiver recomputes it, compares in constant time, and rejects a timestamp more than
// Tolerance away from its clock (a replayed request); the event id is the same on every retry of
// an event, so a receiver also drops ids it has processed.
const (
	HeaderID        = "Pac-Webhook-Id"
	HeaderTimestamp = "Pac-Webhook-Timestamp"
	HeaderSignature = "Pac-Webhook-Signature"
	// Tolerance is the replay window receivers should apply to the timestamp.
	Tolerance = 5 * time.Minute
	// SecretPrefix starts every signing secret.
	SecretPrefix = "whsec_"
)

// NewSecret returns a signing secret: "whsec_" and 32 random bytes, base64url.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("webhook: secret: %w", err)
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Sign returns the signature header's value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("webhook: signature does not match")
	ErrStale        = errors.New("webhook: timestamp outside the tolerance (a replay?)")
	ErrMalformed    = errors.New("webhook: malformed signature header")
)

// Verify checks a signature header against body as a receiver does: one of its v1 values must be
// the HMAC of "<t>.<body>" under secret, and t within tolerance of now.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return ErrMalformed
		case k == "t":
			ts = v
		case k == "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	want := []byte(mac(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrBadSignature
}
