// Package apigw is the API Gateway HTTP API (payload 2.0) adapter: it turns events into requests
// for handlers and their results into responses — strict JSON decoding, RFC 9457 problem+json
// errors with stable codes, bearer and IAM authentication, Idempotency-Key parsing, and one EMF
// metrics line per invocation.
package apigw

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[admin.Code]int{
	admin.CodeMalformedJSON:            http.StatusBadRequest,
	admin.CodeUnknownField:             http.StatusBadRequest,
	admin.CodeInvalidQuery:             http.StatusBadRequest,
	admin.CodeInvalidCursor:            http.StatusBadRequest,
	admin.CodeInvalidIdempotencyKey:    http.StatusBadRequest,
	admin.CodeUnsupportedMediaType:     http.StatusUnsupportedMediaType,
	admin.CodeUnauthenticated:          http.StatusUnauthorized,
	admin.CodeInvalidCredentials:       http.StatusUnauthorized,
	admin.CodeForbidden:                http.StatusForbidden,
	admin.CodeFeatureNotAuthorized:     http.StatusForbidden,
	admin.CodePasswordChangeNeeded:     http.StatusForbidden,
	admin.CodeNotFound:                 http.StatusNotFound,
	admin.CodeVersionConflict:          http.StatusConflict,
	admin.CodeEmailTaken:               http.StatusConflict,
	admin.CodeLastGlobalAdmin:          http.StatusConflict,
	admin.CodeConcurrentRequest:        http.StatusConflict,
	admin.CodePayloadTooLarge:          http.StatusRequestEntityTooLarge,
	admin.CodeValidation:               http.StatusUnprocessableEntity,
	admin.CodeWeakPassword:             http.StatusUnprocessableEntity,
	admin.CodeIdempotencyKeyReused:     http.StatusUnprocessableEntity,
	admin.CodeSignInThrottled:          http.StatusTooManyRequests,
	admin.CodeMFAEnrolmentRequired:     http.StatusForbidden,
	admin.CodeInvalidMFACode:           http.StatusUnauthorized,
	admin.CodeMFAThrottled:             http.StatusTooManyRequests,
	admin.CodeDelegatedAdminRequired:   http.StatusForbidden,
	admin.CodeForbiddenForAdmins:       http.StatusForbidden,
	admin.CodeCancellationWindowClosed: http.StatusUnprocessableEntity,
	admin.CodeInvalidTransition:        http.StatusConflict,
	admin.CodePasswordResetThrottled:   http.StatusTooManyRequests,
	admin.CodeRenameTooLarge:           http.StatusUnprocessableEntity,
	admin.CodeInternal:                 http.StatusInternalServerError,
	admin.CodeWebhookLimit:             http.StatusConflict,
	admin.CodeConversionWindowClosed:   http.StatusUnprocessableEntity,

	// Product keys.
	admin.CodeMalformedProductKey: http.StatusUnprocessableEntity,
	admin.CodeProductKeyRedeemed:  http.StatusConflict,
	admin.CodeProductKeyExpired:   http.StatusConflict,
	admin.CodeProductKeyRevoked:   http.StatusConflict,
	admin.CodeProductNotAvailable: http.StatusConflict,
}

// StatusOf returns the HTTP status of an error code.
func StatusOf(c admin.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ProblemTypeBase prefixes the type URI of every problem; docs/errors.md lists the codes.
const ProblemTypeBase = "https://github.com/partner-admin-center/pac/blob/main/docs/errors.md#"

// Problem is an RFC 9457 problem details object with our extensions.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Instance  string         `json:"instance,omitempty"`
	Code      admin.Code     `json:"code"`
	Field     string         `json:"field,omitempty"`
	Errors    []ProblemField `json:"errors,omitempty"`
	RequestID string         `json:"requestId,omitempty"`
}

// ProblemField is one offending field of a problem (the wire shape of admin.FieldError).
type ProblemField struct {
	Field  string `json:"field"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

func problemResponse(e *admin.Error, instance, requestID string) events.APIGatewayV2HTTPResponse {
	status := StatusOf(e.Code)
	p := Problem{Type: ProblemTypeBase + string(e.Code), Title: http.StatusText(status), Status: status, Detail: e.Message,
		Instance: instance, Code: e.Code, RequestID: requestID}
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, ProblemField{Field: f.Field, Code: f.Code, Detail: f.Detail})
	}
	if len(e.Fields) > 0 {
		p.Field = e.Fields[0].Field
	}
	b, _ := json.Marshal(p)
	r := events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(b), Headers: baseHeaders("application/problem+json")}
	if e.RetryAfter > 0 {
		r.Headers["Retry-After"] = strconv.Itoa(e.RetryAfter)
	}
	if status == http.StatusUnauthorized {
		r.Headers["WWW-Authenticate"] = `Bearer realm="partner-admin-center"`
	}
	return r
}

func baseHeaders(contentType string) map[string]string {
	return map[string]string{
		"Content-Type":           contentType,
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
}

// JSON returns a JSON response.
func JSON(status int, v any) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(b), Headers: baseHeaders("application/json")}, nil
}

// NoContent returns 204.
func NoContent() (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: baseHeaders("application/json")}, nil
}

// ProblemFor is the problem response of a domain error for request r, for a handler that must
// add to it (a cookie to clear) instead of returning the error.
func ProblemFor(e *admin.Error, r *Request) events.APIGatewayV2HTTPResponse {
	return problemResponse(e, r.Event.RawPath, r.Event.RequestContext.RequestID)
}
