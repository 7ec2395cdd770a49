package email

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sample returns complete data for a template in a cloud.
func sample(template, cloud string) map[string]string {
	d := map[string]string{
		"partnerName": "Contoso Partners", "partnerPhone": "+49 30 1234567", "partnerEmail": "contact@contoso.example",
		"partnerWebsite": "https://contoso.example", "cloud": cloud, "link": "https://admin.example.com/trial/abcDEF123",
		"productName": "Business Premium", "trialDays": "30", "message": "Hi!\nLet us talk.", "delegatedAdmin": "limited",
		"lines": "2 × Product A; 5 × Product B", "scope": "full", "duration": "730 days",
		"customerName": "Fabrikam Ltd", "summary": "trial of Business Premium (25 licenses) until 2026-12-24",
		"customerDomain": "fabrikam", "offerKind": "trial", "answer": "accepted", "endedAt": "2 January 2026 15:04 UTC",
		"requestId": "srq_01jtgd00000000000000000001", "title": "Mail stuck", "severity": "critical", "topic": "Exchange Online",
		"description": "Since Monday\nno mail.", "contactName": "Cara", "contactEmail": "cara@fabrikam.example", "contactPhone": "+1 555 0100",
		"cc": `["it@fabrikam.example"]`, "sentAt": "2026-01-02T15:04:00Z", "note": "Which mailbox?\nSend a header.",
		"userName": "Robin Doe", "userEmail": "robin@fabrikam.example", "temporaryPassword": "Temp-Pass-Word-42",
		"subscriptionId": "sub_01jtgd00000000000000000001", "eventKind": "subscription.licenses_changed", "licenses": "30", "status": "active",
		"previousLicenses": "25", "previousStatus": "active", "changedAt": "2026-01-02T15:04:00Z", "porRole": "",
		"webhookId": "whk_01jtgd00000000000000000001", "webhookUrl": "https://hooks.contoso.example/pac",
		"failingSince": "2026-01-01T15:04:00Z", "disabledAt": "2026-01-02T15:04:00Z",
		"audience": "customer", "trialEndsAt": "24 December 2026 10:00 UTC", "inDays": "in 7 days",
		"endsAt": "24 December 2026 10:00 UTC", "previousEndsAt": "26 June 2026 10:00 UTC", "convertBy": "23 January 2027 10:00 UTC",
		"extends": "true", "autoExtendRefused": "true",
	}
	req, opt, _ := Fields(template)
	out := map[string]string{}
	for _, f := range append(req, opt...) {
		out[f] = d[f]
	}
	return out
}

func TestEveryTemplateInBothClouds(t *testing.T) {
	if len(Templates()) != 17 {
		t.Fatalf("templates %v, want the seventeen of docs/architecture.md", Templates())
	}
	for _, name := range Templates() {
		for _, cloud := range []string{CloudGlobal, Cloud21Vianet} {
			t.Run(name+"/"+cloud, func(t *testing.T) {
				d := sample(name, cloud)
				m, err := Render(name, d)
				if err != nil {
					t.Fatal(err)
				}
				if m.Subject == "" || m.Text == "" || !strings.HasPrefix(m.HTML, "<!DOCTYPE html>") {
					t.Fatalf("incomplete message %+v", m)
				}
				if strings.Contains(m.Text+m.HTML+m.Subject, "<no value>") {
					t.Errorf("a field rendered as <no value>")
				}
				vianet := strings.Contains(m.Text, "21Vianet") && strings.Contains(m.HTML, "21Vianet")
				if vianet != (cloud == Cloud21Vianet) {
					t.Errorf("21Vianet wording present = %v in cloud %s:\n%s", vianet, cloud, m.Text)
				}
				for _, f := range []string{"partnerName", "customerName", "productName", "link", "partnerPhone", "partnerEmail", "scope"} {
					v, ok := d[f]
					if !ok || f == "scope" {
						continue
					}
					if !strings.Contains(m.Text, v) {
						t.Errorf("text body lacks %s %q", f, v)
					}
					if !strings.Contains(m.HTML, strings.ReplaceAll(v, "+", "&#43;")) {
						t.Errorf("HTML body lacks %s %q", f, v)
					}
				}
				if _, ok := d["link"]; ok && !strings.Contains(m.HTML, `href="`+d["link"]+`"`) {
					t.Errorf("HTML body has no link to %s", d["link"])
				}
			})
		}
	}
	// The two clouds' wording differs in the sign-up note of the link emails.
	g, _ := Render("trial_invitation", sample("trial_invitation", CloudGlobal))
	v, _ := Render("trial_invitation", sample("trial_invitation", Cloud21Vianet))
	if !strings.Contains(v.Text, "accounts of the global cloud services cannot be used") || strings.Contains(g.Text, "cannot be used") {
		t.Errorf("sign-up notes:\n%s\n---\n%s", g.Text, v.Text)
	}
}

