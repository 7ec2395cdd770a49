// Package admin is the domain of the Partner Admin Center: partners and their authorizations and
// cloud, partner users with their company role and customer access, the capability matrix, the
// permission table, the activity log, and the rules that govern changes. It imports nothing of AWS
// or of HTTP; storage is reached through the Store interface defined here.
package admin

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients may switch on it; it never changes
// meaning. The transport maps each code to an HTTP status in exactly one table (apigw).
type Code string

// The error catalogue. docs/errors.md describes each code.
const (
	CodeMalformedJSON         Code = "malformed_json"          // body is not valid JSON / wrong type
	CodeUnknownField          Code = "unknown_field"           // body has a field the route does not take
	CodeUnsupportedMediaType  Code = "unsupported_media_type"  // body is not application/json
	CodeInvalidQuery          Code = "invalid_query"           // a query parameter is malformed
	CodeInvalidCursor         Code = "invalid_cursor"          // paging cursor tampered, foreign or stale
	CodeInvalidIdempotencyKey Code = "invalid_idempotency_key" // Idempotency-Key header malformed
	CodeUnauthenticated       Code = "unauthenticated"         // no, bad or expired access token
	CodeInvalidCredentials    Code = "invalid_credentials"     // sign-in failed (never says why)
	CodeForbidden             Code = "forbidden"               // the caller's role does not allow it
	CodeFeatureNotAuthorized  Code = "feature_not_authorized"  // the partner lacks the authorization
	CodePasswordChangeNeeded  Code = "password_change_required"
	CodeNotFound              Code = "not_found"          // unknown or foreign id (never a hint which)
	CodeVersionConflict       Code = "version_conflict"   // optimistic concurrency: re-read and retry
	CodeEmailTaken            Code = "email_taken"        // a user with this email exists
	CodeLastGlobalAdmin       Code = "last_global_admin"  // would leave the partner without a global admin
	CodeConcurrentRequest     Code = "concurrent_request" // a conflicting write ran at the same time; retry
	CodePayloadTooLarge       Code = "payload_too_large"
	CodeValidation            Code = "validation_failed" // one or more fields break a rule
	CodeWeakPassword          Code = "weak_password"
	CodeIdempotencyKeyReused  Code = "idempotency_key_reused" // same key, different request
	CodeSignInThrottled       Code = "sign_in_throttled"      // too many failed sign-ins; wait
	// Two-factor sign-in.
	CodeMFAEnrolmentRequired Code = "mfa_enrolment_required" // the user's role requires a second factor: set it up first
	CodeInvalidMFACode       Code = "invalid_mfa_code"       // the code or recovery code is wrong or was used already
	CodeMFAThrottled         Code = "mfa_throttled"          // too many wrong codes; wait
	// Serving customers.
	CodeDelegatedAdminRequired   Code = "delegated_admin_required"   // no active delegated administration of this customer
	CodeForbiddenForAdmins       Code = "forbidden_for_admins"       // limited access may not touch a customer's admin
	CodeCancellationWindowClosed Code = "cancellation_window_closed" // a subscription is cancelled only within 7 days of purchase
	CodeInvalidTransition        Code = "invalid_transition"         // the resource's state does not allow this change
	CodePasswordResetThrottled   Code = "password_reset_throttled"   // too many password resets of one user; wait
	CodeRenameTooLarge           Code = "rename_too_large"           // a rename would exceed one transaction (too many partners or users)
	CodeInternal                 Code = "internal"                   // infrastructure fault; logged with an id
	// Webhooks.
	CodeWebhookLimit Code = "webhook_limit_reached" // the partner has MaxWebhooks endpoints already
	// The clock.
	CodeConversionWindowClosed Code = "conversion_window_closed" // a trial converts only until 30 days after its end
)

// Product keys.
const (
	CodeMalformedProductKey Code = "malformed_product_key" // not 25 characters of the key alphabet, or the check character does not match
	CodeProductKeyRedeemed  Code = "product_key_redeemed"  // the key was redeemed already (once only)
	CodeProductKeyExpired   Code = "product_key_expired"   // the key was not redeemed before its expiry
	CodeProductKeyRevoked   Code = "product_key_revoked"   // the operator revoked the key
	CodeProductNotAvailable Code = "product_not_available" // the key's product is not available to this customer
)

// FieldError names one offending field (a JSON pointer-ish dotted path such as "address.country").
type FieldError struct {
	Field  string
	Code   string
	Detail string
}

// Error is the domain error: a Code, a human message (shown to the client) and the offending
// fields. RetryAfter is set for throttling codes. It carries no cause: the domain decides every
// *Error itself, and infrastructure faults stay plain errors, wrapped with their context by the
// adapter that met them (fmt.Errorf("store: get user %s: %w", …)), which ErrorCode reports as
// CodeInternal.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError
	RetryAfter int // seconds; 0 = not applicable
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErr returns a validation error for one field.
func FieldErr(field, code, detail string) *Error {
	return &Error{Code: CodeValidation, Message: detail, Fields: []FieldError{{Field: field, Code: code, Detail: detail}}}
}

// ErrorCode returns the code of err: the Code of an *Error in its chain, CodeInternal otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Sentinel-style constructors used across the domain.
var (
	errNotFound  = func(what string) *Error { return Errorf(CodeNotFound, "%s not found", what) }
	errForbidden = func(detail string) *Error { return &Error{Code: CodeForbidden, Message: detail} }
)

// NotFound returns the uniform not-found error: the same for an unknown id and a foreign one.
func NotFound(what string) *Error { return errNotFound(what) }

// Problems collects field errors during validation.
type Problems []FieldError

// Add records a field error.
func (p *Problems) Add(field, code, detail string) { *p = append(*p, FieldError{field, code, detail}) }

// Err returns nil when there are no problems, else a validation *Error listing them all.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	msg := p[0].Detail
	if len(p) > 1 {
		msg = fmt.Sprintf("%d fields are invalid", len(p))
	}
	return &Error{Code: CodeValidation, Message: msg, Fields: p}
}
