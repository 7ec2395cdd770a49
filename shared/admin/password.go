package admin

import (
	"strings"
	"unicode/utf8"
)

// Password policy (NIST SP 800-63B style: length over composition rules, a deny list, nothing
// derived from the account).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 128
)

// commonPasswords is a short deny list of passwords that meet the length rule but are guessed
// first. Comparison is case-insensitive.
var commonPasswords = []string{
	"password1234", "passwordpassword", "123456789012", "qwertyuiopas", "qwerty123456",
	"iloveyou1234", "administrator", "letmein12345", "welcome12345", "changeme1234",
	"partneradmin", "000000000000", "111111111111", "abcdefghijkl", "abc123456789",
	"password123!", "Passw0rd1234", "microsoft365", "office365admin", "trustno1trustno1",
}

// CheckPassword applies the password policy; email and name are the account's, which the password
// must not contain.
func CheckPassword(field, pw, email, name string) error {
	n := utf8.RuneCountInString(pw)
	lower := strings.ToLower(pw)
	weak := func(detail string) error {
		return &Error{Code: CodeWeakPassword, Message: detail, Fields: []FieldError{{field, "weak_password", detail}}}
	}
	switch {
	case !utf8.ValidString(pw):
		return weak("must be valid UTF-8")
	case n < MinPasswordLength:
		return weak("must have at least 12 characters")
	case n > MaxPasswordLength:
		return weak("must have at most 128 characters")
	case strings.Count(lower, string([]rune(lower)[0])) == utf8.RuneCountInString(lower):
		return weak("must not repeat one character")
	}
	for _, c := range commonPasswords {
		if lower == strings.ToLower(c) {
			return weak("is too common")
		}
	}
	if local, _, ok := strings.Cut(email, "@"); ok && len(local) >= 4 && strings.Contains(lower, strings.ToLower(local)) {
		return weak("must not contain the email address")
	}
	for _, part := range strings.Fields(strings.ToLower(name)) {
		if utf8.RuneCountInString(part) >= 4 && strings.Contains(lower, part) {
			return weak("must not contain the user's name")
		}
	}
	return nil
}
