package apigw

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
)

// testAddress and testBody are a route body with a nested object, the shape handlers decode.
type testAddress struct {
	Line1   string `json:"line1"`
	Country string `json:"country"`
}

type testBody struct {
	Name    string       `json:"name"`
	Version int          `json:"version"`
	Active  bool         `json:"active"`
	Tags    []string     `json:"tags"`
	Address *testAddress `json:"address"`
}

func request(body string, headers map[string]string) *Request {
	return &Request{Event: events.APIGatewayV2HTTPRequest{Headers: headers, Body: body}, body: []byte(body)}
}

// asError returns err as *admin.Error or fails the test.
func asError(t *testing.T, err error) *admin.Error {
	t.Helper()
	var e *admin.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %#v, want *admin.Error", err)
	}
	return e
}

func TestDecode(t *testing.T) {
	jsonCT := map[string]string{"content-type": "application/json"}
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		code    admin.Code // "" = ok
		field   string
		want    testBody
	}{
		{name: "ok", body: `{"name":"a","version":2,"active":true,"tags":["x"],"address":{"line1":"l","country":"DE"}}`, headers: jsonCT,
			want: testBody{Name: "a", Version: 2, Active: true, Tags: []string{"x"}, Address: &testAddress{Line1: "l", Country: "DE"}}},
		{name: "no content type", body: `{"name":"a"}`, want: testBody{Name: "a"}},
		{name: "charset parameter", body: `{"name":"a"}`, headers: map[string]string{"content-type": "application/json; charset=utf-8"}, want: testBody{Name: "a"}},
		{name: "upper-case media type", body: `{"name":"a"}`, headers: map[string]string{"content-type": "Application/JSON"}, want: testBody{Name: "a"}},
		{name: "+json suffix", body: `{"name":"a"}`, headers: map[string]string{"content-type": "application/merge-patch+json"}, want: testBody{Name: "a"}},
		{name: "problem+json", body: `{"name":"a"}`, headers: map[string]string{"content-type": "application/problem+json"}, want: testBody{Name: "a"}},
		{name: "surrounding whitespace", body: "\n {\"name\":\"a\"} \r\n", want: testBody{Name: "a"}},

		{name: "text/plain", body: `{"name":"a"}`, headers: map[string]string{"content-type": "text/plain"}, code: admin.CodeUnsupportedMediaType},
		{name: "form", body: `name=a`, headers: map[string]string{"content-type": "application/x-www-form-urlencoded"}, code: admin.CodeUnsupportedMediaType},
		{name: "multipart", body: `--x`, headers: map[string]string{"content-type": "multipart/form-data; boundary=x"}, code: admin.CodeUnsupportedMediaType},
		{name: "unparsable content type", body: `{}`, headers: map[string]string{"content-type": "application/json; ;;"}, code: admin.CodeUnsupportedMediaType},
		{name: "json prefix only", body: `{}`, headers: map[string]string{"content-type": "application/jsonx"}, code: admin.CodeUnsupportedMediaType},

		{name: "empty body", body: ``, code: admin.CodeMalformedJSON},
		{name: "whitespace body", body: " \n\t ", code: admin.CodeMalformedJSON},
		{name: "unknown field", body: `{"name":"a","admin":true}`, code: admin.CodeUnknownField, field: "admin"},
		{name: "unknown nested field", body: `{"address":{"country":"DE","zip":"1"}}`, code: admin.CodeUnknownField, field: "address.zip"},
		{name: "unknown field with quotes", body: `{"a\"b":1}`, code: admin.CodeUnknownField, field: `a"b`},
		{name: "wrong type string for number", body: `{"version":"2"}`, code: admin.CodeMalformedJSON, field: "version"},
		{name: "wrong type number for string", body: `{"name":7}`, code: admin.CodeMalformedJSON, field: "name"},
		{name: "wrong type bool", body: `{"active":"yes"}`, code: admin.CodeMalformedJSON, field: "active"},
		{name: "wrong type object for array", body: `{"tags":{}}`, code: admin.CodeMalformedJSON, field: "tags"},
		{name: "wrong nested type", body: `{"address":{"country":49}}`, code: admin.CodeMalformedJSON, field: "address.country"},
		{name: "fraction for int", body: `{"version":1.5}`, code: admin.CodeMalformedJSON, field: "version"},
		{name: "overflow", body: `{"version":1e400}`, code: admin.CodeMalformedJSON, field: "version"},
		{name: "array body", body: `[]`, code: admin.CodeMalformedJSON},
		{name: "string body", body: `"x"`, code: admin.CodeMalformedJSON},
		{name: "syntax error", body: `{"name":}`, code: admin.CodeMalformedJSON},
		{name: "trailing comma", body: `{"name":"a",}`, code: admin.CodeMalformedJSON},
		{name: "truncated", body: `{"name":"a"`, code: admin.CodeMalformedJSON},
		{name: "truncated string in an array", body: `{"tags":["x`, code: admin.CodeMalformedJSON},
		{name: "unterminated string in a top-level array", body: `["`, code: admin.CodeMalformedJSON},
		{name: "truncated nested arrays", body: `{"tags":[[["`, code: admin.CodeMalformedJSON},
		{name: "trailing data", body: `{"name":"a"} x`, code: admin.CodeMalformedJSON},
		{name: "two values", body: `{"name":"a"}{"name":"b"}`, code: admin.CodeMalformedJSON},
		{name: "trailing value after whitespace", body: "{}\n[]", code: admin.CodeMalformedJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got testBody
			err := request(tt.body, tt.headers).Decode(&got)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Decode = %v, want nil", err)
				}
				if got.Name != tt.want.Name || got.Version != tt.want.Version || got.Active != tt.want.Active ||
					strings.Join(got.Tags, ",") != strings.Join(tt.want.Tags, ",") || (got.Address == nil) != (tt.want.Address == nil) ||
					(got.Address != nil && *got.Address != *tt.want.Address) {
					t.Errorf("decoded %+v, want %+v", got, tt.want)
				}
				return
			}
			e := asError(t, err)
			if e.Code != tt.code {
				t.Fatalf("code = %q (%s), want %q", e.Code, e.Message, tt.code)
			}
			if tt.field == "" {
				return
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
				t.Errorf("fields = %+v, want one naming %q", e.Fields, tt.field)
			}
			if !strings.Contains(e.Message, tt.field) && !strings.Contains(e.Message, strconv.Quote(tt.field)) {
				t.Errorf("message = %q, want it to name %q", e.Message, tt.field)
			}
		})
	}
}

