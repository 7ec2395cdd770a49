package admin

import (
	"testing"
	"time"
)

func TestSignInPolicyWait(t *testing.T) {
	p := DefaultSignInPolicy // window 15m, 3 free, then 1s and 2s gaps, then locked
	// start is the beginning of a window; guards carry the start of the window they count.
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	if !start.Truncate(p.Window).Equal(start) {
		t.Fatalf("test setup: %v is not a window start", start)
	}
	g := func(attempts int, windowStart, last time.Time) SignInGuard {
		return SignInGuard{Attempts: attempts, WindowStart: windowStart, LastAttempt: last}
	}
	at := func(d time.Duration) time.Time { return start.Add(d) }
	tests := []struct {
		name  string
		guard SignInGuard
		now   time.Time
		want  time.Duration
	}{
		{"no attempts", SignInGuard{}, at(time.Minute), 0},
		{"window start, 1 attempt", g(1, start, start), start, 0},
		{"2 attempts just now", g(2, start, at(time.Minute)), at(time.Minute), 0},
		{"3rd free attempt done, 4th must wait 1s", g(3, start, at(time.Minute)), at(time.Minute), time.Second},
		{"3 attempts, 400ms ago", g(3, start, at(time.Minute)), at(time.Minute + 400*time.Millisecond), 600 * time.Millisecond},
		{"3 attempts, gap passed", g(3, start, at(time.Minute)), at(time.Minute + time.Second), 0},
		{"4 attempts, 5th waits 2s", g(4, start, at(time.Minute)), at(time.Minute), 2 * time.Second},
		{"4 attempts, 1.5s ago", g(4, start, at(time.Minute)), at(time.Minute + 1500*time.Millisecond), 500 * time.Millisecond},
		{"4 attempts, gap passed", g(4, start, at(time.Minute)), at(time.Minute + 3*time.Second), 0},
		{"5 attempts: locked until window end", g(5, start, at(time.Minute)), at(time.Minute), 14 * time.Minute},
		{"5 attempts, long after the last: still locked", g(5, start, at(time.Minute)), at(10 * time.Minute), 5 * time.Minute},
		{"more than max: locked", g(9, start, at(time.Minute)), at(15*time.Minute - time.Second), time.Second},
		{"next window begins", g(5, start, at(14*time.Minute)), at(15 * time.Minute), 0},
		{"guard of an expired window", g(5, start.Add(-15*time.Minute), at(-time.Minute)), at(time.Minute), 0},
		{"expired window, slow phase", g(4, start.Add(-time.Hour), start.Add(-time.Hour)), at(time.Minute), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Wait(tt.guard, tt.now); got != tt.want {
				t.Errorf("Wait(%+v, %v) = %v, want %v", tt.guard, tt.now.Sub(start), got, tt.want)
			}
		})
	}
	if got := p.Max(); got != 5 {
		t.Errorf("Max() = %d, want 5", got)
	}
}

func TestSignInPolicyCustom(t *testing.T) {
	p := SignInPolicy{Window: time.Minute, SlowFrom: 1, Gaps: []time.Duration{time.Second, 5 * time.Second, 10 * time.Second}}
	start := time.Unix(1_700_000_040, 0) // a whole minute
	now := start.Add(20 * time.Second)
	for attempts, want := range []time.Duration{0, time.Second, 5 * time.Second, 10 * time.Second, 40 * time.Second, 40 * time.Second} {
		g := SignInGuard{Attempts: attempts, WindowStart: start, LastAttempt: now}
		if got := p.Wait(g, now); got != want {
			t.Errorf("attempts=%d: Wait = %v, want %v", attempts, got, want)
		}
	}
}
