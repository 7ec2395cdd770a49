package email

import (
	"strings"
	"testing"
)

// TestServiceRequestEmails: the desk gets every fact of the request, the description in full (up
// to 10,000 characters, line breaks kept) with the send time and CC list worded; the contact gets
// the desk's note.
func TestServiceRequestEmails(t *testing.T) {
	d := sample("service_request_sent", CloudGlobal)
	d["description"] = strings.Repeat("d", 5000) + "\nend of description"
	m, err := Render("service_request_sent", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"srq_01jtgd00000000000000000001", "Mail stuck", "critical", "Exchange Online", "Cara, cara@fabrikam.example, +1 555 0100",
		"CC:        it@fabrikam.example", "2 January 2026 15:04 UTC", strings.Repeat("d", 5000), "  end of description", "Fabrikam Ltd (fabrikam)"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("desk email text lacks %q:\n%s", want, m.Text)
		}
	}
	if m.Subject != "Service request (critical): Mail stuck for Fabrikam Ltd" || !strings.Contains(m.HTML, "end of description") {
		t.Errorf("subject %q", m.Subject)
	}
	d["cc"], d["contactPhone"] = "[]", ""
	if m, err = Render("service_request_sent", d); err != nil || strings.Contains(m.Text, "CC:") || strings.Contains(m.Text, "0100") {
		t.Errorf("without CC and phone: %v\n%s", err, m.Text)
	}
	d["severity"] = "urgent"
	if _, err := Render("service_request_sent", d); err == nil {
		t.Error("an unknown severity rendered")
	}
	a, err := Render("service_request_attention", sample("service_request_attention", Cloud21Vianet))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "  Which mailbox?\n  Send a header.") || a.Subject != "Your answer is needed: Mail stuck (21Vianet)" ||
		!strings.Contains(a.HTML, "Which mailbox?<br>Send a header.") {
		t.Errorf("attention email:\n%s\n%s\n%s", a.Subject, a.Text, a.HTML)
	}
}
