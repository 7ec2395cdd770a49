package admin

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxEmailLength is RFC 5321's limit on a forward path.
const MaxEmailLength = 254

func indexField(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// text validates a free-text field: trimmed, within [min,max] characters, no control characters
// (which also keeps CR/LF out of anything that may later reach an email header).
func text(p *Problems, field, s string, min, max int) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		p.Add(field, "encoding", "must be valid UTF-8")
	case n < min && min == 1:
		p.Add(field, "required", "is required")
	case n < min:
		p.Add(field, "too_short", "must have at least "+strconv.Itoa(min)+" characters")
	case n > max:
		p.Add(field, "too_long", "must have at most "+strconv.Itoa(max)+" characters")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		p.Add(field, "control_character", "must not contain control characters")
	}
	return s
}

// NormalizeEmail lower-cases and validates an address (a bare addr-spec, no display name).
func NormalizeEmail(p *Problems, field, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		p.Add(field, "required", "is required")
		return s
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > MaxEmailLength || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		p.Add(field, "email", "must be an email address such as name@example.com")
	}
	return s
}

func phone(p *Problems, field, s string, required bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			p.Add(field, "required", "is required")
		}
		return s
	}
	if !isPhone(s) {
		p.Add(field, "phone", "must be a phone number of digits, spaces and ()./- with an optional leading +")
	}
	return s
}

func website(p *Problems, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s) > 2048 {
		p.Add(field, "url", "must be an http(s) URL such as https://example.com")
	}
	return s
}

// Address is a postal address.
type Address struct {
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	Country    string // ISO 3166-1 alpha-2
}

func (a Address) validate(p *Problems, field string) Address {
	a.Line1 = text(p, field+".line1", a.Line1, 1, 200)
	a.Line2 = text(p, field+".line2", a.Line2, 0, 200)
	a.City = text(p, field+".city", a.City, 1, 100)
	a.Region = text(p, field+".region", a.Region, 0, 100)
	a.PostalCode = text(p, field+".postalCode", a.PostalCode, 0, 20)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if len(a.Country) != 2 || !isUpper(a.Country[0]) || !isUpper(a.Country[1]) {
		p.Add(field+".country", "country", "must be an ISO 3166-1 alpha-2 country code such as DE")
	}
	return a
}

// ValidID reports whether s has the shape of an id with the given 3-letter prefix ("usr", "ptn",
// …): prefix, "_", 26 lower-case base32 characters. A malformed id cannot exist, so callers
// answer it as not found.
func ValidID(prefix, s string) bool {
	body, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(prefix) != 3 || len(body) != 26 {
		return false
	}
	for i := range len(body) {
		if c := body[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// The format checks are hand-written rather than regular expressions: compiling those is package
// init, which every cold start pays.

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// isPhone: an optional leading +, then a digit or "(", then 3–30 of digits, spaces and ()./-.
func isPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 4 || len(s) > 31 || !(s[0] >= '0' && s[0] <= '9' || s[0] == '(') {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= '0' && c <= '9' || strings.IndexByte(" ()./-", c) >= 0) {
			return false
		}
	}
	return true
}
