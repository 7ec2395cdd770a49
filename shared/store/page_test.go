package store

import (
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []struct {
		name, sk, prefix, lo, hi string
	}{
		{"user", userSK("usr_01jdq3k2m4n5p6q7r8s9t0v1w2"), skUser, "", ""},
		{"activity", activitySK("act_01jdq3k2m4n5p6q7r8s9t0v1w2"), skAct, "", ""},
		{"activity in range", activitySK("act_01jdq3k2m4n5p6q7r8s9t0v1w2"), skAct, activitySK("act_0"), activitySK("act_z")},
		{"at the lower bound", "ACT#a", skAct, "ACT#a", "ACT#z"},
		{"at the upper bound", "ACT#z", skAct, "ACT#a", "ACT#z"},
		{"unicode", "USER#ä€😀", skUser, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := encodeCursor(tt.sk)
			if strings.ContainsAny(c, "+/=") {
				t.Errorf("cursor %q is not URL-safe unpadded base64", c)
			}
			got, err := decodeCursor(c, tt.prefix, tt.lo, tt.hi)
			if err != nil || got != tt.sk {
				t.Errorf("decodeCursor(encodeCursor(%q)) = %q, %v; want the key back", tt.sk, got, err)
			}
		})
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	tests := []struct {
		name, cursor, prefix, lo, hi string
	}{
		{"not base64", "!!!", skUser, "", ""},
		{"padded", encodeCursor(userSK("usr_1")) + "=", skUser, "", ""},
		{"std alphabet", "+/+/", skUser, "", ""},
		{"empty cursor has no prefix", "", skUser, "", ""},
		{"other listing", encodeCursor(activitySK("act_1")), skUser, "", ""},
		{"partition key smuggled", encodeCursor("PARTNER#ptn_other"), skUser, "", ""},
		{"profile item", encodeCursor(skProf), skUser, "", ""},
		{"below range", encodeCursor("ACT#a"), skAct, "ACT#b", "ACT#y"},
		{"above range", encodeCursor("ACT#z"), skAct, "ACT#b", "ACT#y"},
		{"too long", encodeCursor(skUser + strings.Repeat("x", 600)), skUser, "", ""},
		{"prefix case", encodeCursor("user#usr_1"), skUser, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeCursor(tt.cursor, tt.prefix, tt.lo, tt.hi)
			e, ok := err.(*admin.Error)
			if !ok || e.Code != admin.CodeInvalidCursor || got != "" {
				t.Fatalf("decodeCursor = %q, %v; want invalid_cursor", got, err)
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
				t.Errorf("fields = %+v, want one naming cursor", e.Fields)
			}
		})
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(userSK("usr_01jdq3k2m4n5p6q7r8s9t0v1w2")), skUser, "", "")
	f.Add(encodeCursor(activitySK("act_01jdq3k2m4n5p6q7r8s9t0v1w2")), skAct, activitySK("act_01jd"), activitySK("act_01jz"))
	f.Add(encodeCursor("PARTNER#x"), skUser, "", "")
	f.Add("!!!", skAct, "", "")
	f.Add("", skUser, "", "")
	f.Add(encodeCursor(strings.Repeat("A", 513)), "A", "", "")
	f.Fuzz(func(t *testing.T, cursor, prefix, lo, hi string) {
		sk, err := decodeCursor(cursor, prefix, lo, hi)
		if err != nil {
			if admin.ErrorCode(err) != admin.CodeInvalidCursor || sk != "" {
				t.Fatalf("decodeCursor = %q, %v; want \"\" and invalid_cursor", sk, err)
			}
			return
		}
		if !strings.HasPrefix(sk, prefix) {
			t.Fatalf("decoded %q lacks the listing prefix %q", sk, prefix)
		}
		if (lo != "" && sk < lo) || (hi != "" && sk > hi) {
			t.Fatalf("decoded %q lies outside [%q, %q]", sk, lo, hi)
		}
		if len(sk) > 512 {
			t.Fatalf("decoded %d bytes, want at most 512", len(sk))
		}
		if encodeCursor(sk) != cursor && len(cursor) > 0 {
			// Non-canonical encodings (trailing bits, ignored newlines) are tolerated but must
			// still decode to a key of this listing, which the checks above established.
			t.Logf("non-canonical cursor %q for %q", cursor, sk)
		}
	})
}

