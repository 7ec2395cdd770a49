package admin

import (
	"slices"
	"strings"
	"testing"
)

// fieldCodes returns "field:code" of each problem.
func fieldCodes(p Problems) []string {
	var out []string
	for _, f := range p {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}

func TestText(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		min, max int
		want     string
		code     string // "" = valid
	}{
		{"plain", "Contoso Ltd", 1, 200, "Contoso Ltd", ""},
		{"trimmed", "  Contoso \t", 1, 200, "Contoso", ""},
		{"trailing CRLF trimmed", "Contoso\r\n", 1, 200, "Contoso", ""},
		{"unicode", "Müller & Söhne — 株式会社", 1, 200, "Müller & Söhne — 株式会社", ""},
		{"required", "", 1, 200, "", "required"},
		{"only spaces", "   ", 1, 200, "", "required"},
		{"optional empty", "", 0, 200, "", ""},
		{"too short", "ab", 3, 10, "ab", "too_short"},
		{"max in runes", strings.Repeat("ä", 10), 1, 10, strings.Repeat("ä", 10), ""},
		{"too long", strings.Repeat("a", 11), 1, 10, strings.Repeat("a", 11), "too_long"},
		{"CRLF inside", "Contoso\r\nBcc: x@evil.example", 1, 200, "Contoso\r\nBcc: x@evil.example", "control_character"},
		{"LF inside", "a\nb", 1, 200, "a\nb", "control_character"},
		{"CR inside", "a\rb", 1, 200, "a\rb", "control_character"},
		{"tab inside", "a\tb", 1, 200, "a\tb", "control_character"},
		{"NUL", "a\x00b", 1, 200, "a\x00b", "control_character"},
		{"DEL", "a\x7fb", 1, 200, "a\x7fb", "control_character"},
		{"C1 NEL", "a\u0085b", 1, 200, "a\u0085b", "control_character"},
		{"escape sequence", "a\x1b[31mb", 1, 200, "a\x1b[31mb", "control_character"},
		{"invalid UTF-8", "a\xffb", 1, 200, "a\xffb", "encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Problems
			got := text(&p, "f", tt.in, tt.min, tt.max)
			if got != tt.want {
				t.Errorf("value = %q, want %q", got, tt.want)
			}
			var want []string
			if tt.code != "" {
				want = []string{"f:" + tt.code}
			}
			if g := fieldCodes(p); !slices.Equal(g, want) {
				t.Errorf("problems = %v, want %v", g, want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 60) + ".com"
	tests := []struct {
		in, want string
		code     string
	}{
		{"anna@example.com", "anna@example.com", ""},
		{"  Anna.Smith@Example.COM ", "anna.smith@example.com", ""},
		{"a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk", ""},
		{"", "", "required"},
		{"   ", "", "required"},
		{"anna", "anna", "email"},
		{"anna@", "anna@", "email"},
		{"@example.com", "@example.com", "email"},
		{"anna@localhost", "anna@localhost", "email"},
		{"Anna <anna@example.com>", "anna <anna@example.com>", "email"},
		{"anna@example.com, bob@example.com", "anna@example.com, bob@example.com", "email"},
		{"anna@example.com\r\nBcc: x@evil.example", "anna@example.com\r\nbcc: x@evil.example", "email"},
		{"an na@example.com", "an na@example.com", "email"},
		{`"an na"@example.com`, `"an na"@example.com`, "email"},
		{"anna@exa mple.com", "anna@exa mple.com", "email"},
		{"anna@@example.com", "anna@@example.com", "email"},
		{long, long, "email"},
	}
	if len(long) <= MaxEmailLength {
		t.Fatalf("test setup: long address has %d bytes, want > %d", len(long), MaxEmailLength)
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p Problems
			got := NormalizeEmail(&p, "email", tt.in)
			if got != tt.want {
				t.Errorf("value = %q, want %q", got, tt.want)
			}
			var want []string
			if tt.code != "" {
				want = []string{"email:" + tt.code}
			}
			if g := fieldCodes(p); !slices.Equal(g, want) {
				t.Errorf("problems = %v, want %v", g, want)
			}
		})
	}
}

func TestPhone(t *testing.T) {
	tests := []struct {
		in       string
		required bool
		code     string
	}{
		{"+49 30 1234567", false, ""},
		{"030 (123) 45-67.8", false, ""},
		{"+1/555/0100", false, ""},
		{"0123", false, ""},
		{"", false, ""},
		{"", true, "required"},
		{"012", false, "phone"},
		{"++49 30 123", false, "phone"},
		{"+49 30 123\n4567", false, "phone"},
		{"call me", false, "phone"},
		{"+49 30 1234567 ext. 5", false, "phone"},
		{"-4930123456", false, "phone"},
		{"0" + strings.Repeat("1", 31), false, "phone"},
		{"0" + strings.Repeat("1", 30), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p Problems
			phone(&p, "phone", tt.in, tt.required)
			var want []string
			if tt.code != "" {
				want = []string{"phone:" + tt.code}
			}
			if g := fieldCodes(p); !slices.Equal(g, want) {
				t.Errorf("problems = %v, want %v", g, want)
			}
		})
	}
}

