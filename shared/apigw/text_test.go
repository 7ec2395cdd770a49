package apigw

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
)

// testList is a body with an array of strings and a map, the shapes of recipients and free-form
// objects.
type testList struct {
	Recipients []string          `json:"recipients"`
	Labels     map[string]string `json:"labels"`
	Address    *testAddress      `json:"address"`
}

// TestDecodeRefusesNonText: a string (value or key) that is not Unicode text is a 400
// malformed_json naming its field, never decoded with U+FFFD in its place.
func TestDecodeRefusesNonText(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		field string // "" = accepted
		want  string // the accepted value of recipients[0]
	}{
		{name: "raw \\xff\\xfe", body: "{\"recipients\":[\"a\xff\xfeb\"]}", field: "recipients[0]"},
		{name: "second element", body: "{\"recipients\":[\"ok\",\"\xff\"]}", field: "recipients[1]"},
		{name: "nested field", body: "{\"address\":{\"line1\":\"1 Street\",\"country\":\"D\xe9\"}}", field: "address.country"},
		{name: "map value", body: "{\"labels\":{\"team\":\"\xc3\"}}", field: "labels.team"},
		{name: "truncated sequence", body: "{\"recipients\":[\"\xe2\x82\"]}", field: "recipients[0]"},
		{name: "overlong encoding", body: "{\"recipients\":[\"\xc0\xaf\"]}", field: "recipients[0]"},
		{name: "UTF-8-encoded surrogate", body: "{\"recipients\":[\"\xed\xa0\x80\"]}", field: "recipients[0]"},
		{name: "code point above U+10FFFF", body: "{\"recipients\":[\"\xf4\x90\x80\x80\"]}", field: "recipients[0]"},
		{name: "Latin-1 after valid text", body: "{\"recipients\":[\"M\xfcller\"]}", field: "recipients[0]"},
		{name: "escaped lone high surrogate", body: `{"recipients":["\ud800"]}`, field: "recipients[0]"},
		{name: "escaped lone low surrogate", body: `{"recipients":["x\uDC00y"]}`, field: "recipients[0]"},
		{name: "high surrogate at the end", body: `{"recipients":["abc\ud83d"]}`, field: "recipients[0]"},
		{name: "high surrogate then a letter", body: `{"recipients":["\ud800\u0041"]}`, field: "recipients[0]"},
		{name: "two high surrogates", body: `{"recipients":["\ud83d\ud83d"]}`, field: "recipients[0]"},
		{name: "reversed pair", body: `{"recipients":["\ude00\ud83d"]}`, field: "recipients[0]"},
		{name: "high surrogate then a raw low escape text", body: `{"recipients":["\ud83dude00"]}`, field: "recipients[0]"},
		{name: "key not UTF-8", body: "{\"recipients\":[],\"n\xffme\":\"x\"}", field: "n\uFFFDme"},
		{name: "nested key not UTF-8", body: "{\"address\":{\"li\xfene1\":\"x\"}}", field: "address.li\uFFFDne1"},
		{name: "map key not UTF-8", body: "{\"labels\":{\"\xff\":\"x\"}}", field: "labels.\uFFFD"},
		{name: "key with a lone surrogate", body: `{"\udfff":1}`, field: "\uFFFD"},
		{name: "wrong type and not UTF-8", body: "{\"address\":{\"country\":\"\xff\"},\"recipients\":7}", field: "address.country"},

		{name: "valid UTF-8", body: `{"recipients":["Müller 😀 東京"]}`, want: "Müller 😀 東京"},
		{name: "escaped pair", body: `{"recipients":["\ud83d\ude00"]}`, want: "😀"},
		{name: "escaped pair, upper case", body: `{"recipients":["\uD83D\uDE00!"]}`, want: "😀!"},
		{name: "U+FFFD sent raw", body: `{"recipients":["a�b"]}`, want: "a\uFFFDb"},
		{name: "U+FFFD sent escaped", body: `{"recipients":["a\ufffdb"]}`, want: "a\uFFFDb"},
		{name: "escaped backslash before u", body: `{"recipients":["\\ud800"]}`, want: `\ud800`},
		{name: "other escapes", body: `{"recipients":["\"\\\/\b\f\n\r\t\u00e9"]}`, want: "\"\\/\b\f\n\r\té"},
		{name: "noncharacter U+FFFF is text", body: `{"recipients":["\uffff"]}`, want: "\uffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got testList
			err := request(tt.body, map[string]string{"content-type": "application/json"}).Decode(&got)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Decode = %v, want nil", err)
				}
				if len(got.Recipients) != 1 || got.Recipients[0] != tt.want {
					t.Fatalf("decoded %q, want [%q]", got.Recipients, tt.want)
				}
				return
			}
			e := asError(t, err)
			if e.Code != admin.CodeMalformedJSON || len(e.Fields) != 1 || e.Fields[0].Field != tt.field || e.Fields[0].Code != "encoding" {
				t.Fatalf("err = %+v, want malformed_json naming %q with code encoding", e, tt.field)
			}
			if !strings.HasPrefix(e.Message, tt.field+" ") || !(strings.Contains(e.Message, "UTF-8") || strings.Contains(e.Message, "surrogate")) {
				t.Errorf("message = %q, want it to name %q and say why", e.Message, tt.field)
			}
		})
	}
}

// TestLambdaRefusesNonText: through the adapter, as API Gateway delivers it (also base64-encoded),
// a body that is not UTF-8 is a 400 problem and never reaches the handler.
func TestLambdaRefusesNonText(t *testing.T) {
	body := "{\"name\":\"Evil \xff\xfe Corp\"}"
	h := func(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
		var b testBody
		if err := r.Decode(&b); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		t.Errorf("the handler got %q", b.Name)
		return NoContent()
	}
	for _, ev := range []events.APIGatewayV2HTTPRequest{
		event(body),
		func() events.APIGatewayV2HTTPRequest {
			ev := event(base64.StdEncoding.EncodeToString([]byte(body)))
			ev.IsBase64Encoded = true
			return ev
		}(),
	} {
		capture(t)
		resp, err := Lambda("update-user", h)(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		p := decodeProblem(t, resp)
		if resp.StatusCode != 400 || p.Code != admin.CodeMalformedJSON || p.Field != "name" || len(p.Errors) != 1 || p.Errors[0].Code != "encoding" {
			t.Errorf("base64 %v: %d %+v", ev.IsBase64Encoded, resp.StatusCode, p)
		}
	}
}

func TestAllowQueryRefusesNonText(t *testing.T) {
	for _, tt := range []struct {
		name  string
		q     map[string]string
		field string
	}{
		{"value", map[string]string{"cursor": "a\xffb"}, "cursor"},
		{"name", map[string]string{"lim\xffit": "1"}, "lim\uFFFDit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := asError(t, queryRequest(tt.q).AllowQuery("limit", "cursor"))
			if e.Code != admin.CodeInvalidQuery || e.Fields[0].Field != tt.field || !strings.Contains(e.Message, "UTF-8") {
				t.Errorf("err = %+v, want invalid_query naming %q", e, tt.field)
			}
		})
	}
	if err := queryRequest(map[string]string{"cursor": "Müller"}).AllowQuery("limit", "cursor"); err != nil {
		t.Errorf("AllowQuery refused UTF-8: %v", err)
	}
}
