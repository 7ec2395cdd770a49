package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/email"
)

// TestEveryMessageHasAStoredShapeThatRenders encodes each typed message of the domain as an
// outbox item stores it, checks its facts, and renders it with shared/email, as the mailer will.
func TestEveryMessageHasAStoredShapeThatRenders(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	p := admin.Partner{ID: "ptn_1", Cloud: admin.Cloud21Vianet, Contact: admin.Contact{Name: "Contoso", Email: "hello@contoso.example",
		Phone: "+49 30 1", Website: "https://contoso.example"}}
	c := admin.Customer{ID: "cus_1", Name: "Fabrikam", DomainPrefix: "fabrikam"}
	trial := admin.Product{ID: "o365-e1-21v", Name: "Office 365 E1"}
	out := admin.Outcome{Subscriptions: []admin.Subscription{{ProductName: "Office 365 E1", Licenses: 25, Status: admin.SubscriptionTrial, TrialEndsAt: at.AddDate(0, 0, 30)}},
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessFull, EndsAt: at.AddDate(1, 0, 0)}}
	da := &admin.DelegatedAdminOffer{Scope: admin.AccessLimited, DurationDays: 90}
	sr := admin.ServiceRequest{ID: "srq_1", CustomerName: "Fabrikam", CustomerDomain: "fabrikam", PartnerName: "Contoso", Cloud: admin.Cloud21Vianet,
		Title: "Mail stuck", Description: "Since Monday\nno mail.", Severity: admin.SeverityModerate,
		Contact: admin.RequestContact{Name: "Cara", Email: "cara@fabrikam.example"}, CC: []string{"it@fabrikam.example"}, SentAt: at}
	tests := []struct {
		msg      admin.Message
		template string
		facts    map[string]string
		text     []string
	}{
		{admin.LinkInvitation{Partner: p, Link: admin.Link{Kind: admin.LinkTrial, DelegatedAdmin: da}, URL: "https://x.example/trial/c", Note: "Hi", Trial: &trial},
			"trial_invitation", map[string]string{"productName": "Office 365 E1", "trialDays": "30", "delegatedAdmin": "limited", "cloud": "21vianet", "message": "Hi"},
			[]string{"Office 365 E1", "21Vianet"}},
		{admin.LinkInvitation{Partner: p, Link: admin.Link{Kind: admin.LinkOffer}, URL: "https://x.example/offer/c", Lines: []admin.ProductLine{{ProductName: "A", Licenses: 2}}},
			"purchase_offer", map[string]string{"lines": `[{"productName":"A","licenses":2}]`}, []string{"2 × A"}},
		{admin.LinkInvitation{Partner: p, Link: admin.Link{Kind: admin.LinkDelegatedAdmin, DelegatedAdmin: da}, URL: "https://x.example/delegated-admin/c"},
			"delegated_admin_offer", map[string]string{"scope": "limited", "durationDays": "90"}, []string{"90 days"}},
		{admin.CustomerWelcome{Customer: c, Partner: p, Outcome: out}, "customer_welcome",
			map[string]string{"customerName": "Fabrikam", "grantScope": "full", "grantEndsAt": "2027-11-24T10:00:00Z"},
			[]string{"trial of Office 365 E1 (25 licenses) until 2026-12-24", "delegated administration (full) until 2027-11-24"}},
		{admin.PartnerAnswer{Partner: p, Customer: c, Kind: admin.LinkDelegatedAdmin, Declined: true, Outcome: admin.Outcome{DelegatedAdminDeclined: true}},
			"partner_answer", map[string]string{"answer": "declined", "offerKind": "delegated-admin", "grantDeclined": "true", "subscriptions": "[]"}, []string{"declined"}},
		{admin.ServiceRequestSent{Request: sr, Topic: admin.SupportTopic{ID: "exchange-online-21v", Name: "Exchange Online (operated by 21Vianet)"}},
			"service_request_sent", map[string]string{"requestId": sr.ID, "severity": "moderate", "topic": "Exchange Online (operated by 21Vianet)",
				"cc": `["it@fabrikam.example"]`, "sentAt": "2026-11-24T10:00:00Z", "contactPhone": "", "cloud": "21vianet"},
			[]string{"Since Monday\n  no mail.", "24 November 2026 10:00 UTC", "CC:        it@fabrikam.example", "21Vianet"}},
		{admin.ServiceRequestAttention{Request: sr, Note: admin.RequestNote{Text: "Which mailbox?"}}, "service_request_attention",
			map[string]string{"note": "Which mailbox?", "title": "Mail stuck", "partnerName": "Contoso"}, []string{"  Which mailbox?"}},
		{admin.DelegatedAdminEnded{Partner: p, Customer: c, EndedAt: at}, "delegated_admin_ended",
			map[string]string{"endedAt": "2026-11-24T10:00:00Z", "customerDomain": "fabrikam"}, []string{"24 November 2026 10:00 UTC"}},
		{admin.WebhookDisabledNotice{Partner: p, Webhook: admin.Webhook{ID: "whk_1", URL: "https://hooks.contoso.example/pac", DisabledAt: at},
			FailingSince: at.Add(-24 * time.Hour)}, "webhook_disabled",
			map[string]string{"webhookUrl": "https://hooks.contoso.example/pac", "failingSince": "2026-11-23T10:00:00Z", "disabledAt": "2026-11-24T10:00:00Z"},
			[]string{"https://hooks.contoso.example/pac", "23 November 2026 10:00 UTC", "24 November 2026 10:00 UTC", "21Vianet"}},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			oe, err := outboxEmail(admin.Email{ID: "out_1", OrgID: "ptn_1", To: []string{"a@example.com"}, Message: tt.msg})
			if err != nil {
				t.Fatal(err)
			}
			if oe.Template != tt.template {
				t.Fatalf("template = %q, want %q", oe.Template, tt.template)
			}
			for k, v := range tt.facts {
				if oe.Data[k] != v {
					t.Errorf("data[%s] = %q, want %q", k, oe.Data[k], v)
				}
			}
			m, err := email.Render(oe.Template, oe.Data)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			for _, w := range tt.text {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
		})
	}
	t.Run("customer_password_reset", func(t *testing.T) {
		u := admin.User{Email: "robin@fabrikam.example", DisplayName: "Robin"}
		e := admin.Email{ID: "out_3", OrgID: "ptn_1", To: []string{"helpdesk@contoso.example"},
			Message: admin.CustomerPasswordReset{Partner: p, Customer: c, User: u, Password: "Temp-Pass-Word-42"}}
		sealer, err := NewSealer("q0ZQm2kq0b7p3m0pQ8m9a7y3m1n5b6v7c8x9z0a1s2d=")
		if err != nil {
			t.Fatal(err)
		}
		var tx txn
		if err := tx.outbox(&Store{table: "t", Sealer: sealer}, e, at); err != nil {
			t.Fatal(err)
		}
		raw := tx.items[0].Put.Item
		var it OutboxItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			t.Fatal(err)
		}
		if it.Template != "customer_password_reset" || it.Data["userEmail"] != u.Email || it.Data["temporaryPassword"] != "" {
			t.Fatalf("stored shape %+v", it)
		}
		if b, _ := json.Marshal(raw); strings.Contains(string(b), "Temp-Pass-Word-42") {
			t.Fatalf("the stored item holds the password in plaintext: %s", b)
		}
		if _, err := it.Facts(nil); err == nil {
			t.Fatal("sealed facts opened without the key")
		}
		other, _ := NewSealer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		if _, err := it.Facts(other); err == nil {
			t.Fatal("sealed facts opened with another key")
		}
		moved := it
		moved.ID = "out_4"
		if _, err := moved.Facts(sealer); err == nil {
			t.Fatal("sealed facts opened in another item")
		}
		facts, err := it.Facts(sealer)
		if err != nil {
			t.Fatal(err)
		}
		m, err := email.Render(it.Template, facts)
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		for _, w := range []string{"Temp-Pass-Word-42", "Robin (robin@fabrikam.example)", "Fabrikam (fabrikam)", "21Vianet"} {
			if !strings.Contains(m.Text, w) {
				t.Errorf("text lacks %q:\n%s", w, m.Text)
			}
		}
		if err := (&txn{}).outbox(&Store{table: "t"}, e, at); err == nil {
			t.Fatal("a secret was queued without a sealing key")
		}
	})
	if _, err := outboxEmail(admin.Email{ID: "out_2"}); err == nil {
		t.Error("an email without a message encoded; want an error")
	}
}
