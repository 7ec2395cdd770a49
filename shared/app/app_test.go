package app

import (
	"strings"
	"testing"
	"time"
)

// TestTokenTTLFromEnv: ACCESS_TOKEN_TTL sets the access tokens' lifetime within its bounds; a
// value outside them, or not whole seconds, is an init error rather than a silent default.
func TestTokenTTLFromEnv(t *testing.T) {
	t.Setenv("TABLE_NAME", "t")
	t.Setenv("TOKEN_ISSUER", "i")
	t.Setenv("TOKEN_PUBLIC_KEY", "k")
	for v, want := range map[string]time.Duration{"": TokenTTL, "20": 20 * time.Second, "15": MinTokenTTL, "3600": MaxTokenTTL} {
		t.Setenv("ACCESS_TOKEN_TTL", v)
		c, err := FromEnv()
		if err != nil || c.TokenTTL != want {
			t.Errorf("ACCESS_TOKEN_TTL=%q: %v, %v; want %v", v, c.TokenTTL, err, want)
		}
	}
	for _, v := range []string{"14", "3601", "1m", "-5", "9.5"} {
		t.Setenv("ACCESS_TOKEN_TTL", v)
		if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "ACCESS_TOKEN_TTL") {
			t.Errorf("ACCESS_TOKEN_TTL=%q: err %v, want one naming the variable", v, err)
		}
	}
}