func TestWebsite(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://example.com", true},
		{"http://example.com/path?q=1#frag", true},
		{"HTTPS://EXAMPLE.COM", true},
		{"", true},
		{"  https://example.com  ", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(document.cookie)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"ftp://example.com", false},
		{"file:///etc/passwd", false},
		{"https://user:secret@example.com", false},
		{"https://user@example.com", false},
		{"https://@example.com", false},
		{"//example.com", false},
		{"example.com", false},
		{"https:example.com", false},
		{"https:///path", false},
		{"https://exa mple.com", false},
		{"https://example.com/\x00", false},
		{"https://example.com/" + strings.Repeat("a", 2048), false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p Problems
			website(&p, "website", tt.in)
			if got := len(p) == 0; got != tt.ok {
				t.Errorf("valid = %v (%v), want %v", got, fieldCodes(p), tt.ok)
			}
			if !tt.ok && (len(p) != 1 || p[0].Code != "url") {
				t.Errorf("problems = %v, want one website:url", fieldCodes(p))
			}
		})
	}
}

func TestAddressCountry(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"DE", "DE", true},
		{"de", "DE", true},
		{" cn ", "CN", true},
		{"", "", false},
		{"D", "D", false},
		{"DEU", "DEU", false},
		{"D1", "D1", false},
		{"ÄB", "ÄB", false},
		{"D\nE", "D\nE", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p Problems
			a := Address{Line1: "Street 1", City: "Berlin", Country: tt.in}.validate(&p, "address")
			if a.Country != tt.want {
				t.Errorf("country = %q, want %q", a.Country, tt.want)
			}
			var want []string
			if !tt.ok {
				want = []string{"address.country:country"}
			}
			if g := fieldCodes(p); !slices.Equal(g, want) {
				t.Errorf("problems = %v, want %v", g, want)
			}
		})
	}
}

func TestContactValidateCollectsEveryProblemWithPaths(t *testing.T) {
	var p Problems
	c := Contact{Name: " Contoso\r\nX ", Phone: "nope", Email: "NOPE", Website: "javascript:x",
		Address: &Address{Line1: "", City: "Berlin", PostalCode: strings.Repeat("1", 21), Country: "xx1"}}
	got := c.Validate(&p, "contact.")
	want := []string{"contact.name:control_character", "contact.phone:phone", "contact.email:email", "contact.website:url",
		"contact.address.line1:required", "contact.address.postalCode:too_long", "contact.address.country:country"}
	if g := fieldCodes(p); !slices.Equal(g, want) {
		t.Errorf("problems = %v, want %v", g, want)
	}
	if got.Email != "nope" || got.Address.Country != "XX1" {
		t.Errorf("normalized = %+v / %+v, want email lower-cased and country upper-cased", got, *got.Address)
	}

	p = nil
	ok := Contact{Name: "Contoso", Email: "Info@Contoso.example", Address: &Address{Line1: "Main St 1", City: "Berlin", Country: "de"}}.Validate(&p, "")
	if len(p) != 0 || ok.Email != "info@contoso.example" || ok.Address.Country != "DE" {
		t.Errorf("valid contact: problems %v, got %+v", fieldCodes(p), ok)
	}
}

func TestValidID(t *testing.T) {
	good := "usr_01jdq3k2m4n5p6q7r8s9t0v1w2"
	tests := []struct {
		prefix, id string
		want       bool
	}{
		{"usr", good, true},
		{"ptn", "ptn_01jdq3k2m4n5p6q7r8s9t0v1w2", true},
		{"ptn", good, false},
		{"us", good, false},
		{"usr", strings.ToUpper(good), false},
		{"usr", "usr_01JDQ3K2M4N5P6Q7R8S9T0V1W2", false},
		{"usr", good[:len(good)-1], false},
		{"usr", good + "x", false},
		{"usr", good + "\n", false},
		{"usr", "\n" + good, false},
		{"usr", "usr-01jdq3k2m4n5p6q7r8s9t0v1w2", false},
		{"usr", "usr_01jdq3k2m4n5p6q7r8s9t0v1w#", false},
		{"usr", "", false},
		{"", "_01jdq3k2m4n5p6q7r8s9t0v1w2", false},
		{"usr", "usr_01jdq3k2m4n5p6q7r8s9t0v1w2/../x", false},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"/"+tt.id, func(t *testing.T) {
			if got := ValidID(tt.prefix, tt.id); got != tt.want {
				t.Errorf("ValidID(%q, %q) = %v, want %v", tt.prefix, tt.id, got, tt.want)
			}
		})
	}
}
