// Package gateway plays Amazon API Gateway HTTP API (payload format 2.0, $default stage) in
// front of the local functions: it matches a request to a route of template.yaml, builds the
// events.APIGatewayV2HTTPRequest that API Gateway would send, invokes the route's function
// through an Invoker, and turns its answer back into an HTTP response by API Gateway's rules.
// It also plays what API Gateway does before and around the integration: the AWS_IAM
// authorizer (locally: a bearer operator token), per-route throttling (token buckets from the
// stage's route settings), CORS (preflight answered by the gateway), the 10 MB payload limit,
// and API Gateway's own error answers ({"message":"Not Found"}, 403, 413, 429, 500, 503).
package gateway

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Invoker invokes a function synchronously by its logical ID. The lambda package's Manager
// implements it; tests may use an in-process one. A non-nil error means the invocation failed
// (a function error, a timeout, a crash): API Gateway then answers 500.
type Invoker interface {
	Invoke(ctx context.Context, logicalID string, payload []byte) ([]byte, error)
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, logicalID string, payload []byte) ([]byte, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, logicalID string, payload []byte) ([]byte, error) {
	return f(ctx, logicalID, payload)
}

// Authorizers of a route.
const (
	AuthNone = "NONE"
	AuthIAM  = "AWS_IAM"
)

// API Gateway's limits.
const (
	MaxRequestBody            = 10 * 1024 * 1024
	DefaultIntegrationTimeout = 30 * time.Second
)

// Route is one route of the HTTP API.
type Route struct {
	// Method is upper case, or ANY. Path is like /users/{userId} (a last segment {name+} is
	// greedy), or $default for the catch-all route.
	Method, Path string
	// Function is the logical ID passed to the Invoker.
	Function string
	// Authorizer is AuthNone or AuthIAM.
	Authorizer string
	// Throttling: nil means the account default (10,000 rps, burst 5,000); a burst of 0
	// blocks the route.
	ThrottleBurst *int
	ThrottleRate  *float64
	// IntegrationTimeout (default 30 s, the HTTP API maximum): after it the gateway answers
	// 503 while the function goes on running.
	IntegrationTimeout time.Duration
}

// Key is the route key: "GET /users/{userId}" or "$default".
func (r Route) Key() string {
	if r.Path == "$default" {
		return "$default"
	}
	return r.Method + " " + r.Path
}

// CORS is an HTTP API CorsConfiguration.
type CORS struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	MaxAge                                                  int
	AllowCredentials                                        bool
}

// IAMIdentity is what the AWS_IAM authorizer puts in requestContext.authorizer.iam.
type IAMIdentity = events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription

// LocalOperator is the IAM identity of the local operator token.
var LocalOperator = IAMIdentity{
	AccessKey: "AKIALOCALOPERATOR000",
	AccountID: "000000000000",
	CallerID:  "AIDALOCALOPERATOR000",
	UserARN:   "arn:aws:iam::000000000000:user/local-operator",
	UserID:    "AIDALOCALOPERATOR000",
}

// Config configures a Gateway.
type Config struct {
	Routes  []Route
	CORS    *CORS // nil: no CORS configuration
	Invoker Invoker
	// OperatorToken unlocks AWS_IAM routes: "Authorization: Bearer <OperatorToken>" stands for a
	// valid SigV4 signature of the local operator. Empty: IAM routes always answer 403.
	OperatorToken string
	// Operator is the identity reported for the operator token (default LocalOperator).
	Operator *IAMIdentity
	// AccountID (default 000000000000) and APIID (default a random 10-character id) fill the
	// request context.
	AccountID, APIID string
	// Log, if set, receives one access-log line per request.
	Log io.Writer
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Gateway is an http.Handler playing the HTTP API.
type Gateway struct {
	cfg     Config
	routes  []*compiledRoute
	logMu   sync.Mutex
	warnMu  sync.Mutex
	warned  map[string]bool
	buckets map[string]*bucket
}

type compiledRoute struct {
	Route
	segments []string // path split on "/", without the leading ""
	greedy   bool
}

// New checks the configuration and returns a Gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.Invoker == nil {
		return nil, errors.New("gateway: no Invoker")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.APIID == "" {
		cfg.APIID = randomAPIID()
	}
	if cfg.Operator == nil {
		op := LocalOperator
		cfg.Operator = &op
	}
	g := &Gateway{cfg: cfg, warned: map[string]bool{}, buckets: map[string]*bucket{}}
	seen := map[string]bool{}
	for _, r := range cfg.Routes {
		r.Method = strings.ToUpper(r.Method)
		if r.Authorizer == "" {
			r.Authorizer = AuthNone
		}
		if r.Authorizer != AuthNone && r.Authorizer != AuthIAM {
			return nil, fmt.Errorf("gateway: route %s: authorizer %s is not supported locally", r.Key(), r.Authorizer)
		}
		if r.IntegrationTimeout <= 0 {
			r.IntegrationTimeout = DefaultIntegrationTimeout
		}
		if seen[r.Key()] {
			return nil, fmt.Errorf("gateway: route %s defined twice", r.Key())
		}
		seen[r.Key()] = true
		cr := &compiledRoute{Route: r}
		if r.Path != "$default" {
			if !strings.HasPrefix(r.Path, "/") {
				return nil, fmt.Errorf("gateway: route %s: path must start with /", r.Key())
			}
			cr.segments = strings.Split(r.Path[1:], "/")
			last := cr.segments[len(cr.segments)-1]
			cr.greedy = strings.HasPrefix(last, "{") && strings.HasSuffix(last, "+}")
		}
		g.routes = append(g.routes, cr)
		if b := newBucket(r.ThrottleBurst, r.ThrottleRate, cfg.Now()); b != nil {
			g.buckets[r.Key()] = b
		}
	}
	return g, nil
}