func TestNewRequestBody(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name   string
		body   string
		isB64  bool
		code   admin.Code
		wantLn int
	}{
		{"plain", `{"a":1}`, false, "", 7},
		{"base64", b64([]byte(`{"name":"ä"}`)), true, "", len(`{"name":"ä"}`)},
		{"base64 binary", b64([]byte{0, 1, 2, 0xff}), true, "", 4},
		{"bad base64", "%%%", true, admin.CodeMalformedJSON, 0},
		{"url-safe base64 refused", "-_-_", true, admin.CodeMalformedJSON, 0},
		{"exactly the limit", strings.Repeat("x", MaxBodyBytes), false, "", MaxBodyBytes},
		{"one byte over", strings.Repeat("x", MaxBodyBytes+1), false, admin.CodePayloadTooLarge, 0},
		{"base64 at the limit", b64([]byte(strings.Repeat("x", MaxBodyBytes))), true, "", MaxBodyBytes},
		{"base64 over the limit after decoding", b64([]byte(strings.Repeat("x", MaxBodyBytes+1))), true, admin.CodePayloadTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newRequest(events.APIGatewayV2HTTPRequest{Body: tt.body, IsBase64Encoded: tt.isB64})
			if tt.code != "" {
				if e := asError(t, err); e.Code != tt.code {
					t.Errorf("code = %q, want %q", e.Code, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("newRequest = %v, want nil", err)
			}
			if len(r.Body()) != tt.wantLn {
				t.Errorf("len(body) = %d, want %d", len(r.Body()), tt.wantLn)
			}
		})
	}
	t.Run("base64 body decodes as JSON", func(t *testing.T) {
		r, err := newRequest(events.APIGatewayV2HTTPRequest{Body: b64([]byte(`{"name":"ä"}`)), IsBase64Encoded: true})
		if err != nil {
			t.Fatal(err)
		}
		var got testBody
		if err := r.Decode(&got); err != nil || got.Name != "ä" {
			t.Errorf("Decode = %v, %+v; want name ä", err, got)
		}
	})
}

func queryRequest(q map[string]string) *Request {
	return &Request{Event: events.APIGatewayV2HTTPRequest{QueryStringParameters: q}}
}

