package email

import (
	"strings"
	"testing"
)

// TestFactsAreWordedHere: the outbox stores facts (RFC 3339 times, counts, JSON lists) and this
// package words them; items written before, with the worded values, render as they did.
func TestFactsAreWordedHere(t *testing.T) {
	base := map[string]string{"partnerName": "Contoso", "partnerEmail": "hello@contoso.example", "cloud": "global",
		"link": "https://links.example/x", "customerName": "Fabrikam Ltd", "customerDomain": "fabrikam", "offerKind": "trial", "answer": "accepted"}
	with := func(kv ...string) map[string]string {
		d := map[string]string{}
		for k, v := range base {
			d[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			d[kv[i]] = kv[i+1]
		}
		return d
	}
	tests := []struct {
		name, template string
		data           map[string]string
		want           []string // in the text body
	}{
		{"offer lines", "purchase_offer", with("lines", `[{"productName":"Product A","licenses":2},{"productName":"Product B","licenses":5}]`),
			[]string{"2 × Product A; 5 × Product B"}},
		{"offer lines worded before", "purchase_offer", with("lines", "3 × Product C"), []string{"3 × Product C"}},
		{"duration in days", "delegated_admin_offer", with("scope", "full", "durationDays", "730"), []string{"730 days"}},
		{"one day", "delegated_admin_offer", with("scope", "limited", "durationDays", "1"), []string{"1 day"}},
		{"duration worded before", "delegated_admin_offer", with("scope", "full", "duration", "90 days"), []string{"90 days"}},
		{"welcome summary", "customer_welcome", with("subscriptions",
			`[{"productName":"Business Premium","licenses":25,"status":"trial","trialEndsAt":"2026-12-24T10:00:00Z"},{"productName":"Teams","licenses":3,"status":"active"}]`,
			"grantScope", "full", "grantEndsAt", "2027-11-24T10:00:00Z"),
			[]string{"trial of Business Premium (25 licenses) until 2026-12-24", "3 × Teams", "delegated administration (full) until 2027-11-24"}},
		{"declined", "partner_answer", with("subscriptions", `[]`, "grantDeclined", "true", "offerKind", "delegated-admin", "answer", "declined"),
			[]string{"delegated administration declined"}},
		{"summary worded before", "customer_welcome", with("summary", "trial of X (25 licenses) until 2026-12-24"), []string{"trial of X (25 licenses) until 2026-12-24"}},
		{"ended at", "delegated_admin_ended", with("endedAt", "2026-11-24T10:00:05Z"), []string{"24 November 2026 10:00 UTC"}},
		{"ended at worded before", "delegated_admin_ended", with("endedAt", "2 January 2026 15:04 UTC"), []string{"2 January 2026 15:04 UTC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Render(tt.template, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(m.Text, w) || !strings.Contains(m.HTML, strings.ReplaceAll(w, "×", "×")) {
					t.Errorf("text body lacks %q:\n%s", w, m.Text)
				}
			}
		})
	}
	if _, err := Render("customer_welcome", with()); err == nil {
		t.Error("a welcome without subscriptions or summary rendered; want a missing-data error")
	}
}