func TestRenderRejects(t *testing.T) {
	if _, err := Render("nope", map[string]string{}); err == nil || !strings.Contains(err.Error(), "unknown template") {
		t.Errorf("unknown template: %v", err)
	}
	for _, name := range Templates() {
		req, _, _ := Fields(name)
		for _, f := range req {
			d := sample(name, CloudGlobal)
			delete(d, f)
			if _, err := Render(name, d); err == nil || !strings.Contains(err.Error(), f) {
				t.Errorf("%s without %s: %v", name, f, err)
			}
			d[f] = " \r\n\t "
			if _, err := Render(name, d); err == nil {
				t.Errorf("%s with blank %s: rendered", name, f)
			}
		}
	}
	for field, bad := range map[string]string{"cloud": "mars", "delegatedAdmin": "all", "link": "javascript:alert(1)"} {
		d := sample("trial_invitation", CloudGlobal)
		d[field] = bad
		if _, err := Render("trial_invitation", d); err == nil {
			t.Errorf("%s=%q rendered", field, bad)
		}
	}
	d := sample("partner_answer", CloudGlobal)
	delete(d, "cloud")
	if m, err := Render("partner_answer", d); err != nil || strings.Contains(m.Text, "21Vianet") {
		t.Errorf("partner_answer without cloud (global by default): %v", err)
	}
}

// TestNoLineBreakReachesTheSubject puts CR/LF (and their Unicode cousins) with a would-be header
// into every field of every template: the subject stays one line without the header.
func TestNoLineBreakReachesTheSubject(t *testing.T) {
	injections := []string{"\r\nBcc: victim@example.com", "\nBcc: victim@example.com", "\rBcc: victim@example.com",
		"\u2028Bcc: victim@example.com", "\u0085Bcc: victim@example.com", "%0d%0aBcc: victim@example.com\x00"}
	for _, name := range Templates() {
		for _, cloud := range []string{CloudGlobal, Cloud21Vianet} {
			for _, inj := range injections {
				d := sample(name, cloud)
				for f, v := range d {
					if _, isEnum := enums[f]; isEnum || f == "link" || f == "partnerWebsite" {
						continue
					}
					d[f] = v + inj
				}
				m, err := Render(name, d)
				if err != nil {
					t.Fatalf("%s/%s: %v", name, cloud, err)
				}
				if strings.ContainsFunc(m.Subject, isBreakOrControl) || len([]rune(m.Subject)) > MaxSubject {
					t.Errorf("%s/%s: subject %q", name, cloud, m.Subject)
				}
				if strings.ContainsAny(m.Text, "\r\x00\u2028\u0085") {
					t.Errorf("%s/%s: text body keeps a CR, NUL or separator", name, cloud)
				}
			}
		}
	}
	if got := Subject("a\r\nBcc: x@example.com\tb" + strings.Repeat("y", 300)); strings.ContainsAny(got, "\r\n\t") || len([]rune(got)) != MaxSubject {
		t.Errorf("Subject = %q", got)
	}
}

