package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// declaredCodes parses shared/admin/errors.go and returns every constant of type Code, so that a
// code added there is checked here without anyone remembering to list it.
func declaredCodes(t *testing.T) []admin.Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../admin/errors.go", nil, 0)
	if err != nil {
		t.Fatalf("parse errors.go: %v", err)
	}
	var out []admin.Code
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("a Code constant is not a string literal: %#v", v)
				}
				s, _ := strconv.Unquote(lit.Value)
				out = append(out, admin.Code(s))
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("found %d codes in errors.go, want the whole catalogue", len(out))
	}
	return out
}

func TestEveryCodeHasAStatus(t *testing.T) {
	codes := declaredCodes(t)
	for _, c := range codes {
		t.Run(string(c), func(t *testing.T) {
			s, ok := statusOf[c]
			if !ok {
				t.Fatalf("statusOf has no entry for %q", c)
			}
			if s < 400 || s > 599 || http.StatusText(s) == "" {
				t.Errorf("status = %d, want a 4xx/5xx status", s)
			}
			if (c == admin.CodeInternal) != (s >= 500) {
				t.Errorf("status = %d: only internal may be a 5xx (never a 500 for bad input)", s)
			}
			if StatusOf(c) != s {
				t.Errorf("StatusOf = %d, want %d", StatusOf(c), s)
			}
		})
	}
	for c := range statusOf {
		if !slices.Contains(codes, c) {
			t.Errorf("statusOf maps %q, which errors.go does not declare", c)
		}
	}
	if got := StatusOf("no_such_code"); got != http.StatusInternalServerError {
		t.Errorf("StatusOf(unknown) = %d, want 500", got)
	}
}

func TestStatusTable(t *testing.T) {
	tests := []struct {
		code admin.Code
		want int
	}{
		{admin.CodeMalformedJSON, 400},
		{admin.CodeUnknownField, 400},
		{admin.CodeUnsupportedMediaType, 415},
		{admin.CodeUnauthenticated, 401},
		{admin.CodeInvalidCredentials, 401},
		{admin.CodeForbidden, 403},
		{admin.CodePasswordChangeNeeded, 403},
		{admin.CodeNotFound, 404},
		{admin.CodeVersionConflict, 409},
		{admin.CodeLastGlobalAdmin, 409},
		{admin.CodePayloadTooLarge, 413},
		{admin.CodeValidation, 422},
		{admin.CodeIdempotencyKeyReused, 422},
		{admin.CodeSignInThrottled, 429},
		{admin.CodeInternal, 500},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			if got := StatusOf(tt.code); got != tt.want {
				t.Errorf("StatusOf = %d, want %d", got, tt.want)
			}
		})
	}
}

// capture redirects the package's log and metrics output for one test.
func capture(t *testing.T) (logs, metrics *bytes.Buffer) {
	t.Helper()
	logs, metrics = &bytes.Buffer{}, &bytes.Buffer{}
	oldLog, oldOut := Log, MetricsOut
	Log, MetricsOut = slog.New(slog.NewJSONHandler(logs, nil)), metrics
	t.Cleanup(func() { Log, MetricsOut = oldLog, oldOut })
	return logs, metrics
}

func event(body string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{RouteKey: "PATCH /users/{userId}", RawPath: "/users/usr_1", Body: body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-123"}}
}

func decodeProblem(t *testing.T, r events.APIGatewayV2HTTPResponse) Problem {
	t.Helper()
	if ct := r.Headers["Content-Type"]; ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p Problem
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("body %q is not a problem: %v", r.Body, err)
	}
	return p
}