// APIID is the API id reported in request contexts.
func (g *Gateway) APIID() string { return g.cfg.APIID }

func randomAPIID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// requestID looks like API Gateway's (e.g. "JKJaXmPLvHcESHA=").
func requestID() string {
	b := make([]byte, 11)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b) // 15 characters and one "="
}

// match finds the route for method and path: a full match of literal segments wins over a
// path parameter at the first differing segment, and a specific method over ANY; $default
// catches what nothing else matches.
func (g *Gateway) match(method, escapedPath string) (*compiledRoute, map[string]string) {
	var segs []string
	if strings.HasPrefix(escapedPath, "/") {
		segs = strings.Split(escapedPath[1:], "/")
	}
	var best *compiledRoute
	var bestScore []int
	var bestParams map[string]string
	for _, r := range g.routes {
		if r.Path == "$default" || (r.Method != "ANY" && r.Method != method) {
			continue
		}
		params, score, ok := r.matchPath(segs)
		if !ok {
			continue
		}
		if r.Method != "ANY" {
			score = append(score, 1)
		} else {
			score = append(score, 0)
		}
		if best == nil || better(score, bestScore) {
			best, bestScore, bestParams = r, score, params
		}
	}
	if best != nil {
		return best, bestParams
	}
	for _, r := range g.routes {
		if r.Path == "$default" && (r.Method == "ANY" || r.Method == method) {
			return r, nil
		}
	}
	return nil, nil
}

