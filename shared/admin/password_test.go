package admin

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name   string
		pw     string
		email  string
		uname  string
		weak   bool
		detail string // substring of the message when weak
	}{
		{"ok", "correct horse battery", "anna@example.com", "Anna Smith", false, ""},
		{"exactly 12", "abcdefghijk!", "", "", false, ""},
		{"11 characters", "abcdefghij!", "", "", true, "at least 12"},
		{"12 runes, more bytes", "äöüäöüäöüäöx", "", "", false, ""},
		{"11 runes, 22 bytes", "äöüäöüäöüäö", "", "", true, "at least 12"},
		{"empty", "", "", "", true, "at least 12"},
		{"128 characters", strings.Repeat("ab", 64), "", "", false, ""},
		{"129 characters", strings.Repeat("ab", 64) + "c", "", "", true, "at most 128"},
		{"invalid UTF-8", "abcdefghijk\xff", "", "", true, "UTF-8"},
		{"one character repeated", "aaaaaaaaaaaa", "", "", true, "repeat"},
		{"one character repeated, mixed case", "aAaAaAaAaAaA", "", "", true, "repeat"},
		{"common", "password1234", "", "", true, "common"},
		{"common, other case", "PASSWORD1234", "", "", true, "common"},
		{"common with capital in list", "passw0rd1234", "", "", true, "common"},
		{"contains email local part", "xx-annabelle-xx", "annabelle@example.com", "", true, "email"},
		{"contains email local part, case", "xx-ANNABELLE-xx", "Annabelle@example.com", "", true, "email"},
		{"short local part ignored", "bob-is-my-password", "bob@example.com", "", false, ""},
		{"contains name part", "i am schmidt forever", "x@example.com", "Erika Schmidt", true, "name"},
		{"short name parts ignored", "the ann is fine here", "x@example.com", "Ann Li", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword("newPassword", tt.pw, tt.email, tt.uname)
			if got := err != nil; got != tt.weak {
				t.Fatalf("CheckPassword(%q) = %v, want weak=%v", tt.pw, err, tt.weak)
			}
			if err == nil {
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeWeakPassword {
				t.Fatalf("err = %#v, want a %s *Error", err, CodeWeakPassword)
			}
			if !strings.Contains(e.Message, tt.detail) {
				t.Errorf("message = %q, want it to mention %q", e.Message, tt.detail)
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != "newPassword" || e.Fields[0].Code != "weak_password" {
				t.Errorf("fields = %+v, want one newPassword/weak_password", e.Fields)
			}
			if strings.Contains(e.Error(), tt.pw) && tt.pw != "" {
				t.Errorf("error %q echoes the password", e.Error())
			}
		})
	}
}

func TestCommonPasswordsMeetTheLengthRule(t *testing.T) {
	// A deny-list entry shorter than the minimum would be dead weight: the length rule refuses it first.
	for _, c := range commonPasswords {
		if len([]rune(c)) < MinPasswordLength {
			t.Errorf("%q has %d characters, want at least %d", c, len([]rune(c)), MinPasswordLength)
		}
	}
}