func TestClamp(t *testing.T) {
	tests := []struct {
		in   int
		want int32
	}{
		{-1, admin.DefaultPageSize}, {0, admin.DefaultPageSize}, {1, 1}, {50, 50},
		{admin.MaxPageSize, admin.MaxPageSize}, {admin.MaxPageSize + 1, admin.MaxPageSize}, {1 << 40, admin.MaxPageSize},
	}
	for _, tt := range tests {
		if got := clamp(tt.in); got != tt.want {
			t.Errorf("clamp(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"partner", partnerPK("ptn_1"), "PARTNER#ptn_1"},
		{"user", userSK("usr_1"), "USER#usr_1"},
		{"activity", activitySK("act_1"), "ACT#act_1"},
		{"login lower-cases", loginPK("Anna@Example.COM"), "LOGIN#anna@example.com"},
		{"guard hashes the lower-cased email", guardPK("Anna@Example.COM"), "SIGNIN#" + sha("anna@example.com")},
		{"idempotency hashes the key", idemPK("ptn_1#usr_1#create-user", "K"), "IDEM#ptn_1#usr_1#create-user#" + sha("K")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("key = %q, want %q", tt.got, tt.want)
			}
		})
	}
	if guardPK("a@b.example") == guardPK("c@b.example") {
		t.Errorf("guard keys of two emails are equal")
	}
	if g := guardPK("secret@b.example"); strings.Contains(g, "secret") || len(g) != len("SIGNIN#")+64 {
		t.Errorf("guard key %q exposes the email or is not a sha256", g)
	}
	if idemPK("s", "k1") == idemPK("s", "k2") || idemPK("s1", "k") == idemPK("s2", "k") {
		t.Errorf("idempotency keys collide across keys or scopes")
	}
	if !strings.HasPrefix(userSK("x"), skUser) || !strings.HasPrefix(activitySK("x"), skAct) {
		t.Errorf("sort keys do not carry their listing prefix")
	}
}

func TestULIDBound(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	lo := ulidBound(t0, "0000000000000000")
	hi := ulidBound(t0, "zzzzzzzzzzzzzzzz")
	if len(lo) != 26 || len(hi) != 26 {
		t.Fatalf("len = %d, %d; want 26", len(lo), len(hi))
	}
	if lo != strings.ToLower(lo) {
		t.Errorf("bound %q is not lower case (ids are)", lo)
	}
	if lo[:10] != hi[:10] || !(lo < hi) {
		t.Errorf("lo %q and hi %q, want the same time part and lo < hi", lo, hi)
	}
	tests := []struct {
		name string
		a, b time.Time
	}{
		{"one millisecond later", t0, t0.Add(time.Millisecond)},
		{"one second later", t0, t0.Add(time.Second)},
		{"year 9999 (the largest RFC 3339 year)", t0, time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)},
		{"epoch", time.UnixMilli(0), t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := ulidBound(tt.a, "0000000000000000"), ulidBound(tt.b, "0000000000000000"); !(a < b) {
				t.Errorf("ulidBound(%v) = %q, not below ulidBound(%v) = %q", tt.a, a, tt.b, b)
			}
		})
	}
	t.Run("same millisecond", func(t *testing.T) {
		if a, b := ulidBound(t0, "0"), ulidBound(t0.Add(999*time.Microsecond), "0"); a != b {
			t.Errorf("%q != %q within one millisecond", a, b)
		}
	})
	t.Run("before the epoch clamps to it", func(t *testing.T) {
		want := ulidBound(time.UnixMilli(0), "0000000000000000")
		if got := ulidBound(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), "0000000000000000"); got != want || want != strings.Repeat("0", 26) {
			t.Errorf("got %q, want %q (all zero)", got, want)
		}
	})
	t.Run("a real id of that millisecond lies within the bounds", func(t *testing.T) {
		id := lo[:10] + "m5q3k2m4n5p6q7r8"
		if !(lo <= id && id <= hi) {
			t.Errorf("%q not within [%q, %q]", id, lo, hi)
		}
	})
}

func TestGuardSK(t *testing.T) {
	// Windows are numbered from the Unix epoch for every window length, also those that do not
	// divide a day (time.Truncate counts from year 1 and would disagree for them).
	for _, w := range []time.Duration{time.Minute, 7 * time.Minute, 15 * time.Minute, time.Hour, 7 * 24 * time.Hour} {
		p := admin.SignInPolicy{Window: w}
		now := time.Date(2026, 11, 24, 10, 3, 30, 0, time.UTC)
		s := p.WindowOf(now)
		if s.After(now) || now.Sub(s) >= w || s.UnixMilli()%w.Milliseconds() != 0 {
			t.Errorf("window %v: start %v of %v is not an epoch-aligned window start", w, s, now)
		}
		if guardSK(p.WindowOf(s.Add(w-time.Millisecond))) != guardSK(s) || guardSK(p.WindowOf(s.Add(-time.Millisecond))) == guardSK(s) {
			t.Errorf("window %v: boundaries wrong around %v", w, s)
		}
		if !strings.HasPrefix(guardSK(s), skGuard) {
			t.Errorf("guardSK %q lacks the prefix", guardSK(s))
		}
	}
}