func TestQueryInt(t *testing.T) {
	tests := []struct {
		name  string
		q     map[string]string
		want  int
		fails bool
	}{
		{"absent", nil, 50, false},
		{"value", map[string]string{"limit": "10"}, 10, false},
		{"min", map[string]string{"limit": "1"}, 1, false},
		{"max", map[string]string{"limit": "100"}, 100, false},
		{"below min", map[string]string{"limit": "0"}, 0, true},
		{"above max", map[string]string{"limit": "101"}, 0, true},
		{"negative", map[string]string{"limit": "-5"}, 0, true},
		{"empty", map[string]string{"limit": ""}, 0, true},
		{"not a number", map[string]string{"limit": "ten"}, 0, true},
		{"fraction", map[string]string{"limit": "1.5"}, 0, true},
		{"space", map[string]string{"limit": " 5"}, 0, true},
		{"huge", map[string]string{"limit": "99999999999999999999999"}, 0, true},
		{"other parameter", map[string]string{"cursor": "x"}, 50, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := queryRequest(tt.q).QueryInt("limit", 50, 1, 100)
			if tt.fails {
				e := asError(t, err)
				if e.Code != admin.CodeInvalidQuery || len(e.Fields) != 1 || e.Fields[0].Field != "limit" {
					t.Errorf("err = %+v, want invalid_query naming limit", e)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("QueryInt = %d, %v; want %d, nil", got, err, tt.want)
			}
		})
	}
}

func TestQueryTime(t *testing.T) {
	tests := []struct {
		name  string
		q     map[string]string
		want  time.Time
		fails bool
	}{
		{"absent", nil, time.Time{}, false},
		{"utc", map[string]string{"from": "2026-11-24T10:00:00Z"}, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), false},
		{"offset", map[string]string{"from": "2026-11-24T11:00:00+01:00"}, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), false},
		{"fraction", map[string]string{"from": "2026-11-24T10:00:00.5Z"}, time.Date(2026, 11, 24, 10, 0, 0, 5e8, time.UTC), false},
		{"date only", map[string]string{"from": "2026-11-24"}, time.Time{}, true},
		{"no zone", map[string]string{"from": "2026-11-24T10:00:00"}, time.Time{}, true},
		{"epoch", map[string]string{"from": "1700000000"}, time.Time{}, true},
		{"empty", map[string]string{"from": ""}, time.Time{}, true},
		{"month 13", map[string]string{"from": "2026-13-01T00:00:00Z"}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := queryRequest(tt.q).QueryTime("from")
			if tt.fails {
				if e := asError(t, err); e.Code != admin.CodeInvalidQuery || e.Fields[0].Field != "from" {
					t.Errorf("err = %+v, want invalid_query naming from", e)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("QueryTime = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestAllowQuery(t *testing.T) {
	tests := []struct {
		name  string
		q     map[string]string
		field string // "" = allowed
	}{
		{"none", nil, ""},
		{"allowed", map[string]string{"limit": "1", "cursor": "x"}, ""},
		{"unknown", map[string]string{"limit": "1", "partnerId": "ptn_x"}, "partnerId"},
		{"case matters", map[string]string{"Limit": "1"}, "Limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := queryRequest(tt.q).AllowQuery("limit", "cursor")
			if tt.field == "" {
				if err != nil {
					t.Errorf("AllowQuery = %v, want nil", err)
				}
				return
			}
			if e := asError(t, err); e.Code != admin.CodeInvalidQuery || e.Fields[0].Field != tt.field {
				t.Errorf("err = %+v, want invalid_query naming %s", e, tt.field)
			}
		})
	}
	if err := queryRequest(map[string]string{"x": "1"}).AllowQuery(); err == nil {
		t.Errorf("AllowQuery() with no names accepted a parameter")
	}
	if got := queryRequest(map[string]string{"q": "v"}).Query("q"); got != "v" {
		t.Errorf("Query = %q, want v", got)
	}
}

func idemRequest(route, body, key string) *Request {
	h := map[string]string{}
	if key != "" {
		h["idempotency-key"] = key
	}
	return &Request{Event: events.APIGatewayV2HTTPRequest{RouteKey: route, Headers: h}, body: []byte(body)}
}

func TestIdempotencyKey(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		valid bool
	}{
		{"uuid", "6f1c1c1e-4b7a-4a51-9a0a-3d2c1b0a9f8e", true},
		{"one char", "x", true},
		{"visible ascii", "!~azAZ09-_.:/+=", true},
		{"255", strings.Repeat("k", 255), true},
		{"256", strings.Repeat("k", 256), false},
		{"space", "a b", false},
		{"tab", "a\tb", false},
		{"CRLF", "a\r\nb", false},
		{"NUL", "a\x00", false},
		{"DEL", "a\x7f", false},
		{"non-ascii", "schlüssel", false},
		{"invalid utf-8", "a\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idem, err := idemRequest("POST /users", `{}`, tt.key).Idempotency("scope")
			if !tt.valid {
				e := asError(t, err)
				if e.Code != admin.CodeInvalidIdempotencyKey || len(e.Fields) != 1 || e.Fields[0].Field != "Idempotency-Key" {
					t.Errorf("err = %+v, want invalid_idempotency_key naming Idempotency-Key", e)
				}
				if idem != nil {
					t.Errorf("idem = %+v alongside an error", idem)
				}
				return
			}
			if err != nil || idem == nil {
				t.Fatalf("Idempotency = %v, %v; want a record", idem, err)
			}
			if idem.Key != tt.key || idem.Scope != "scope" || len(idem.Fingerprint) != 64 || idem.ResourceID != "" {
				t.Errorf("idem = %+v", idem)
			}
		})
	}
	t.Run("absent", func(t *testing.T) {
		idem, err := idemRequest("POST /users", `{}`, "").Idempotency("scope")
		if idem != nil || err != nil {
			t.Errorf("Idempotency = %v, %v; want nil, nil", idem, err)
		}
	})
}

