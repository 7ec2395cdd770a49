// Package email renders the product's emails and sends them with SES v2.
//
// Render turns an outbox item's template name and data (docs/architecture.md, "Email outbox")
// into a Message: a one-line subject, a plain-text body and an HTML body. The templates are
// embedded files in text/template syntax (templates/*.txt: the subject and the text body;
// templates/*.html: the HTML body, every value escaped for its context exactly as html/template
// would — see engine.go for why a small evaluator runs them). Each template has its wording for
// both clouds: cloud "21vianet" names the services operated by 21Vianet and carries its own
// sign-up note; anything else the template needs is in the data.
//
// Header safety: the subject is the only header built from data. Render strips CR, LF and every
// other control or line-separator character from it after rendering, collapses whitespace and
// caps its length, so no value can add a header (CWE-93); Sender sends structured content
// (Content.Simple), never raw MIME. Values are also capped before rendering.
package email

import (
	"embed"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Message is a rendered email.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Clouds.
const (
	CloudGlobal   = "global"
	Cloud21Vianet = "21vianet"
)

// Length caps (in characters).
const (
	MaxSubject    = 150
	MaxValue      = 300  // any single-line value
	MaxLongValue  = 2000 // message and summary (multi-line)
	truncationTag = "…"
)

// spec is what a template needs: required fields (non-empty after trimming), optional fields,
// and fields that may span lines in the bodies.
type spec struct {
	required []string
	optional []string
}

var partnerContact = []string{"partnerPhone", "partnerEmail", "partnerWebsite"}

// specs lists the templates and their fields (docs/architecture.md, "Email outbox").
var specs = map[string]spec{
	"trial_invitation": {
		required: []string{"partnerName", "cloud", "link", "productName", "trialDays"},
		optional: append([]string{"message", "delegatedAdmin"}, partnerContact...),
	},
	"purchase_offer": {
		required: []string{"partnerName", "cloud", "link", "lines"},
		optional: append([]string{"message", "delegatedAdmin"}, partnerContact...),
	},
	"delegated_admin_offer": {
		required: []string{"partnerName", "cloud", "link", "scope", "duration"},
		optional: append([]string{"message"}, partnerContact...),
	},
	"customer_welcome": {
		required: []string{"customerName", "partnerName", "cloud", "summary"},
		optional: []string{"partnerEmail", "partnerPhone", "partnerWebsite"},
	},
	"partner_answer": {
		required: []string{"partnerName", "customerName", "customerDomain", "offerKind", "answer"},
		optional: []string{"summary", "cloud"},
	},
	"delegated_admin_ended": {
		required: []string{"partnerName", "customerName", "customerDomain", "endedAt"},
		optional: []string{"cloud"},
	},
	"service_request_sent": {
		required: []string{"requestId", "title", "severity", "topic", "description", "customerName", "customerDomain", "partnerName",
			"contactName", "contactEmail", "sentAt"},
		optional: []string{"contactPhone", "cc", "cloud"},
	},
	"service_request_attention": {
		required: []string{"requestId", "title", "customerName", "partnerName", "note"},
		optional: []string{"cloud"},
	},
	// temporaryPassword is a sealed fact: the mailer opens it (store.OutboxItem.Facts).
	"customer_password_reset": {
		required: []string{"partnerName", "customerName", "customerDomain", "userEmail", "temporaryPassword"},
		optional: []string{"userName", "cloud"},
	},
	// A change of a subscription, to the partner's users who subscribed (notification settings).
	"subscription_event": {
		required: []string{"partnerName", "customerName", "productName", "subscriptionId", "eventKind", "licenses", "status", "changedAt"},
		optional: []string{"previousLicenses", "previousStatus", "porRole", "cloud"},
	},
	// An endpoint disabled after 24 hours of failed deliveries, to the partner's global admins.
	"webhook_disabled": {
		required: []string{"partnerName", "webhookId", "webhookUrl", "failingSince", "disabledAt"},
		optional: []string{"cloud"},
	},
	// The clock's emails: reminders and ends of trials and delegated administration.
	"trial_ending": {
		required: []string{"audience", "partnerName", "customerName", "productName", "licenses", "trialEndsAt", "inDays"},
		optional: append([]string{"cloud"}, partnerContact...),
	},
	"trial_expired": {
		required: []string{"partnerName", "customerName", "productName", "trialEndsAt", "convertBy"},
		optional: append([]string{"cloud"}, partnerContact...),
	},
	"delegated_admin_ending": {
		required: []string{"audience", "partnerName", "customerName", "customerDomain", "scope", "endsAt", "inDays"},
		optional: []string{"extends", "cloud"},
	},
	"delegated_admin_extended": {
		required: []string{"audience", "partnerName", "customerName", "customerDomain", "scope", "endsAt", "previousEndsAt"},
		optional: []string{"cloud"},
	},
	"delegated_admin_expired": {
		required: []string{"audience", "partnerName", "customerName", "customerDomain", "scope", "endedAt"},
		optional: []string{"autoExtendRefused", "cloud"},
	},
	// A new customer organization's admin, set up by a partner redeeming a product key;
	// temporaryPassword is a sealed fact, like customer_password_reset's.
	"customer_admin_account": {
		required: []string{"partnerName", "cloud", "customerName", "customerDomain", "userEmail", "temporaryPassword", "summary"},
		optional: append([]string{"userName"}, partnerContact...),
	},
}

// multiline fields keep their line breaks in the bodies (never in the subject).
var multiline = map[string]bool{"message": true, "summary": true, "description": true, "note": true}

// longCaps are the caps of multi-line fields longer than MaxLongValue: a service request's
// description and notes reach the support desk and the contact in full.
var longCaps = map[string]int{"description": 10000, "note": 10000}

// enums restricts fields to known values ("" allowed only for optional fields).
var enums = map[string][]string{
	"cloud":          {CloudGlobal, Cloud21Vianet},
	"delegatedAdmin": {"", "full", "limited"},
	"scope":          {"full", "limited"},
	"answer":         {"accepted", "declined"},
	"offerKind":      {"trial", "offer", "delegated-admin"},
	"severity":       {"minimal", "moderate", "critical"},
	"eventKind": {"subscription.created", "subscription.licenses_changed", "subscription.suspended", "subscription.reactivated",
		"subscription.cancelled", "subscription.trial_converted", "subscription.trial_expired", "subscription.partner_of_record_changed"},
	"porRole":  {"", "new", "previous"},
	"audience": {"customer", "partner"},
}

// Templates lists the template names, sorted.
func Templates() []string {
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Fields returns a template's required and optional data fields.
func Fields(template string) (required, optional []string, ok bool) {
	s, ok := specs[template]
	return slices.Clone(s.required), slices.Clone(s.optional), ok
}

//go:embed templates/*
var files embed.FS

type compiled struct {
	text set // defines "subject" and "text"
	html set // defines "html"
}

// parsed holds the templates, parsed on first use (the sweeper links this package but never
// renders); Load parses them at a function's init.
var parsed = sync.OnceValues(parseAll)

// Load parses the embedded templates, so that a broken template fails a function's init
// rather than its first email.
func Load() error {
	_, err := parsed()
	return err
}

func parseAll() (map[string]compiled, error) {
	read := func(names ...string) (map[string]string, error) {
		out := map[string]string{}
		for _, n := range names {
			b, err := files.ReadFile("templates/" + n)
			if err != nil {
				return nil, fmt.Errorf("email: %w", err)
			}
			out[n] = string(b)
		}
		return out, nil
	}
	out := map[string]compiled{}
	for name := range specs {
		src, err := read("_common.txt", name+".txt")
		if err != nil {
			return nil, err
		}
		txt, err := parseSet(src)
		if err != nil {
			return nil, fmt.Errorf("email: templates/%s.txt: %w", name, err)
		}
		if src, err = read("_layout.html", name+".html"); err != nil {
			return nil, err
		}
		html, err := parseSet(src)
		if err != nil {
			return nil, fmt.Errorf("email: templates/%s.html: %w", name, err)
		}
		for _, def := range []string{"subject", "text"} {
			if txt[def] == nil {
				return nil, fmt.Errorf("email: templates/%s.txt does not define %q", name, def)
			}
		}
		if html["html"] == nil {
			return nil, fmt.Errorf("email: templates/%s.html does not define \"html\"", name)
		}
		out[name] = compiled{text: txt, html: html}
	}
	return out, nil
}

// Render renders a template with its data. An unknown template, a missing required field, or a
// value outside its field's allowed set (cloud, scope, answer, …) or a link that is not an
// http(s) URL is an error: the outbox item cannot be sent as written.
func Render(template string, data map[string]string) (Message, error) {
	s, ok := specs[template]
	if !ok {
		return Message{}, fmt.Errorf("email: unknown template %q", template)
	}
	d, err := prepare(template, s, present(data))
	if err != nil {
		return Message{}, err
	}
	all, err := parsed()
	if err != nil {
		return Message{}, err
	}
	c := all[template]
	subj, err := c.text.execute("subject", d, false)
	if err != nil {
		return Message{}, fmt.Errorf("email: %s: subject: %w", template, err)
	}
	text, err := c.text.execute("text", d, false)
	if err != nil {
		return Message{}, fmt.Errorf("email: %s: text body: %w", template, err)
	}
	html, err := c.html.execute("html", d, true)
	if err != nil {
		return Message{}, fmt.Errorf("email: %s: HTML body: %w", template, err)
	}
	return Message{Subject: Subject(subj), Text: tidyText(text), HTML: html}, nil
}

// prepare validates data against the template's fields and returns a cleaned copy holding
// every declared field (optional ones possibly empty). Fields the template does not declare
// are dropped.
func prepare(template string, s spec, data map[string]string) (map[string]string, error) {
	d := make(map[string]string, len(s.required)+len(s.optional))
	var missing []string
	for _, f := range s.required {
		v := clean(f, data[f])
		if v == "" {
			missing = append(missing, f)
		}
		d[f] = v
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("email: %s: missing data: %s", template, strings.Join(missing, ", "))
	}
	for _, f := range s.optional {
		d[f] = clean(f, data[f])
	}
	if _, ok := d["cloud"]; ok && d["cloud"] == "" {
		d["cloud"] = CloudGlobal
	}
	for f, allowed := range enums {
		if v, ok := d[f]; ok && !slices.Contains(allowed, v) {
			return nil, fmt.Errorf("email: %s: %s %q is not one of %q", template, f, v, allowed)
		}
	}
	if l, ok := d["link"]; ok {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("email: %s: link is not an http(s) URL", template)
		}
	}
	if w := d["partnerWebsite"]; w != "" {
		if u, err := url.Parse(w); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			d["partnerWebsite"] = "" // shown only as a link; a non-URL is dropped, not sent
		}
	}
	return d, nil
}