func TestHTMLIsEscaped(t *testing.T) {
	d := sample("trial_invitation", CloudGlobal)
	d["partnerName"] = `<script>alert("x")</script>`
	d["message"] = `<img src=x onerror=alert(1)> & "quotes"`
	d["productName"] = `</strong><a href="https://evil.example">click</a>`
	d["partnerWebsite"] = `javascript:alert(1)`
	m, err := Render("trial_invitation", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", `href="https://evil.example"`, "javascript:"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;") || !strings.Contains(m.HTML, "&lt;img src=x") {
		t.Errorf("escaped text missing:\n%s", m.HTML)
	}
	// The text body is plain text: the value as written.
	if !strings.Contains(m.Text, `<script>alert("x")</script>`) {
		t.Errorf("text body changed the value")
	}
}

func TestLongValuesAreCapped(t *testing.T) {
	d := sample("trial_invitation", CloudGlobal)
	d["message"] = strings.Repeat("m", 5000)
	d["partnerName"] = strings.Repeat("p", 1000)
	m, err := Render("trial_invitation", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, strings.Repeat("m", MaxLongValue)) || strings.Contains(m.Text, strings.Repeat("p", MaxValue)) {
		t.Error("values not capped")
	}
}

type fakeSES struct {
	in  *sesv2.SendEmailInput
	err error
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = in
	if f.err != nil {
		return nil, f.err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String("msg-1")}, nil
}

func TestSenderUsesSimpleContent(t *testing.T) {
	f := &fakeSES{}
	s := &Sender{SES: f}
	id, err := s.Send(context.Background(), "no-reply@example.com", []string{"a@example.com"}, Message{Subject: "Hi\r\nBcc: x@example.com", Text: "t", HTML: "<p>h</p>"})
	if err != nil || id != "msg-1" {
		t.Fatal(id, err)
	}
	c := f.in.Content
	if c.Raw != nil || c.Template != nil || c.Simple == nil || *c.Simple.Subject.Data != "Hi Bcc: x@example.com" ||
		*c.Simple.Body.Text.Data != "t" || *c.Simple.Body.Html.Data != "<p>h</p>" || *c.Simple.Subject.Charset != "UTF-8" {
		t.Errorf("content %+v", c.Simple)
	}
	for _, to := range [][]string{nil, {"a@example.com\r\nBcc: x@example.com"}, {"a@example.com, b@example.com"}} {
		if _, err := s.Send(context.Background(), "no-reply@example.com", to, Message{Subject: "s", Text: "t"}); Classify(err) != Permanent {
			t.Errorf("to %q: %v", to, err)
		}
	}
}

func TestClassify(t *testing.T) {
	resp := func(code int, err error) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: err}
	}
	cases := []struct {
		name  string
		err   error
		want  Class
		throt bool
	}{
		{"throttled", &types.TooManyRequestsException{}, Retryable, true},
		{"limit", &types.LimitExceededException{}, Retryable, true},
		{"throttled wrapped", resp(429, &types.TooManyRequestsException{}), Retryable, true},
		{"throttling code", &smithy.GenericAPIError{Code: "ThrottlingException"}, Retryable, true},
		{"paused", &types.SendingPausedException{}, Paused, false},
		{"suspended", &types.AccountSuspendedException{}, Paused, false},
		{"rejected", &types.MessageRejected{}, Permanent, false},
		{"bad request", &types.BadRequestException{}, Permanent, false},
		{"mail from", &types.MailFromDomainNotVerifiedException{}, Permanent, false},
		{"not found", &types.NotFoundException{}, Permanent, false},
		{"rejected by code", &smithy.GenericAPIError{Code: "MessageRejected"}, Permanent, false},
		{"5xx", resp(503, &smithy.GenericAPIError{Code: "ServiceUnavailable"}), Retryable, false},
		{"internal", &types.InternalServiceErrorException{}, Retryable, false},
		{"timeout", context.DeadlineExceeded, Retryable, false},
		{"network", errors.New("dial tcp: connection refused"), Retryable, false},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException"}, Retryable, false},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if got := Throttled(c.err); got != c.throt {
			t.Errorf("%s: Throttled %v, want %v", c.name, got, c.throt)
		}
	}
}
