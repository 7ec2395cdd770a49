// Package totp provides RFC 6238 time-based one-time passwords for two-factor sign-in, with the
// QR code an authenticator app scans. It is its own package so that only the functions that
// enrol users or check their codes link the QR and PNG encoders.
package totp

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"

	potp "github.com/pquerna/otp/totp"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Issuer is the label authenticator apps show above a user's account.
const Issuer = "Partner Admin Center"

// Wire gives two-factor sign-in its authenticator: the functions that check codes call it after
// app.MustDeps (the others never import this package, and so never link the QR and PNG
// encoders — the link pages' binaries stay under their size cap).
func Wire(tf *admin.TwoFactorService) { tf.TOTP = Authenticator{Issuer: Issuer} }

// Authenticator is RFC 6238 time-based one-time passwords with the parameters every
// authenticator app supports: HMAC-SHA-1, 6 digits, 30-second steps, a 160-bit secret
// (admin.Authenticator). A code is accepted in the step of the server's clock and the one before
// and after it (±30 s of clock drift).
type Authenticator struct {
	// Issuer is the label an authenticator app shows above the account.
	Issuer string
}

var totpOpts = potp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewKey makes a secret for account (the user's email) in the forms an enrolment shows: the
// base32 secret, the otpauth:// URL and that URL as a QR code (a data: URL of a PNG).
func (t Authenticator) NewKey(account string) (secret, url, qrCode string, err error) {
	k, err := potp.Generate(potp.GenerateOpts{Issuer: t.Issuer, AccountName: account, Period: 30,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", "", fmt.Errorf("totp: key: %w", err)
	}
	img, err := k.Image(240, 240)
	if err != nil {
		return "", "", "", fmt.Errorf("totp: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", "", fmt.Errorf("totp: qr code: %w", err)
	}
	return k.Secret(), k.URL(), "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Match reports whether code is the secret's code of the step at now or of a neighbouring step,
// and which step (Unix time / 30) it was, so the caller can refuse the step's code a second time.
func (Authenticator) Match(secret, code string, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / 30
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := potp.GenerateCodeCustom(secret, time.Unix(s*30, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// Code returns the code of secret at t: for tests and the local runtime's demo helper.
func (Authenticator) Code(secret string, t time.Time) (string, error) {
	return potp.GenerateCodeCustom(secret, t, totpOpts)
}