func TestLambdaErrors(t *testing.T) {
	const secret = "dial tcp 10.0.0.7:8000: connection refused (table pac-prod)"
	tests := []struct {
		name       string
		h          Handler
		body       string
		status     int
		code       admin.Code
		field      string
		retryAfter string
		instance   string
	}{
		{name: "panic", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) { panic(secret) },
			status: 500, code: admin.CodeInternal},
		{name: "nil map panic", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			var m map[string]int
			//lint:ignore SA5000 the handler panics on purpose: the test checks that a runtime panic becomes a 500
			m["x"] = 1
			return events.APIGatewayV2HTTPResponse{}, nil
		}, status: 500, code: admin.CodeInternal},
		{name: "plain error", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, errors.New(secret)
		}, status: 500, code: admin.CodeInternal},
		{name: "wrapped infrastructure error", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("store: %w", errors.New(secret))
		}, status: 500, code: admin.CodeInternal},
		{name: "internal admin error", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, &admin.Error{Code: admin.CodeInternal, Message: secret}
		}, status: 500, code: admin.CodeInternal},
		{name: "deadline", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("query: %w (%s)", context.DeadlineExceeded, secret)
		}, status: 500, code: admin.CodeInternal},
		{name: "not found", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, admin.NotFound("user")
		}, status: 404, code: admin.CodeNotFound, instance: "/users/usr_1"},
		{name: "wrapped domain error", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("update: %w", admin.Errorf(admin.CodeVersionConflict, "stale"))
		}, status: 409, code: admin.CodeVersionConflict, instance: "/users/usr_1"},
		{name: "validation names the first field", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			var p admin.Problems
			p.Add("email", "email", "bad")
			p.Add("name", "required", "is required")
			return events.APIGatewayV2HTTPResponse{}, p.Err()
		}, status: 422, code: admin.CodeValidation, field: "email", instance: "/users/usr_1"},
		{name: "throttled", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, &admin.Error{Code: admin.CodeSignInThrottled, Message: "wait", RetryAfter: 7}
		}, status: 429, code: admin.CodeSignInThrottled, retryAfter: "7", instance: "/users/usr_1"},
		{name: "unauthenticated", h: func(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
			_, err := r.BearerToken()
			return events.APIGatewayV2HTTPResponse{}, err
		}, status: 401, code: admin.CodeUnauthenticated, instance: "/users/usr_1"},
		{name: "payload too large never reaches the handler", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			panic("handler called")
		}, body: strings.Repeat(" ", MaxBodyBytes+1), status: 413, code: admin.CodePayloadTooLarge, instance: "/users/usr_1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, _ := capture(t)
			resp, err := Lambda("update-user", tt.h)(context.Background(), event(tt.body))
			if err != nil {
				t.Fatalf("Lambda error = %v, want nil (every failure is an HTTP response)", err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d (%s), want %d", resp.StatusCode, resp.Body, tt.status)
			}
			p := decodeProblem(t, resp)
			if p.Status != tt.status || p.Code != tt.code || p.Type != ProblemTypeBase+string(tt.code) || p.Title != http.StatusText(tt.status) {
				t.Errorf("problem = %+v, want status %d code %s", p, tt.status, tt.code)
			}
			if p.RequestID != "req-123" {
				t.Errorf("requestId = %q, want req-123", p.RequestID)
			}
			if p.Field != tt.field {
				t.Errorf("field = %q, want %q", p.Field, tt.field)
			}
			if p.Instance != tt.instance {
				t.Errorf("instance = %q, want %q", p.Instance, tt.instance)
			}
			if got := resp.Headers["Retry-After"]; got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			if got, want := resp.Headers["WWW-Authenticate"] != "", tt.status == 401; got != want {
				t.Errorf("WWW-Authenticate = %q, want present=%v", resp.Headers["WWW-Authenticate"], want)
			}
			if resp.Headers["Cache-Control"] != "no-store" || resp.Headers["X-Content-Type-Options"] != "nosniff" {
				t.Errorf("headers = %v, want no-store and nosniff", resp.Headers)
			}
			if tt.status == 500 {
				if strings.Contains(resp.Body, "10.0.0.7") || strings.Contains(resp.Body, "pac-prod") || strings.Contains(resp.Body, "nil map") {
					t.Errorf("500 body leaks the error: %s", resp.Body)
				}
				if !strings.Contains(logs.String(), "req-123") {
					t.Errorf("log = %q, want the fault logged with the request id", logs.String())
				}
			}
		})
	}
}

