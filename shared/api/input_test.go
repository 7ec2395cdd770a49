package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/shared/admin"
)

// badInput is one malformed request and the problem it must get.
type badInput struct {
	name   string
	req    req
	status int
	code   admin.Code
	field  string
}

func huge() string { return `{"name":"` + strings.Repeat("x", 70<<10) + `"}` }

// Text that is not Unicode: raw bytes that are not UTF-8, and an escaped lone surrogate (valid
// JSON syntax, but no character). Go's JSON encoder would replace both with U+FFFD, so bodies
// holding them are built as raw strings by notText.
const (
	notUTF8       = "Ber\xff\xfelin"
	loneSurrogate = `Ber\ud800lin`
)

// notText returns body as JSON with the string at path (keys of nested objects) set to bad,
// byte for byte.
func notText(body map[string]any, bad string, path ...string) string {
	const mark = "NOT-TEXT-MARK"
	m := body
	for _, k := range path[:len(path)-1] {
		m = m[k].(map[string]any)
	}
	m[path[len(path)-1]] = mark
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return strings.Replace(string(raw), mark, bad, 1)
}

// TestBadInput sends malformed requests to every route that takes input and checks the problem:
// status, stable code and offending field. None may be a 500, none may be silently accepted.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	target, _ := e.user(pid, admin.RoleNone, admin.AccessNone)
	u := "/users/" + target.ID
	validUser := func() map[string]any {
		return map[string]any{"email": fmt.Sprintf("v%d@test.example", e.seq.Add(1)), "displayName": "V", "companyRole": "none", "customerAccess": "none"}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	without := func(m map[string]any, k string) map[string]any { delete(m, k); return m }
	company := func() map[string]any {
		return map[string]any{"name": "Contoso", "phone": "+49 30 1", "email": "c@contoso.example", "website": "https://contoso.example",
			"address": map[string]any{"line1": "1 Street", "city": "Berlin", "country": "DE"}, "version": 1}
	}
	partner := func() map[string]any {
		return map[string]any{"name": "P", "cloud": "global", "authorizations": []string{}, "email": "c@p.example",
			"firstAdmin": map[string]any{"email": fmt.Sprintf("f%d@p.example", e.seq.Add(1)), "displayName": "F"}}
	}
	op := "/operator/partners/" + pid + "/authorizations"
	cases := []badInput{
		// POST /auth/sign-in
		{name: "sign-in malformed", req: req{method: "POST", path: "/auth/sign-in", body: `{"email":`}, status: 400, code: admin.CodeMalformedJSON},
		{name: "sign-in unknown field", req: req{method: "POST", path: "/auth/sign-in", body: map[string]any{"email": "a@b.example", "password": "x", "remember": true}}, status: 400, code: admin.CodeUnknownField, field: "remember"},
		{name: "sign-in wrong type", req: req{method: "POST", path: "/auth/sign-in", body: map[string]any{"email": 7, "password": "x"}}, status: 400, code: admin.CodeMalformedJSON, field: "email"},
		{name: "sign-in missing password", req: req{method: "POST", path: "/auth/sign-in", body: map[string]any{"email": "a@b.example"}}, status: 422, code: admin.CodeValidation, field: "password"},
		{name: "sign-in bad email", req: req{method: "POST", path: "/auth/sign-in", body: map[string]any{"email": "not-an-email", "password": "x"}}, status: 422, code: admin.CodeValidation, field: "email"},
		{name: "sign-in huge", req: req{method: "POST", path: "/auth/sign-in", body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "sign-in two values", req: req{method: "POST", path: "/auth/sign-in", body: `{"email":"a@b.example","password":"x"} {}`}, status: 400, code: admin.CodeMalformedJSON},
		{name: "sign-in not json", req: req{method: "POST", path: "/auth/sign-in", body: "email=a", headers: map[string]string{"content-type": "application/x-www-form-urlencoded"}}, status: 415, code: admin.CodeUnsupportedMediaType},
		{name: "sign-in array", req: req{method: "POST", path: "/auth/sign-in", body: `[]`}, status: 400, code: admin.CodeMalformedJSON},
		{name: "sign-in email not UTF-8", req: req{method: "POST", path: "/auth/sign-in", body: "{\"email\":\"a\xff\xfe@b.example\",\"password\":\"x\"}"}, status: 400, code: admin.CodeMalformedJSON, field: "email"},
		{name: "sign-in password lone surrogate", req: req{method: "POST", path: "/auth/sign-in", body: `{"email":"a@b.example","password":"\ud800"}`}, status: 400, code: admin.CodeMalformedJSON, field: "password"},
		{name: "sign-in key not UTF-8", req: req{method: "POST", path: "/auth/sign-in", body: "{\"email\":\"a@b.example\",\"pass\xffword\":\"x\"}"}, status: 400, code: admin.CodeMalformedJSON, field: "pass\uFFFDword"},
		// POST /me/password
		{name: "password weak", req: req{method: "POST", path: "/me/password", body: map[string]any{"currentPassword": "Correct-Horse-Battery-9", "newPassword": "short"}}, status: 422, code: admin.CodeWeakPassword, field: "newPassword"},
		{name: "password common", req: req{method: "POST", path: "/me/password", body: map[string]any{"currentPassword": "Correct-Horse-Battery-9", "newPassword": "password1234"}}, status: 422, code: admin.CodeWeakPassword, field: "newPassword"},
		{name: "password missing current", req: req{method: "POST", path: "/me/password", body: map[string]any{"newPassword": "Long-Enough-Passphrase-1"}}, status: 422, code: admin.CodeValidation, field: "currentPassword"},
		{name: "password unknown", req: req{method: "POST", path: "/me/password", body: map[string]any{"currentPassword": "a", "newPassword": "b", "force": true}}, status: 400, code: admin.CodeUnknownField, field: "force"},
		{name: "password new not UTF-8", req: req{method: "POST", path: "/me/password", body: notText(map[string]any{"currentPassword": "Correct-Horse-Battery-9"}, "Long-Enough-\xff\xfe-Passphrase-1", "newPassword")}, status: 400, code: admin.CodeMalformedJSON, field: "newPassword"},
		{name: "password current lone surrogate", req: req{method: "POST", path: "/me/password", body: notText(map[string]any{"newPassword": "Long-Enough-Passphrase-1"}, loneSurrogate, "currentPassword")}, status: 400, code: admin.CodeMalformedJSON, field: "currentPassword"},
		// PUT /company
		{name: "company missing name", req: req{method: "PUT", path: "/company", body: without(company(), "name")}, status: 422, code: admin.CodeValidation, field: "name"},
		{name: "company missing version", req: req{method: "PUT", path: "/company", body: without(company(), "version")}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "company stale version", req: req{method: "PUT", path: "/company", body: with(company(), "version", 99)}, status: 409, code: admin.CodeVersionConflict},
		{name: "company version string", req: req{method: "PUT", path: "/company", body: with(company(), "version", "1")}, status: 400, code: admin.CodeMalformedJSON, field: "version"},
		{name: "company bad email", req: req{method: "PUT", path: "/company", body: with(company(), "email", "nope")}, status: 422, code: admin.CodeValidation, field: "email"},
		{name: "company bad website", req: req{method: "PUT", path: "/company", body: with(company(), "website", "javascript:alert(1)")}, status: 422, code: admin.CodeValidation, field: "website"},
		{name: "company bad phone", req: req{method: "PUT", path: "/company", body: with(company(), "phone", "call me")}, status: 422, code: admin.CodeValidation, field: "phone"},
		{name: "company bad country", req: req{method: "PUT", path: "/company", body: with(company(), "address", map[string]any{"line1": "x", "city": "y", "country": "Germany"})}, status: 422, code: admin.CodeValidation, field: "address.country"},
		{name: "company unknown nested", req: req{method: "PUT", path: "/company", body: with(company(), "address", map[string]any{"line1": "x", "city": "y", "country": "DE", "planet": "earth"})}, status: 400, code: admin.CodeUnknownField, field: "address.planet"},
		{name: "company CRLF in name", req: req{method: "PUT", path: "/company", body: with(company(), "name", "Evil\r\nBcc: x@y.example")}, status: 422, code: admin.CodeValidation, field: "name"},
		{name: "company mass assignment", req: req{method: "PUT", path: "/company", body: with(company(), "authorizations", []string{"delegated_admin"})}, status: 400, code: admin.CodeUnknownField, field: "authorizations"},
		{name: "company huge", req: req{method: "PUT", path: "/company", body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "company name not UTF-8", req: req{method: "PUT", path: "/company", body: notText(company(), notUTF8, "name")}, status: 400, code: admin.CodeMalformedJSON, field: "name"},
		{name: "company city not UTF-8", req: req{method: "PUT", path: "/company", body: notText(company(), notUTF8, "address", "city")}, status: 400, code: admin.CodeMalformedJSON, field: "address.city"},
		{name: "company city lone surrogate", req: req{method: "PUT", path: "/company", body: notText(company(), loneSurrogate, "address", "city")}, status: 400, code: admin.CodeMalformedJSON, field: "address.city"},
		{name: "company nested key not UTF-8", req: req{method: "PUT", path: "/company", body: strings.Replace(notText(company(), "x", "address", "line2"), `"line2"`, "\"line\xff\"", 1)}, status: 400, code: admin.CodeMalformedJSON, field: "address.line\uFFFD"},
		// POST /users
		{name: "user missing email", req: req{method: "POST", path: "/users", body: without(validUser(), "email")}, status: 422, code: admin.CodeValidation, field: "email"},
		{name: "user bad role", req: req{method: "POST", path: "/users", body: with(validUser(), "companyRole", "emperor")}, status: 422, code: admin.CodeValidation, field: "companyRole"},
		{name: "user bad access", req: req{method: "POST", path: "/users", body: with(validUser(), "customerAccess", "some")}, status: 422, code: admin.CodeValidation, field: "customerAccess"},
		{name: "user mass assignment", req: req{method: "POST", path: "/users", body: with(validUser(), "orgId", pid)}, status: 400, code: admin.CodeUnknownField, field: "orgId"},
		{name: "user set password field", req: req{method: "POST", path: "/users", body: with(validUser(), "passwordHash", "x")}, status: 400, code: admin.CodeUnknownField, field: "passwordHash"},
		{name: "user name too long", req: req{method: "POST", path: "/users", body: with(validUser(), "displayName", strings.Repeat("n", 101))}, status: 422, code: admin.CodeValidation, field: "displayName"},
		{name: "user email taken", req: req{method: "POST", path: "/users", body: with(validUser(), "email", target.Email)}, status: 409, code: admin.CodeEmailTaken, field: "email"},
		{name: "user bad idempotency key", req: req{method: "POST", path: "/users", body: validUser(), headers: map[string]string{"Idempotency-Key": "has space"}}, status: 400, code: admin.CodeInvalidIdempotencyKey, field: "Idempotency-Key"},
		{name: "user huge", req: req{method: "POST", path: "/users", body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "user empty body", req: req{method: "POST", path: "/users", body: ""}, status: 400, code: admin.CodeMalformedJSON},
		{name: "user name not UTF-8", req: req{method: "POST", path: "/users", body: notText(validUser(), notUTF8, "displayName")}, status: 400, code: admin.CodeMalformedJSON, field: "displayName"},
		{name: "user email lone surrogate", req: req{method: "POST", path: "/users", body: notText(validUser(), `x\udc00@y.example`, "email")}, status: 400, code: admin.CodeMalformedJSON, field: "email"},
		// PATCH /users/{userId}
		{name: "patch missing version", req: req{method: "PATCH", path: u, body: map[string]any{"displayName": "x"}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "patch stale version", req: req{method: "PATCH", path: u, body: map[string]any{"displayName": "x", "version": 7}}, status: 409, code: admin.CodeVersionConflict},
		{name: "patch negative version", req: req{method: "PATCH", path: u, body: map[string]any{"displayName": "x", "version": -1}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "patch fractional version", req: req{method: "PATCH", path: u, body: map[string]any{"displayName": "x", "version": 1.5}}, status: 400, code: admin.CodeMalformedJSON, field: "version"},
		{name: "patch empty name", req: req{method: "PATCH", path: u, body: map[string]any{"displayName": " ", "version": 1}}, status: 422, code: admin.CodeValidation, field: "displayName"},
		{name: "patch email", req: req{method: "PATCH", path: u, body: map[string]any{"email": "x@y.example", "version": 1}}, status: 400, code: admin.CodeUnknownField, field: "email"},
		{name: "patch name not UTF-8", req: req{method: "PATCH", path: u, body: notText(map[string]any{"version": 1}, notUTF8, "displayName")}, status: 400, code: admin.CodeMalformedJSON, field: "displayName"},
		{name: "patch name lone surrogate", req: req{method: "PATCH", path: u, body: notText(map[string]any{"version": 1}, loneSurrogate, "displayName")}, status: 400, code: admin.CodeMalformedJSON, field: "displayName"},
		{name: "patch malformed id", req: req{method: "PATCH", path: "/users/..%2F..%2Fetc", body: map[string]any{"displayName": "x", "version": 1}}, status: 404, code: admin.CodeNotFound},
		{name: "get malformed id", req: req{method: "GET", path: "/users/usr_'OR'1'='1"}, status: 404, code: admin.CodeNotFound},
		{name: "delete unknown id", req: req{method: "DELETE", path: "/users/usr_01jdzzzzzzzzzzzzzzzzzzzzzz"}, status: 404, code: admin.CodeNotFound},
		// Query parameters
		{name: "users limit zero", req: req{method: "GET", path: "/users?limit=0"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "users limit huge", req: req{method: "GET", path: "/users?limit=1000000"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "users limit text", req: req{method: "GET", path: "/users?limit=ten"}, status: 400, code: admin.CodeInvalidQuery, field: "limit"},
		{name: "users unknown param", req: req{method: "GET", path: "/users?partnerId=" + pid}, status: 400, code: admin.CodeInvalidQuery, field: "partnerId"},
		{name: "users forged cursor", req: req{method: "GET", path: "/users?cursor=UEFSVE5FUiNvdGhlcg"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "users garbage cursor", req: req{method: "GET", path: "/users?cursor=%%%"}, status: 400, code: admin.CodeInvalidCursor, field: "cursor"},
		{name: "activity bad from", req: req{method: "GET", path: "/activity?from=yesterday"}, status: 400, code: admin.CodeInvalidQuery, field: "from"},
		{name: "activity inverted range", req: req{method: "GET", path: "/activity?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"}, status: 422, code: admin.CodeValidation, field: "from"},
		{name: "company query", req: req{method: "GET", path: "/company?x=1"}, status: 400, code: admin.CodeInvalidQuery, field: "x"},
		{name: "users cursor not UTF-8", req: req{method: "GET", path: "/users?cursor=\xff\xfe"}, status: 400, code: admin.CodeInvalidQuery, field: "cursor"},
	}
	opCases := []badInput{
		{name: "onboard bad cloud", req: req{method: "POST", path: "/operator/partners", body: with(partner(), "cloud", "moon")}, status: 422, code: admin.CodeValidation, field: "cloud"},
		{name: "onboard bad authorization", req: req{method: "POST", path: "/operator/partners", body: with(partner(), "authorizations", []string{"god_mode"})}, status: 422, code: admin.CodeValidation, field: "authorizations[0]"},
		{name: "onboard missing admin", req: req{method: "POST", path: "/operator/partners", body: without(partner(), "firstAdmin")}, status: 422, code: admin.CodeValidation, field: "firstAdmin.email"},
		{name: "onboard missing authorizations", req: req{method: "POST", path: "/operator/partners", body: without(partner(), "authorizations")}, status: 422, code: admin.CodeValidation, field: "authorizations"},
		{name: "onboard unknown", req: req{method: "POST", path: "/operator/partners", body: with(partner(), "customerCount", 5)}, status: 400, code: admin.CodeUnknownField, field: "customerCount"},
		{name: "onboard authorizations not list", req: req{method: "POST", path: "/operator/partners", body: with(partner(), "authorizations", "delegated_admin")}, status: 400, code: admin.CodeMalformedJSON, field: "authorizations"},
		{name: "onboard name not UTF-8", req: req{method: "POST", path: "/operator/partners", body: notText(partner(), notUTF8, "name")}, status: 400, code: admin.CodeMalformedJSON, field: "name"},
		{name: "onboard admin name not UTF-8", req: req{method: "POST", path: "/operator/partners", body: notText(partner(), notUTF8, "firstAdmin", "displayName")}, status: 400, code: admin.CodeMalformedJSON, field: "firstAdmin.displayName"},
		{name: "onboard authorization not UTF-8", req: req{method: "POST", path: "/operator/partners", body: strings.Replace(notText(partner(), "x", "name"), `"authorizations":[]`, "\"authorizations\":[\"delegated_admin\xff\"]", 1)}, status: 400, code: admin.CodeMalformedJSON, field: "authorizations[0]"},
		{name: "onboard email lone surrogate", req: req{method: "POST", path: "/operator/partners", body: notText(partner(), `c\ud83d@p.example`, "email")}, status: 400, code: admin.CodeMalformedJSON, field: "email"},
		{name: "onboard huge", req: req{method: "POST", path: "/operator/partners", body: huge()}, status: 413, code: admin.CodePayloadTooLarge},
		{name: "authorizations missing", req: req{method: "PUT", path: op, body: map[string]any{"version": 1}}, status: 422, code: admin.CodeValidation, field: "authorizations"},
		{name: "authorizations stale", req: req{method: "PUT", path: op, body: map[string]any{"authorizations": []string{}, "version": 42}}, status: 409, code: admin.CodeVersionConflict},
		{name: "authorizations no version", req: req{method: "PUT", path: op, body: map[string]any{"authorizations": []string{}}}, status: 422, code: admin.CodeValidation, field: "version"},
		{name: "authorizations not UTF-8", req: req{method: "PUT", path: op, body: "{\"authorizations\":[\"delegated_admin\",\"\xff\xfe\"],\"version\":1}"}, status: 400, code: admin.CodeMalformedJSON, field: "authorizations[1]"},
		{name: "authorizations lone surrogate", req: req{method: "PUT", path: op, body: `{"authorizations":["\udfff"],"version":1}`}, status: 400, code: admin.CodeMalformedJSON, field: "authorizations[0]"},
		{name: "partner unknown id", req: req{method: "GET", path: "/operator/partners/ptn_01jdzzzzzzzzzzzzzzzzzzzzzz"}, status: 404, code: admin.CodeNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
			expectProblem(t, e.do(caller{token: tok}, c.req), c.status, c.code, c.field)
		})
	}
	for _, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			expectProblem(t, e.do(caller{operator: true}, c.req), c.status, c.code, c.field)
		})
	}
}
