package admin

import (
	"testing"
	"time"
)

// TestWebhookBackoff: 30 s doubling to an hour, and the 24-hour window holds a few dozen attempts.
func TestWebhookBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute,
		32 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := WebhookBackoff(i + 1); got != w {
			t.Errorf("WebhookBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if WebhookBackoff(0) != WebhookBackoffBase || WebhookBackoff(1000) != WebhookBackoffCap {
		t.Error("out-of-range attempt counts")
	}
	attempts, at := 1, time.Duration(0)
	for at+WebhookBackoff(attempts) < WebhookRetryWindow {
		at += WebhookBackoff(attempts)
		attempts++
	}
	if attempts < 20 || attempts > 40 {
		t.Errorf("%d attempts in the retry window", attempts+1)
	}
}

func TestSendResultOK(t *testing.T) {
	for _, c := range []struct {
		r    SendResult
		ok   bool
		text string
	}{
		{SendResult{StatusCode: 200}, true, ""},
		{SendResult{StatusCode: 299}, true, ""},
		{SendResult{StatusCode: 302}, false, "the endpoint answered HTTP 302"},
		{SendResult{StatusCode: 500}, false, "the endpoint answered HTTP 500"},
		{SendResult{Err: "timed out"}, false, "timed out"},
	} {
		if c.r.OK() != c.ok || c.r.problem() != c.text {
			t.Errorf("%+v: OK %v problem %q", c.r, c.r.OK(), c.r.problem())
		}
	}
}