func better(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

// matchPath matches escaped path segments; the score has per segment 2 for a literal, 1 for a
// parameter, 0 for a greedy parameter.
func (r *compiledRoute) matchPath(segs []string) (map[string]string, []int, bool) {
	n := len(r.segments)
	if r.greedy {
		if len(segs) < n {
			return nil, nil, false
		}
	} else if len(segs) != n {
		return nil, nil, false
	}
	var params map[string]string
	score := make([]int, 0, n)
	for i, pat := range r.segments {
		if strings.HasPrefix(pat, "{") && strings.HasSuffix(pat, "}") {
			name := pat[1 : len(pat)-1]
			value := segs[i]
			s := 1
			if r.greedy && i == n-1 {
				name = strings.TrimSuffix(name, "+")
				value = strings.Join(segs[i:], "/")
				s = 0
			}
			if value == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[name] = unescape(value)
			score = append(score, s)
			continue
		}
		if unescape(segs[i]) != pat {
			return nil, nil, false
		}
		score = append(score, 2)
	}
	return params, score, true
}

// HasRoute says whether a route of the API other than the $default catch-all matches the
// method and the escaped path (the local site serves the console only where the API has none).
func (g *Gateway) HasRoute(method, escapedPath string) bool {
	_, ok := g.RouteKey(method, escapedPath)
	return ok
}

// RouteKey is the key ("GET /users/{userId}") of the route other than the $default catch-all
// that answers the method and the escaped path, chosen as API Gateway chooses.
func (g *Gateway) RouteKey(method, escapedPath string) (string, bool) {
	r, _ := g.match(strings.ToUpper(method), escapedPath)
	if r == nil || r.Path == "$default" {
		return "", false
	}
	return r.Key(), true
}

// ServeHTTP handles one request as API Gateway would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	now := g.cfg.Now()
	rid := requestID()
	w.Header().Set("Apigw-Requestid", rid)
	rec := &statusRecorder{ResponseWriter: w}
	routeKey := "-"
	defer func() {
		g.access(r, rec.status, routeKey, rid, time.Since(start))
	}()

	if r.ContentLength > MaxRequestBody {
		g.fail(rec, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		g.fail(rec, r, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > MaxRequestBody {
		g.fail(rec, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	origin := r.Header.Get("Origin")
	if g.cfg.CORS != nil && r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		routeKey = "preflight"
		g.preflight(rec, r)
		return
	}
	route, params := g.match(r.Method, r.URL.EscapedPath())
	if route == nil {
		g.fail(rec, r, http.StatusNotFound, "Not Found")
		return
	}
	routeKey = route.Key()
	if b := g.buckets[routeKey]; b != nil && !b.allow(g.cfg.Now()) {
		g.fail(rec, r, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	var iam *IAMIdentity
	if route.Authorizer == AuthIAM {
		if !g.operatorAuthorized(r) {
			g.fail(rec, r, http.StatusForbidden, "Forbidden")
			return
		}
		iam = g.cfg.Operator
	}
	event := g.event(r, route, params, body, rid, now, iam)
	payload, err := json.Marshal(event)
	if err != nil {
		g.fail(rec, r, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), route.IntegrationTimeout)
	defer cancel()
	out, err := g.cfg.Invoker.Invoke(ctx, route.Function, payload)
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
			g.fail(rec, r, http.StatusServiceUnavailable, "Service Unavailable")
		case r.Context().Err() != nil:
			// The client went away; nothing to answer.
			rec.status = 499
		case isTooLarge(err):
			g.fail(rec, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		default:
			g.warnf(route.Function+err.Error(), "gateway: %s: %v", route.Function, err)
			g.fail(rec, r, http.StatusInternalServerError, "Internal Server Error")
		}
		return
	}
	resp, err := g.translate(route.Function, out)
	if err != nil {
		g.warnf(route.Function+"malformed", "gateway: %s returned a malformed response: %v", route.Function, err)
		g.fail(rec, r, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	h := rec.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	g.corsHeaders(h, origin)
	rec.WriteHeader(resp.status)
	_, _ = rec.Write(resp.body)
}

// isTooLarge recognizes an invoker's "payload too large" error (one with a
// RequestTooLarge() bool method returning true, like lambda.ErrRequestTooLarge).
func isTooLarge(err error) bool {
	var t interface{ RequestTooLarge() bool }
	return errors.As(err, &t) && t.RequestTooLarge()
}

func (g *Gateway) operatorAuthorized(r *http.Request) bool {
	if g.cfg.OperatorToken == "" {
		return false
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(g.cfg.OperatorToken)) == 1
}

// fail writes one of API Gateway's own error answers.
func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	g.corsHeaders(h, r.Header.Get("Origin"))
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, message)
}

func (g *Gateway) warnf(key, format string, args ...any) {
	g.warnMu.Lock()
	defer g.warnMu.Unlock()
	if len(g.warned) > 1000 {
		g.warned = map[string]bool{}
	}
	if g.warned[key] || g.cfg.Log == nil {
		return
	}
	g.warned[key] = true
	g.logMu.Lock()
	defer g.logMu.Unlock()
	fmt.Fprintf(g.cfg.Log, format+"\n", args...)
}

func (g *Gateway) access(r *http.Request, status int, routeKey, rid string, d time.Duration) {
	if g.cfg.Log == nil {
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	g.logMu.Lock()
	defer g.logMu.Unlock()
	fmt.Fprintf(g.cfg.Log, "[gateway] %s %s %d %.1fms route=%q id=%s\n", r.Method, r.URL.Path, status, float64(d)/1e6, routeKey, rid)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// sourceIP is the client address as API Gateway reports it.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		return port
	}
	return "80"
}

// bucket is a token bucket: burst tokens, refilled at rate per second.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	burst  float64
	rate   float64
	last   time.Time
}

// Account-level defaults of API Gateway, used when a route sets only one of the two limits.
const (
	accountRate  = 10000
	accountBurst = 5000
)

func newBucket(burst *int, rate *float64, now time.Time) *bucket {
	if burst == nil && rate == nil {
		return nil
	}
	b := &bucket{burst: accountBurst, rate: accountRate, last: now}
	if burst != nil {
		b.burst = float64(*burst)
	}
	if rate != nil {
		b.rate = *rate
	}
	b.tokens = b.burst
	return b
}

func (b *bucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens += el * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

var randRead = rand.Read

// Event returns the function a request is routed to and the payload API Gateway would send it,
// without invoking anything (for benchmarks that drive a lambda.Instance directly). Throttling
// is not applied; an AWS_IAM route needs the operator token as for ServeHTTP.
func (g *Gateway) Event(r *http.Request) (function string, payload []byte, err error) {
	var body []byte
	if r.Body != nil {
		if body, err = io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1)); err != nil {
			return "", nil, err
		}
	}
	if len(body) > MaxRequestBody {
		return "", nil, errors.New("gateway: request body over 10 MB")
	}
	route, params := g.match(r.Method, r.URL.EscapedPath())
	if route == nil {
		return "", nil, fmt.Errorf("gateway: no route for %s %s", r.Method, r.URL.Path)
	}
	var iam *IAMIdentity
	if route.Authorizer == AuthIAM {
		if !g.operatorAuthorized(r) {
			return "", nil, fmt.Errorf("gateway: %s needs the operator token", route.Key())
		}
		iam = g.cfg.Operator
	}
	if r.RemoteAddr == "" {
		r.RemoteAddr = "127.0.0.1:0"
	}
	if r.Host == "" {
		r.Host = "127.0.0.1"
	}
	payload, err = json.Marshal(g.event(r, route, params, body, requestID(), g.cfg.Now(), iam))
	return route.Function, payload, err
}
