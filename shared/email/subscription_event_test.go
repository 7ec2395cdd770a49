package email

import (
	"strings"
	"testing"
)

// TestSubscriptionEventEmail: every event kind has its own wording in the subject and the body,
// the change of Partner of Record one for the new and one for the previous partner, and the time
// is worded here.
func TestSubscriptionEventEmail(t *testing.T) {
	want := map[string]string{
		"subscription.created":          "Fabrikam Ltd: new subscription to Business Premium",
		"subscription.licenses_changed": "Fabrikam Ltd: Business Premium licenses changed from 25 to 30",
		"subscription.suspended":        "Fabrikam Ltd: Business Premium suspended",
		"subscription.reactivated":      "Fabrikam Ltd: Business Premium reactivated",
		"subscription.cancelled":        "Fabrikam Ltd: Business Premium cancelled",
		"subscription.trial_converted":  "Fabrikam Ltd: Business Premium trial converted to a paid subscription",
		"subscription.trial_expired":    "Fabrikam Ltd: Business Premium trial expired",
	}
	for kind, subject := range want {
		d := sample("subscription_event", CloudGlobal)
		d["eventKind"] = kind
		m, err := Render("subscription_event", d)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m.Subject != subject || !strings.Contains(m.Text, "2 January 2026 15:04 UTC") || !strings.Contains(m.Text, "sub_01jtgd00000000000000000001") {
			t.Errorf("%s: subject %q\n%s", kind, m.Subject, m.Text)
		}
	}
	d := sample("subscription_event", Cloud21Vianet)
	d["eventKind"], d["porRole"] = "subscription.partner_of_record_changed", "previous"
	m, err := Render("subscription_event", d)
	if err != nil || m.Subject != "Fabrikam Ltd: you are no longer the Partner of Record of Business Premium (21Vianet)" {
		t.Errorf("previous partner of record: %q %v", m.Subject, err)
	}
	d["porRole"] = "new"
	if m, err = Render("subscription_event", d); err != nil || !strings.Contains(m.Subject, "you are now the Partner of Record") {
		t.Errorf("new partner of record: %q %v", m.Subject, err)
	}
	d["previousStatus"], d["status"] = "suspended", "active"
	if m, err = Render("subscription_event", d); err != nil || !strings.Contains(m.Text, "active (was suspended)") || !strings.Contains(m.HTML, "active (was suspended)") {
		t.Errorf("status change: %v\n%s", err, m.Text)
	}
	d["eventKind"] = "subscription.renamed"
	if _, err := Render("subscription_event", d); err == nil {
		t.Error("an unknown event kind rendered")
	}
}