// clean makes a data value safe to render: valid UTF-8, no control characters (line breaks
// kept, as LF, only in multi-line fields), trimmed, and capped.
func clean(field, v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	v = strings.ReplaceAll(v, "\r\n", "\n")
	keepLines := multiline[field]
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '\n' && keepLines:
			b.WriteRune('\n')
		case isBreakOrControl(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	v = strings.TrimSpace(b.String())
	if keepLines {
		return truncate(v, max(MaxLongValue, longCaps[field]))
	}
	return truncate(strings.Join(strings.Fields(v), " "), MaxValue)
}

// isBreakOrControl reports characters that must never reach a header: C0/C1 controls (CR, LF,
// NUL, TAB, NEL, …), the Unicode line and paragraph separators, and format characters such as
// bidirectional overrides.
func isBreakOrControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// Subject makes a header-safe subject line: every control and line-break character becomes a
// space, whitespace is collapsed, and the result is capped at MaxSubject characters.
func Subject(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if isBreakOrControl(r) {
			return ' '
		}
		return r
	}, s)
	return truncate(strings.Join(strings.Fields(s), " "), MaxSubject)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + truncationTag
}

// tidyText trims trailing spaces of lines and collapses runs of blank lines in the text body
// (template conditionals leave them).
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

// items splits a summary into its parts: one per line and per "; " (the business side joins
// what was set up with "; ").
func items(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, p := range strings.Split(l, "; ") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func offerKindText(k string) string {
	switch k {
	case "trial":
		return "trial invitation"
	case "offer":
		return "purchase offer"
	case "delegated-admin":
		return "delegated-administration offer"
	}
	return k
}

func scopeText(s string) string {
	switch s {
	case "full":
		return "full administration"
	case "limited":
		return "limited administration"
	}
	return s
}
