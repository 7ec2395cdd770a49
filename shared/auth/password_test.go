package auth

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// cheap keeps argon2 fast where cost is not the point of the test.
var cheap = Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

var _ admin.Passwords = (*Hasher)(nil)

func TestHashVerifyRoundTrip(t *testing.T) {
	h := NewHasher(cheap)
	for _, pw := range []string{"correct horse battery staple", "äöü-パスワード-🔑", "x", "", strings.Repeat("z", 512)} {
		t.Run(fmt.Sprintf("%.20q", pw), func(t *testing.T) {
			hash, err := h.Hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			if want := "$argon2id$v=19$m=64,t=1,p=1$"; !strings.HasPrefix(hash, want) {
				t.Errorf("hash = %q, want prefix %q", hash, want)
			}
			if strings.Contains(hash, pw) && pw != "" && pw != "x" {
				t.Errorf("hash %q contains the password", hash)
			}
			if !h.Verify(hash, pw) {
				t.Errorf("Verify(hash, %q) = false, want true", pw)
			}
			for _, wrong := range []string{pw + " ", strings.ToUpper(pw) + "!", "wrong"} {
				if wrong != pw && h.Verify(hash, wrong) {
					t.Errorf("Verify(hash, %q) = true, want false", wrong)
				}
			}
			// Salted: the same password hashes differently every time.
			again, _ := h.Hash(pw)
			if again == hash {
				t.Errorf("two hashes of the same password are equal: %q", hash)
			}
		})
	}
}

func TestVerifyUsesTheHashsOwnParameters(t *testing.T) {
	old := NewHasher(Argon2Params{MemoryKiB: 32, Time: 2, Threads: 2})
	hash, _ := old.Hash("s3cret-password")
	if !NewHasher(cheap).Verify(hash, "s3cret-password") {
		t.Errorf("a Hasher with other params cannot verify %q, want true (parameters come from the PHC string)", hash)
	}
}

func TestVerifyMalformedHashes(t *testing.T) {
	h := NewHasher(cheap)
	good, _ := h.Hash("pw")
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	with := func(i int, v string) string {
		p := slices.Clone(parts)
		p[i] = v
		return strings.Join(p, "$")
	}
	b64 := base64.RawStdEncoding.EncodeToString
	tests := []struct {
		name, hash string
	}{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"dollars only", "$$$$$"},
		{"argon2i", with(1, "argon2i")},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"too few parts", strings.Join(parts[:5], "$")},
		{"too many parts", good + "$extra"},
		{"version 16", with(2, "v=16")},
		{"version missing", with(2, "v=")},
		{"params garbage", with(3, "m=x,t=1,p=1")},
		{"memory 0", with(3, "m=0,t=1,p=1")},
		{"time 0", with(3, "m=64,t=0,p=1")},
		{"threads 0", with(3, "m=64,t=1,p=0")},
		{"threads overflow uint8", with(3, "m=64,t=1,p=256")},
		{"negative memory", with(3, "m=-1,t=1,p=1")},
		{"huge memory", with(3, "m=4294967295,t=1,p=1")},
		{"memory overflow uint32", with(3, "m=99999999999,t=1,p=1")},
		{"memory just above the cap", with(3, fmt.Sprintf("m=%d,t=1,p=1", 1<<20+1))},
		{"huge time", with(3, "m=64,t=4000000000,p=1")},
		{"time above cap", with(3, "m=64,t=11,p=1")},
		{"salt not base64", with(4, "!!!")},
		{"salt too short", with(4, b64([]byte("1234567")))},
		{"salt padded base64", with(4, base64.StdEncoding.EncodeToString([]byte("12345678901234567")))},
		{"key not base64", with(5, "%%%")},
		{"key too short", with(5, b64(make([]byte, 15)))},
		{"key empty", with(5, "")},
		{"NUL in params", with(3, "m=64\x00,t=1,p=1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Verify(%q) panicked: %v", tt.hash, p)
				}
			}()
			if got := h.Verify(tt.hash, "pw"); got {
				t.Errorf("Verify(%q, pw) = true, want false", tt.hash)
			}
		})
	}
}

// TestVerifyEmptyHashTakesComparableTime checks that verifying against no hash (an unknown
// account) or a malformed one runs argon2 at the production cost, so that timing does not reveal
// whether an email is registered. The three kinds of call are interleaved so that a burst of load
// hits them alike, and the dummy path must take at least half the time of a real verification by
// median or by minimum (noise only ever adds time). That is robust on a busy 2-core machine and
// still fails if the dummy work were skipped: a parse failure alone costs microseconds, argon2 at
// 19 MiB milliseconds.
func TestVerifyEmptyHashTakesComparableTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	h := NewHasher(DefaultArgon2)
	real, err := h.Hash("the real password")
	if err != nil {
		t.Fatal(err)
	}
	const runs = 7
	hashes := map[string]string{"real": real, "empty": "", "malformed": "$argon2id$garbage"}
	took := map[string][]time.Duration{}
	h.Verify(real, "warm up")
	for i := 0; i < runs; i++ {
		for _, name := range []string{"real", "empty", "malformed"} {
			start := time.Now()
			h.Verify(hashes[name], "a wrong password")
			took[name] = append(took[name], time.Since(start))
		}
	}
	for _, d := range took {
		slices.Sort(d)
	}
	med := func(name string) time.Duration { return took[name][runs/2] }
	low := func(name string) time.Duration { return took[name][0] }
	t.Logf("verify median/min: real %v/%v, empty %v/%v, malformed %v/%v",
		med("real"), low("real"), med("empty"), low("empty"), med("malformed"), low("malformed"))
	for _, name := range []string{"empty", "malformed"} {
		if med(name) < med("real")/2 && low(name) < low("real")/2 {
			t.Errorf("%s-hash verify took %v (min %v), want at least half of a real verify (%v, min %v)",
				name, med(name), low(name), med("real"), low("real"))
		}
	}
}

// textAlphabet is the alphabet of crypto/rand.Text (RFC 4648 base32, upper case).
const textAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func TestTemporary(t *testing.T) {
	h := NewHasher(cheap)
	const n = 10_000
	seen := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		pw, err := h.Temporary()
		if err != nil {
			t.Fatal(err)
		}
		if seen[pw] {
			t.Fatalf("collision after %d values: %q", i, pw)
		}
		seen[pw] = true
		raw := strings.ReplaceAll(pw, "-", "")
		if len(raw) < 26 {
			t.Fatalf("%q has %d base32 characters, want at least 26 (≥128 bits)", pw, len(raw))
		}
		if j := strings.IndexFunc(raw, func(r rune) bool { return !strings.ContainsRune(textAlphabet, r) }); j >= 0 {
			t.Fatalf("%q has %q outside the base32 alphabet", pw, raw[j])
		}
		for k, g := range strings.Split(pw, "-") {
			if len(g) == 0 || len(g) > 5 {
				t.Fatalf("%q: group %d is %q, want 1 to 5 characters", pw, k, g)
			}
		}
		// The email's local part and the name hold characters outside base32 (0, 1, 8, 9), so
		// the account rules cannot reject a random value by chance.
		if err := admin.CheckPassword("password", pw, "user0189@example.com", "User0189 Ninety9"); err != nil {
			t.Fatalf("CheckPassword(%q) = %v, want nil", pw, err)
		}
	}
}