func TestIdempotencyFingerprint(t *testing.T) {
	fp := func(route, body string) string {
		t.Helper()
		idem, err := idemRequest(route, body, "k").Idempotency("s")
		if err != nil {
			t.Fatal(err)
		}
		return idem.Fingerprint
	}
	base := fp("POST /users", `{"email":"a@b.example"}`)
	tests := []struct {
		name        string
		route, body string
		same        bool
	}{
		{"same request", "POST /users", `{"email":"a@b.example"}`, true},
		{"other body", "POST /users", `{"email":"c@b.example"}`, false},
		{"other whitespace", "POST /users", `{"email": "a@b.example"}`, false},
		{"other route", "POST /operator/partners", `{"email":"a@b.example"}`, false},
		{"route/body boundary shifted", "POST /users{", `"email":"a@b.example"}`, false},
		{"empty body", "POST /users", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fp(tt.route, tt.body) == base; got != tt.same {
				t.Errorf("equal fingerprint = %v, want %v", got, tt.same)
			}
		})
	}
	// The key itself does not enter the fingerprint: it is matched separately.
	a, _ := idemRequest("POST /users", `{}`, "k1").Idempotency("s")
	b, _ := idemRequest("POST /users", `{}`, "k2").Idempotency("s")
	if a.Fingerprint != b.Fingerprint {
		t.Errorf("fingerprints differ by key: %s vs %s", a.Fingerprint, b.Fingerprint)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"ok", "Bearer abc.def.ghi", "abc.def.ghi"},
		{"lower-case scheme", "bearer abc", "abc"},
		{"upper-case scheme", "BEARER abc", "abc"},
		{"extra spaces", "Bearer    abc  ", "abc"},
		{"missing", "", ""},
		{"scheme only", "Bearer", ""},
		{"scheme and spaces", "Bearer    ", ""},
		{"basic", "Basic dXNlcjpwdw==", ""},
		{"token only", "abc.def.ghi", ""},
		{"no space", "Bearerabc", ""},
		{"tab separator", "Bearer\tabc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.header != "" {
				h["authorization"] = tt.header
			}
			r := &Request{Event: events.APIGatewayV2HTTPRequest{Headers: h}}
			got, err := r.BearerToken()
			if tt.want == "" {
				if e := asError(t, err); e.Code != admin.CodeUnauthenticated || got != "" {
					t.Errorf("BearerToken = %q, %v; want unauthenticated", got, e)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("BearerToken = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestOperatorARN(t *testing.T) {
	arn := "arn:aws:iam::123456789012:user/operator"
	tests := []struct {
		name string
		auth *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
		want string
	}{
		{"iam", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: arn}}, arn},
		{"no authorizer", nil, ""},
		{"jwt authorizer", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}, ""},
		{"empty arn", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Request{Event: events.APIGatewayV2HTTPRequest{RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: tt.auth}}}
			got, err := r.OperatorARN()
			if tt.want == "" {
				if e := asError(t, err); e.Code != admin.CodeForbidden {
					t.Errorf("code = %s, want forbidden", e.Code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("OperatorARN = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestHeaderAndPathParam(t *testing.T) {
	r := &Request{Event: events.APIGatewayV2HTTPRequest{Headers: map[string]string{"x-thing": "v"}, PathParameters: map[string]string{"userId": "usr_1"}}}
	if got := r.Header("X-Thing"); got != "v" {
		t.Errorf("Header(X-Thing) = %q, want v (names are lower-cased)", got)
	}
	if got := r.PathParam("userId"); got != "usr_1" {
		t.Errorf("PathParam = %q, want usr_1", got)
	}
}
