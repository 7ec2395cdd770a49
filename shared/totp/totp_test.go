package totp

import (
	"strings"
	"testing"
	"time"
)

func TestTOTPMatchesItsStepAndNeighbours(t *testing.T) {
	tp := Authenticator{Issuer: "Partner Admin Center"}
	secret, url, qr, err := tp.NewKey("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 || !strings.HasPrefix(url, "otpauth://totp/Partner%20Admin%20Center:ada@example.com?") ||
		!strings.HasPrefix(qr, "data:image/png;base64,iVBOR") {
		t.Fatalf("key = %s %s %.40s", secret, url, qr)
	}
	now := time.Unix(1_800_000_015, 0) // step 60,000,000
	step := now.Unix() / 30
	for _, d := range []int64{-1, 0, 1} {
		code, _ := tp.Code(secret, time.Unix((step+d)*30, 0))
		got, ok := tp.Match(secret, code, now)
		if !ok || got != step+d {
			t.Errorf("code of step %+d: Match = %d, %v", d, got, ok)
		}
	}
	for _, d := range []int64{-2, 2} {
		code, _ := tp.Code(secret, time.Unix((step+d)*30, 0))
		if s, ok := tp.Match(secret, code, now); ok && s == step+d {
			t.Errorf("code of step %+d accepted", d)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := tp.Match(secret, bad, now); ok {
			t.Errorf("Match(%q) = true", bad)
		}
	}
}
