package apigw

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
)

// MaxBodyBytes is the largest request body a route accepts (API4: resource limits).
const MaxBodyBytes = 64 << 10

// Request is one HTTP API request.
type Request struct {
	Event events.APIGatewayV2HTTPRequest
	body  []byte
}

// Header returns a header (API Gateway lower-cases header names in payload 2.0).
func (r *Request) Header(name string) string { return r.Event.Headers[strings.ToLower(name)] }

// PathParam returns a path parameter.
func (r *Request) PathParam(name string) string { return r.Event.PathParameters[name] }

// Body returns the raw body, decoded from base64 when API Gateway encoded it.
func (r *Request) Body() []byte { return r.body }

func newRequest(ev events.APIGatewayV2HTTPRequest) (*Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, admin.Errorf(admin.CodeMalformedJSON, "the body is not valid base64")
		}
		body = b
	}
	if len(body) > MaxBodyBytes {
		return nil, admin.Errorf(admin.CodePayloadTooLarge, "the body has %d bytes; at most %d are accepted", len(body), MaxBodyBytes)
	}
	return &Request{Event: ev, body: body}, nil
}

// Decode reads the JSON body into v: the content type must be JSON, unknown fields are refused,
// the body must be exactly one JSON value, and a wrong type names its field.
func (r *Request) Decode(v any) error {
	if ct := r.Header("content-type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return admin.Errorf(admin.CodeUnsupportedMediaType, "send the body as application/json")
		}
	}
	trimmed := bytes.TrimSpace(r.body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return admin.Errorf(admin.CodeMalformedJSON, "a JSON object body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// Exact key checks first: they name the full path of an unknown field.
		if kerr := checkKeys(r.body, reflect.TypeOf(v)); kerr != nil && json.Valid(r.body) {
			return kerr
		}
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return admin.Errorf(admin.CodeMalformedJSON, "the body must hold exactly one JSON value")
	}
	return checkKeys(r.body, reflect.TypeOf(v))
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return admin.Errorf(admin.CodeMalformedJSON, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return admin.Errorf(admin.CodeMalformedJSON, "the body must be a JSON %s", "object")
		}
		return &admin.Error{Code: admin.CodeMalformedJSON, Message: field + " must be " + jsonKind(typ.Type.Kind().String()),
			Fields: []admin.FieldError{{Field: field, Code: "type", Detail: "must be " + jsonKind(typ.Type.Kind().String())}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &admin.Error{Code: admin.CodeUnknownField, Message: "unknown field " + strconv.Quote(field),
			Fields: []admin.FieldError{{Field: field, Code: "unknown", Detail: "is not a field of this request"}}}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return admin.Errorf(admin.CodeMalformedJSON, "the body is truncated JSON")
	}
	return admin.Errorf(admin.CodeMalformedJSON, "the body is not valid JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "of another type"
}

// QueryInt reads an integer query parameter within [min, max]; def when absent.
func (r *Request) QueryInt(name string, def, min, max int) (int, error) {
	s, ok := r.Event.QueryStringParameters[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, queryErr(name, "must be a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max))
	}
	return n, nil
}

// QueryTime reads an RFC 3339 time query parameter; zero when absent.
func (r *Request) QueryTime(name string) (time.Time, error) {
	s, ok := r.Event.QueryStringParameters[name]
	if !ok {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, queryErr(name, "must be an RFC 3339 time such as 2026-11-24T10:00:00Z")
	}
	return t, nil
}

// Query returns a string query parameter.
func (r *Request) Query(name string) string { return r.Event.QueryStringParameters[name] }

// AllowQuery refuses query parameters other than the named ones, and names or values that are
// not valid UTF-8 (the JSON bodies' rule, see textProblem).
func (r *Request) AllowQuery(names ...string) error {
	for k, v := range r.Event.QueryStringParameters {
		if !utf8.ValidString(k) {
			return queryErr(strings.ToValidUTF8(k, "\uFFFD"), "is a parameter name that is not valid UTF-8")
		}
		if !utf8.ValidString(v) {
			return queryErr(k, "is not valid UTF-8")
		}
		ok := false
		for _, n := range names {
			ok = ok || k == n
		}
		if !ok {
			return queryErr(k, "is not a parameter of this route")
		}
	}
	return nil
}

func queryErr(name, detail string) error {
	return &admin.Error{Code: admin.CodeInvalidQuery, Message: name + " " + detail,
		Fields: []admin.FieldError{{Field: name, Code: "invalid", Detail: detail}}}
}

// Idempotency reads the Idempotency-Key header (optional): 1–255 visible ASCII characters. The
// fingerprint covers the route and the body, so the same key with another request is detected.
func (r *Request) Idempotency(scope string) (*admin.Idempotency, error) {
	k := r.Header("idempotency-key")
	if k == "" {
		return nil, nil
	}
	if len(k) > 255 || strings.IndexFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return nil, &admin.Error{Code: admin.CodeInvalidIdempotencyKey, Message: "Idempotency-Key must be 1 to 255 visible ASCII characters",
			Fields: []admin.FieldError{{Field: "Idempotency-Key", Code: "invalid", Detail: "must be 1 to 255 visible ASCII characters"}}}
	}
	h := sha256.New()
	h.Write([]byte(r.Event.RouteKey))
	h.Write([]byte{0})
	h.Write(r.body)
	return &admin.Idempotency{Scope: scope, Key: k, Fingerprint: hex.EncodeToString(h.Sum(nil))}, nil
}
