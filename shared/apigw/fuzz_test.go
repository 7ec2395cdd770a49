package apigw

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
)

// jsonFold folds a key the way encoding/json matches object keys to struct fields (it matches
// case-insensitively; see the report on strictness): each rune upper(lower(r)).
func jsonFold(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, s)
}

var (
	topFields  = []string{"name", "version", "active", "tags", "address"}
	addrFields = []string{"line1", "country"}
)

func known(key string, fields []string) bool {
	for _, f := range fields {
		if jsonFold(key) == jsonFold(f) {
			return true
		}
	}
	return false
}

// unknownKeys returns the keys of a JSON document that are no field of testBody.
func unknownKeys(body []byte) []string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	var out []string
	for k, v := range doc {
		if !known(k, topFields) {
			out = append(out, k)
			continue
		}
		if jsonFold(k) == jsonFold("address") {
			var addr map[string]json.RawMessage
			if json.Unmarshal(v, &addr) == nil {
				for ak := range addr {
					if !known(ak, addrFields) {
						out = append(out, "address."+ak)
					}
				}
			}
		}
	}
	return out
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","version":1,"active":true,"tags":["x"],"address":{"line1":"l","country":"DE"}}`,
		`{"name":"a","admin":true}`,
		`{"address":{"country":"DE","zip":"1"}}`,
		`{"address":null}`,
		`{"version":"1"}`,
		`{"tags":[1,2]}`,
		`{"name":"a"} {"name":"b"}`,
		`{"name":"a"`,
		`[]`, `null`, `""`, `0`, ``, ` `,
		`{"NAME":"a"}`,
		"{\"name\":\"\xff\"}",
		"{\"n\xffme\":\"a\"}",
		"{\"tags\":[\"a\",\"\xed\xa0\x80\"]}",
		`{"name":"\ud800"}`,
		`{"name":"\ud83d\ude00"}`,
		`{"name":"\\ud800"}`,
		`{"version":1e999}`,
		`{"a":{"b":{"c":[[[[[]]]]]}}}`,
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{}`), "application/problem+json; charset=utf-8")
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`{}`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		ev := events.APIGatewayV2HTTPRequest{Body: string(body), Headers: map[string]string{}}
		if contentType != "" {
			ev.Headers["content-type"] = contentType
		}
		r, err := newRequest(ev)
		if err != nil {
			if admin.ErrorCode(err) != admin.CodePayloadTooLarge {
				t.Fatalf("newRequest = %v", err)
			}
			return
		}
		var v testBody
		err = r.Decode(&v)
		if err != nil {
			var e *admin.Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode error %#v is not an *admin.Error", err)
			}
			switch e.Code {
			case admin.CodeMalformedJSON, admin.CodeUnsupportedMediaType:
			case admin.CodeUnknownField:
				if len(e.Fields) != 1 {
					t.Fatalf("unknown_field without the field: %+v", e)
				}
			default:
				t.Fatalf("Decode code = %q, want malformed_json, unknown_field or unsupported_media_type", e.Code)
			}
			if StatusOf(e.Code) >= 500 {
				t.Fatalf("bad input got status %d", StatusOf(e.Code))
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("Decode accepted invalid JSON %q", body)
		}
		if !utf8.Valid(body) {
			t.Fatalf("Decode accepted a body that is not UTF-8: %q", body)
		}
		if u := unknownKeys(body); len(u) > 0 {
			t.Fatalf("Decode accepted unknown fields %q in %q", u, body)
		}
	})
}

func FuzzIdempotencyKey(f *testing.F) {
	for _, k := range []string{"", "x", "6f1c1c1e-4b7a-4a51-9a0a-3d2c1b0a9f8e", "a b", "a\r\nb", "\x00", "schlüssel", "\xff", strings.Repeat("k", 255), strings.Repeat("k", 256)} {
		f.Add(k, []byte(`{"email":"a@b.example"}`))
	}
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		r := &Request{Event: events.APIGatewayV2HTTPRequest{RouteKey: "POST /users", Headers: map[string]string{"idempotency-key": key}}, body: body}
		idem, err := r.Idempotency("scope")
		valid := len(key) >= 1 && len(key) <= 255
		for i := 0; i < len(key); i++ {
			valid = valid && key[i] >= 0x21 && key[i] <= 0x7e
		}
		switch {
		case key == "":
			if idem != nil || err != nil {
				t.Fatalf("empty key: %v, %v; want nil, nil", idem, err)
			}
		case valid:
			if err != nil || idem == nil || idem.Key != key || len(idem.Fingerprint) != 64 {
				t.Fatalf("valid key %q: %+v, %v", key, idem, err)
			}
			// Deterministic, and bound to the body.
			again, _ := r.Idempotency("scope")
			if again.Fingerprint != idem.Fingerprint {
				t.Fatalf("fingerprint not deterministic")
			}
			other := &Request{Event: r.Event, body: append(append([]byte{}, body...), ' ')}
			if o, _ := other.Idempotency("scope"); o.Fingerprint == idem.Fingerprint {
				t.Fatalf("fingerprint ignores the body")
			}
		default:
			if idem != nil || admin.ErrorCode(err) != admin.CodeInvalidIdempotencyKey {
				t.Fatalf("invalid key %q: %+v, %v; want invalid_idempotency_key", key, idem, err)
			}
		}
	})
}