func TestLambdaSuccessResponses(t *testing.T) {
	capture(t)
	tests := []struct {
		name   string
		h      Handler
		status int
		body   string
		replay bool
	}{
		{name: "json", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return JSON(200, map[string]int{"a": 1})
		},
			status: 200, body: `{"a":1}`},
		{name: "created", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return Created(map[string]string{"id": "x"}, false)
		},
			status: 201, body: `{"id":"x"}`},
		{name: "created replay", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
			return Created(map[string]string{"id": "x"}, true)
		},
			status: 201, body: `{"id":"x"}`, replay: true},
		{name: "no content", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) { return NoContent() },
			status: 204, body: ``},
		{name: "unmarshalable body is a 500", h: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) { return JSON(200, func() {}) },
			status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Lambda("f", tt.h)(context.Background(), event(""))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d, %v; want %d, nil", resp.StatusCode, err, tt.status)
			}
			if tt.status == 500 {
				return
			}
			if resp.Body != tt.body {
				t.Errorf("body = %q, want %q", resp.Body, tt.body)
			}
			if got := resp.Headers["Idempotent-Replayed"] == "true"; got != tt.replay {
				t.Errorf("Idempotent-Replayed = %q, want replay=%v", resp.Headers["Idempotent-Replayed"], tt.replay)
			}
			if resp.Headers["Content-Type"] != "application/json" || resp.Headers["Cache-Control"] != "no-store" {
				t.Errorf("headers = %v", resp.Headers)
			}
		})
	}
}

func TestLambdaEMF(t *testing.T) {
	tests := []struct {
		name   string
		h      Handler
		status int
		trips  int
	}{
		{"success with two round trips", func(ctx context.Context, _ *Request) (events.APIGatewayV2HTTPResponse, error) {
			telemetry.RecordCall(ctx, "GetItem", 0.5, 0)
			telemetry.RecordCall(ctx, "TransactWriteItems", 0, 4)
			return NoContent()
		}, 204, 2},
		{"domain error", func(ctx context.Context, _ *Request) (events.APIGatewayV2HTTPResponse, error) {
			telemetry.RecordCall(ctx, "GetItem", 0.5, 0)
			return events.APIGatewayV2HTTPResponse{}, admin.NotFound("user")
		}, 404, 1},
		{"panic after a round trip", func(ctx context.Context, _ *Request) (events.APIGatewayV2HTTPResponse, error) {
			telemetry.RecordCall(ctx, "Query", 1, 0)
			panic("boom")
		}, 500, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, metrics := capture(t)
			if _, err := Lambda("get-user", tt.h)(context.Background(), event("")); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(metrics.String(), "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("metrics = %q, want exactly one line", metrics.String())
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
				t.Fatalf("EMF line %q is not JSON: %v", lines[0], err)
			}
			if got := m["DynamoDBRoundTrips"]; got != float64(tt.trips) {
				t.Errorf("DynamoDBRoundTrips = %v, want %d", got, tt.trips)
			}
			if m["status"] != float64(tt.status) || m["Function"] != "get-user" || m["route"] != "PATCH /users/{userId}" {
				t.Errorf("status/Function/route = %v/%v/%v, want %d/get-user/PATCH /users/{userId}", m["status"], m["Function"], m["route"], tt.status)
			}
			aws, _ := m["_aws"].(map[string]any)
			cwm, _ := aws["CloudWatchMetrics"].([]any)
			if len(cwm) != 1 {
				t.Fatalf("_aws.CloudWatchMetrics = %v, want one directive", aws["CloudWatchMetrics"])
			}
			dir := cwm[0].(map[string]any)
			if dir["Namespace"] != telemetry.Namespace {
				t.Errorf("Namespace = %v, want %s", dir["Namespace"], telemetry.Namespace)
			}
			// Every declared metric must be present as a number at the top level (EMF rule).
			for _, md := range dir["Metrics"].([]any) {
				name := md.(map[string]any)["Name"].(string)
				if _, ok := m[name].(float64); !ok {
					t.Errorf("metric %s = %#v, want a number at the top level", name, m[name])
				}
			}
			if _, ok := aws["Timestamp"].(float64); !ok {
				t.Errorf("_aws.Timestamp = %#v, want a number", aws["Timestamp"])
			}
		})
	}
}
