package mailer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestHeaderInjectionNeverReachesTheSentMessage sends every template, in both clouds, with an
// injection attempt in every field, through the real mailer and the SES emulator, and reads the
// raw message the emulator stored: no injected header, no extra recipient.
func TestHeaderInjectionNeverReachesTheSentMessage(t *testing.T) {
	h := newHarness(t, 0)
	fields := []string{"partnerName", "partnerPhone", "partnerEmail", "partnerWebsite", "link", "productName", "trialDays", "message",
		"delegatedAdmin", "lines", "scope", "duration", "customerName", "summary", "customerDomain", "offerKind", "answer", "endedAt"}
	attacks := []string{"\r\nBcc: victim@evil.example", "\nCc: victim@evil.example", "\rTo: victim@evil.example", "\u2028Bcc: victim@evil.example"}
	templates := []string{"trial_invitation", "purchase_offer", "delegated_admin_offer", "customer_welcome", "partner_answer", "delegated_admin_ended"}
	var all []store.OutboxEmail
	n := 0
	for _, tpl := range templates {
		for _, cloud := range []string{"global", "21vianet"} {
			for _, attack := range attacks {
				data := map[string]string{"cloud": cloud}
				for _, f := range fields {
					data[f] = "Value of " + f + attack
				}
				data["link"] = "https://admin.example.com/trial/abcdefghijklmnopqrstuvwxyz" + attack
				// Enumerated fields are checked by the renderer (an attack there fails the email,
				// sending nothing); the free-text fields carry the attack into the message.
				data["delegatedAdmin"], data["scope"], data["answer"], data["offerKind"] = "full", "full", "accepted", "trial"
				all = append(all, store.OutboxEmail{ID: fmt.Sprintf("out_%s_%03d", h.tag, n), OrgID: "ptn_test", Template: tpl, To: []string{h.addr(n)}, Data: data})
				n++
			}
		}
	}
	if err := h.st.WriteOutboxForTest(context.Background(), h.clock.Now(), all...); err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	for i, e := range all {
		ev.Records = append(ev.Records, h.record(t, e.ID, fmt.Sprint(9000+i), "INSERT"))
	}
	if resp, err := h.mailer.HandleStream(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	got := h.delivered(t)
	for i, e := range all {
		msgs := got[e.To[0]]
		if len(msgs) != 1 {
			t.Fatalf("%s (%s): %d emails", e.To[0], e.Template, len(msgs))
		}
		m := msgs[0]
		if len(m.Destination.To) != 1 || len(m.Destination.Cc) != 0 || len(m.Destination.Bcc) != 0 || strings.ContainsAny(m.Subject, "\r\n\u2028") {
			t.Fatalf("%s: destination %+v subject %q", e.Template, m.Destination, m.Subject)
		}
		headers := rawHeaders(t, rawMessage(t, m.MessageID))
		var to []string
		for _, hdr := range headers {
			name, value, _ := strings.Cut(hdr, ":")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "bcc", "cc", "reply-to":
				t.Fatalf("email %d (%s): injected header %q", i, e.Template, hdr)
			case "to":
				to = append(to, strings.TrimSpace(value))
			}
			if strings.Contains(strings.ToLower(name), "victim") {
				t.Fatalf("email %d (%s): header named by the attacker %q", i, e.Template, hdr)
			}
		}
		seen := map[string]bool{}
		for _, hdr := range headers {
			name, _, _ := strings.Cut(hdr, ":")
			seen[strings.ToLower(name)] = true
		}
		if !seen["from"] || !seen["subject"] || !seen["content-type"] {
			t.Fatalf("email %d: headers not parsed: %q", i, headers)
		}
		if len(to) != 1 || to[0] != e.To[0] {
			t.Fatalf("email %d (%s): To headers %q, want only %s", i, e.Template, to, e.To[0])
		}
	}
}

// rawHeaders returns the header fields of a raw message, unfolded (a line starting with white
// space continues the previous field).
func rawHeaders(t *testing.T, raw string) []string {
	t.Helper()
	head, _, ok := strings.Cut(strings.ReplaceAll(raw, "\r\n", "\n"), "\n\n")
	if !ok {
		t.Fatalf("no header section in %q", raw)
	}
	var out []string
	for _, line := range strings.Split(head, "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 {
			out[len(out)-1] += " " + strings.TrimSpace(line)
			continue
		}
		out = append(out, line)
	}
	return out
}

// rawMessage is the .eml the SES emulator stored for a message.
func rawMessage(t *testing.T, id string) string {
	t.Helper()
	resp, err := http.Get(testenv.SESEndpoint(t) + "/get-emlContent?messageId=" + url.QueryEscape(id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Body struct {
			Data []byte `json:"data"`
		} `json:"body"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, &doc) != nil || len(doc.Body.Data) == 0 {
		t.Fatalf("raw message %s: %d %.200s", id, resp.StatusCode, b)
	}
	return string(doc.Body.Data)
}
