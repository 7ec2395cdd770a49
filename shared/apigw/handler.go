package apigw

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// Handler serves one route. Client and domain failures are returned as *admin.Error and become
// problem responses; anything else is an infrastructure fault (500, logged once).
type Handler func(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error)

// LambdaHandler is the shape lambda.Start takes for an HTTP API function.
type LambdaHandler func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Log is where handlers log (JSON to stdout: Lambda ships it to CloudWatch Logs).
var Log = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// MetricsOut receives one EMF line per invocation (stdout in Lambda; tests may capture it).
var MetricsOut io.Writer = os.Stdout

// Lambda wraps a Handler for lambda.Start. It never returns a Lambda error: every failure is an
// HTTP response, so a 4xx never counts as a function error.
func Lambda(function string, h Handler) LambdaHandler {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
		start := time.Now()
		ctx, meter := telemetry.With(ctx)
		reqID := ev.RequestContext.RequestID
		defer func() {
			if p := recover(); p != nil {
				Log.Error("panic", "function", function, "requestId", reqID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				resp = internal(reqID)
			}
			_ = meter.WriteEMF(MetricsOut, function, ev.RouteKey, resp.StatusCode, time.Since(start), time.Now())
		}()
		r, err := newRequest(ev)
		if err == nil {
			resp, err = h(ctx, r)
		}
		if err != nil {
			resp = errorResponse(ctx, function, ev, err)
		}
		return resp, nil
	}
}

func errorResponse(ctx context.Context, function string, ev events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	reqID := ev.RequestContext.RequestID
	var e *admin.Error
	if errors.As(err, &e) && e.Code != admin.CodeInternal {
		return problemResponse(e, ev.RawPath, reqID)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		Log.ErrorContext(ctx, "timeout", "function", function, "requestId", reqID, "route", ev.RouteKey, "error", err.Error())
	} else {
		Log.ErrorContext(ctx, "internal error", "function", function, "requestId", reqID, "route", ev.RouteKey, "error", err.Error())
	}
	return internal(reqID)
}

func internal(reqID string) events.APIGatewayV2HTTPResponse {
	return problemResponse(&admin.Error{Code: admin.CodeInternal,
		Message: "an internal error occurred; quote the request id when you report it"}, "", reqID)
}

// BearerToken returns the token of an "Authorization: Bearer …" header.
func (r *Request) BearerToken() (string, error) {
	h := r.Header("authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", admin.Errorf(admin.CodeUnauthenticated, "send an access token: Authorization: Bearer <token> (POST /auth/sign-in)")
	}
	return strings.TrimSpace(tok), nil
}

// OperatorARN returns the IAM caller of an AWS_IAM-authorized route. API Gateway refuses unsigned
// requests before they reach the function; a missing identity means a misrouted request.
func (r *Request) OperatorARN() (string, error) {
	iam := r.Event.RequestContext.Authorizer
	if iam == nil || iam.IAM == nil || iam.IAM.UserARN == "" {
		return "", admin.Errorf(admin.CodeForbidden, "operator routes need an IAM-signed request")
	}
	return iam.IAM.UserARN, nil
}

// Created is JSON with 201; a replay of an Idempotency-Key answers the same status with
// Idempotent-Replayed: true.
func Created(v any, replayed bool) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := JSON(http.StatusCreated, v)
	if replayed && err == nil {
		resp.Headers["Idempotent-Replayed"] = "true"
	}
	return resp, err
}
