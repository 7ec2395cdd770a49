package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/local/template"
)

// recorder is an in-process Invoker: it keeps the events and answers with answer(event).
type recorder struct {
	mu     sync.Mutex
	events []events.APIGatewayV2HTTPRequest
	calls  []string
	answer func(fn string, ev events.APIGatewayV2HTTPRequest) ([]byte, error)
}

func (r *recorder) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.calls = append(r.calls, fn)
	r.mu.Unlock()
	if r.answer != nil {
		return r.answer(fn, ev)
	}
	return []byte(`{"statusCode":200,"body":"ok"}`), nil
}

func (r *recorder) last(t *testing.T) (string, events.APIGatewayV2HTTPRequest) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	return r.calls[len(r.calls)-1], r.events[len(r.events)-1]
}

func intp(n int) *int           { return &n }
func floatp(f float64) *float64 { return &f }

func serve(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func newReq(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

var userRoutes = []Route{
	{Method: "GET", Path: "/users", Function: "ListUsers"},
	{Method: "GET", Path: "/users/{userId}", Function: "GetUser"},
	{Method: "POST", Path: "/users", Function: "CreateUser"},
	{Method: "GET", Path: "/users/me", Function: "GetMe"},
	{Method: "ANY", Path: "/users/{userId}", Function: "AnyUser"},
	{Method: "GET", Path: "/files/{path+}", Function: "Files"},
	{Method: "GET", Path: "/operator/partners/{partnerId}", Function: "GetPartner", Authorizer: AuthIAM},
}

func TestEventIsWhatAPIGatewaySends(t *testing.T) {
	rec := &recorder{}
	now := time.Date(2026, 3, 12, 19, 3, 58, 0, time.UTC)
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec, APIID: "abc123defg", Now: func() time.Time { return now }})
	req := newReq(t, "GET", srv.URL+"/users/u%40x?b=2&a=1&a=3&q=hello%20world", nil)
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Add("Cookie", "a=1; b=2")
	req.Header.Add("Cookie", "c=3")
	req.Header.Set("User-Agent", "curl/8.0")
	resp, body := do(t, req)
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	fn, ev := rec.last(t)
	if fn != "GetUser" {
		t.Errorf("invoked %s", fn)
	}
	check := func(name string, got, want any) {
		t.Helper()
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("%s = %s, want %s", name, gj, wj)
		}
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	check("version", ev.Version, "2.0")
	check("routeKey", ev.RouteKey, "GET /users/{userId}")
	check("rawPath", ev.RawPath, "/users/u@x")
	check("rawQueryString", ev.RawQueryString, "b=2&a=1&a=3&q=hello%20world")
	check("queryStringParameters", ev.QueryStringParameters, map[string]string{"a": "1,3", "b": "2", "q": "hello world"})
	check("pathParameters", ev.PathParameters, map[string]string{"userId": "u@x"})
	check("cookies", ev.Cookies, []string{"a=1", "b=2", "c=3"})
	check("headers[x-multi]", ev.Headers["x-multi"], "one,two")
	check("headers[user-agent]", ev.Headers["user-agent"], "curl/8.0")
	check("headers[host]", ev.Headers["host"], host)
	check("headers[x-forwarded-for]", ev.Headers["x-forwarded-for"], "127.0.0.1")
	check("headers[x-forwarded-proto]", ev.Headers["x-forwarded-proto"], "http")
	if _, ok := ev.Headers["cookie"]; ok {
		t.Errorf("the cookie header must move to cookies")
	}
	for k := range ev.Headers {
		if k != strings.ToLower(k) {
			t.Errorf("header %q is not lower case", k)
		}
	}
	if !strings.HasPrefix(ev.Headers["x-amzn-trace-id"], "Root=1-") {
		t.Errorf("x-amzn-trace-id %q", ev.Headers["x-amzn-trace-id"])
	}
	rc := ev.RequestContext
	check("requestContext.routeKey", rc.RouteKey, "GET /users/{userId}")
	check("requestContext.accountId", rc.AccountID, "000000000000")
	check("requestContext.apiId", rc.APIID, "abc123defg")
	check("requestContext.stage", rc.Stage, "$default")
	check("requestContext.domainName", rc.DomainName, host)
	check("requestContext.domainPrefix", rc.DomainPrefix, "127")
	check("requestContext.time", rc.Time, "12/Mar/2026:19:03:58 +0000")
	check("requestContext.timeEpoch", rc.TimeEpoch, now.UnixMilli())
	check("requestContext.http", rc.HTTP, events.APIGatewayV2HTTPRequestContextHTTPDescription{
		Method: "GET", Path: "/users/u@x", Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "curl/8.0"})
	if rc.RequestID == "" || rc.RequestID != resp.Header.Get("Apigw-Requestid") {
		t.Errorf("requestId %q, apigw-requestid header %q", rc.RequestID, resp.Header.Get("Apigw-Requestid"))
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{15}=$`).MatchString(rc.RequestID) {
		t.Errorf("requestId %q does not look like API Gateway's", rc.RequestID)
	}
	if rc.Authorizer != nil {
		t.Errorf("authorizer on a route without one: %+v", rc.Authorizer)
	}
	if ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("body %q base64 %v", ev.Body, ev.IsBase64Encoded)
	}
}

func TestBodyEncodingByContentType(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec})
	binary := []byte{0xff, 0x00, 0x10, 'a'}
	cases := []struct {
		contentType string
		body        []byte
		base64      bool
	}{
		{"application/json", []byte(`{"name":"Zoë"}`), false},
		// Not UTF-8: base64, so that the function sees the very bytes and can refuse them.
		{"application/json", []byte("{\"name\":\"Bad \xff\xfe\"}"), true},
		{"application/json; charset=utf-8", []byte(`{"a":1}`), false},
		{"text/plain", []byte("hello"), false},
		{"application/xml", []byte("<a/>"), false},
		{"application/x-www-form-urlencoded", []byte("a=1&b=2"), true},
		{"application/octet-stream", binary, true},
		{"", []byte("no type"), true},
	}
	for _, c := range cases {
		req := newReq(t, "POST", srv.URL+"/users", bytes.NewReader(c.body))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		do(t, req)
		_, ev := rec.last(t)
		if ev.IsBase64Encoded != c.base64 {
			t.Errorf("%q: isBase64Encoded %v, want %v", c.contentType, ev.IsBase64Encoded, c.base64)
		}
		got := []byte(ev.Body)
		if ev.IsBase64Encoded {
			got, _ = base64.StdEncoding.DecodeString(ev.Body)
		}
		if !bytes.Equal(got, c.body) {
			t.Errorf("%q: body %q, want %q", c.contentType, got, c.body)
		}
		if ev.Headers["content-length"] != strconv.Itoa(len(c.body)) {
			t.Errorf("%q: content-length %q", c.contentType, ev.Headers["content-length"])
		}
	}
}

func TestRouteMatching(t *testing.T) {
	g, err := New(Config{Routes: userRoutes, Invoker: &recorder{}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/users", "ListUsers", nil},
		{"POST", "/users", "CreateUser", nil},
		{"GET", "/users/me", "GetMe", nil},
		{"GET", "/users/42", "GetUser", map[string]string{"userId": "42"}},
		{"DELETE", "/users/42", "AnyUser", map[string]string{"userId": "42"}},
		{"GET", "/files/a/b/c.txt", "Files", map[string]string{"path": "a/b/c.txt"}},
		{"DELETE", "/users", "", nil},
		{"GET", "/users/", "", nil},
		{"GET", "/users/42/x", "", nil},
		{"GET", "/Users", "", nil},
		{"GET", "/", "", nil},
	}
	for _, c := range cases {
		r, params := g.match(c.method, c.path)
		got := ""
		if r != nil {
			got = r.Function
		}
		if got != c.want {
			t.Errorf("%s %s -> %q, want %q", c.method, c.path, got, c.want)
			continue
		}
		if len(params) != len(c.params) {
			t.Errorf("%s %s params %v, want %v", c.method, c.path, params, c.params)
		}
		for k, v := range c.params {
			if params[k] != v {
				t.Errorf("%s %s param %s=%q, want %q", c.method, c.path, k, params[k], v)
			}
		}
	}
	// $default catches the rest.
	g2, _ := New(Config{Routes: append([]Route{{Path: "$default", Method: "ANY", Function: "Default"}}, userRoutes...), Invoker: &recorder{}})
	if r, _ := g2.match("PUT", "/nothing/here"); r == nil || r.Function != "Default" || r.Key() != "$default" {
		t.Errorf("$default route not used: %+v", r)
	}
	if _, err := New(Config{Routes: []Route{{Method: "GET", Path: "/a", Function: "A"}, {Method: "GET", Path: "/a", Function: "B"}}, Invoker: &recorder{}}); err == nil {
		t.Error("a duplicate route was accepted")
	}
	// HasRoute: a route of its own, never the catch-all.
	for _, c := range []struct {
		g            *Gateway
		method, path string
		want         bool
	}{
		{g, "GET", "/users/42", true}, {g, "get", "/users/42", true}, {g, "PUT", "/users", false}, {g, "GET", "/", false},
		{g2, "GET", "/users", true}, {g2, "GET", "/console/", false},
	} {
		if got := c.g.HasRoute(c.method, c.path); got != c.want {
			t.Errorf("HasRoute(%s %s) = %v, want %v", c.method, c.path, got, c.want)
		}
	}
}

func TestNotFound(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec})
	resp, body := do(t, newReq(t, "GET", srv.URL+"/nope", nil))
	if resp.StatusCode != 404 || body != `{"message":"Not Found"}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("404: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	if len(rec.calls) != 0 {
		t.Error("a function was invoked")
	}
}

func TestResponseTranslation(t *testing.T) {
	var answer []byte
	var answerErr error
	rec := &recorder{answer: func(string, events.APIGatewayV2HTTPRequest) ([]byte, error) { return answer, answerErr }}
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec})
	get := func() (*http.Response, string) { return do(t, newReq(t, "GET", srv.URL+"/users", nil)) }

	answer, _ = json.Marshal(events.APIGatewayV2HTTPResponse{
		StatusCode:        201,
		Headers:           map[string]string{"Content-Type": "application/problem+json", "location": "/users/1", "x-list": "a,b"},
		MultiValueHeaders: map[string][]string{"x-ignored": {"1", "2"}},
		Cookies:           []string{"s=1; HttpOnly", "t=2"},
		Body:              `{"id":"1"}`,
	})
	resp, body := get()
	if resp.StatusCode != 201 || body != `{"id":"1"}` || resp.Header.Get("Content-Type") != "application/problem+json" ||
		resp.Header.Get("Location") != "/users/1" || resp.Header.Get("X-List") != "a,b" {
		t.Errorf("response object: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if c := resp.Header.Values("Set-Cookie"); len(c) != 2 || c[0] != "s=1; HttpOnly" || c[1] != "t=2" {
		t.Errorf("cookies -> Set-Cookie: %v", c)
	}
	if resp.Header.Get("X-Ignored") != "" {
		t.Errorf("multiValueHeaders must be ignored in payload format 2.0")
	}

	answer = []byte(`{"statusCode":200,"isBase64Encoded":true,"body":"` + base64.StdEncoding.EncodeToString([]byte{1, 2, 3}) + `","headers":{"content-type":"application/octet-stream"}}`)
	if resp, body = get(); resp.StatusCode != 200 || body != "\x01\x02\x03" {
		t.Errorf("base64 body: %d %q", resp.StatusCode, body)
	}
	answer = []byte(`{"statusCode":204}`)
	if resp, body = get(); resp.StatusCode != 204 || body != "" {
		t.Errorf("204: %d %q", resp.StatusCode, body)
	}

	// Valid JSON without statusCode: a 200 application/json with that JSON as body.
	answer = []byte(`{"message":"hello"}`)
	if resp, body = get(); resp.StatusCode != 200 || body != `{"message":"hello"}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("inferred object: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	answer = []byte(`"Hello from Lambda!"`)
	if resp, body = get(); resp.StatusCode != 200 || body != "Hello from Lambda!" {
		t.Errorf("inferred string: %d %q", resp.StatusCode, body)
	}
	answer = []byte(`[1,2]`)
	if resp, body = get(); resp.StatusCode != 200 || body != `[1,2]` {
		t.Errorf("inferred array: %d %q", resp.StatusCode, body)
	}

	for _, bad := range []string{`not json`, `{"statusCode":"200"}`, `{"statusCode":42}`, `{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`, ``} {
		answer = []byte(bad)
		if resp, body = get(); resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
			t.Errorf("malformed %q: %d %q", bad, resp.StatusCode, body)
		}
	}
	answer, answerErr = []byte(`{"errorMessage":"boom","errorType":"errorString"}`), errors.New("function error")
	if resp, body = get(); resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
		t.Errorf("function error: %d %q", resp.StatusCode, body)
	}
}

func TestIntegrationTimeoutIs503(t *testing.T) {
	// The function answers only after the gateway has given up (its context ends at the
	// integration timeout), however slow the machine; the minute is a backstop that turns a
	// gateway that never times out into a failure (a 200) instead of a hang.
	rec := &recorder{}
	slow := InvokerFunc(func(ctx context.Context, fn string, p []byte) ([]byte, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Minute):
			return rec.Invoke(ctx, fn, p)
		}
	})
	srv := serve(t, Config{Routes: []Route{{Method: "GET", Path: "/slow", Function: "Slow", IntegrationTimeout: 100 * time.Millisecond}}, Invoker: slow})
	resp, body := do(t, newReq(t, "GET", srv.URL+"/slow", nil))
	if resp.StatusCode != 503 || body != `{"message":"Service Unavailable"}` {
		t.Errorf("integration timeout: %d %q", resp.StatusCode, body)
	}
}

type tooLarge struct{}

func (tooLarge) Error() string         { return "too large" }
func (tooLarge) RequestTooLarge() bool { return true }

func TestPayloadLimits(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec})
	resp, body := do(t, newReq(t, "POST", srv.URL+"/users", bytes.NewReader(make([]byte, MaxRequestBody+1))))
	if resp.StatusCode != 413 || body != `{"message":"Request Entity Too Large"}` {
		t.Errorf("over 10 MB: %d %q", resp.StatusCode, body)
	}
	if len(rec.calls) != 0 {
		t.Error("invoked with an oversized body")
	}
	srv2 := serve(t, Config{Routes: userRoutes, Invoker: InvokerFunc(func(context.Context, string, []byte) ([]byte, error) { return nil, tooLarge{} })})
	if resp, _ := do(t, newReq(t, "POST", srv2.URL+"/users", strings.NewReader("x"))); resp.StatusCode != 413 {
		t.Errorf("invoker payload limit: %d", resp.StatusCode)
	}
}

func TestIAMRoutes(t *testing.T) {
	rec := &recorder{}
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec, OperatorToken: "s3cret-operator-token"})
	url := srv.URL + "/operator/partners/p1"
	for _, auth := range []string{"", "Bearer wrong", "s3cret-operator-token", "Basic s3cret-operator-token"} {
		req := newReq(t, "GET", url, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, body := do(t, req)
		if resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
			t.Errorf("Authorization %q: %d %q", auth, resp.StatusCode, body)
		}
	}
	if len(rec.calls) != 0 {
		t.Fatal("an unauthorized request reached the function")
	}
	req := newReq(t, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer s3cret-operator-token")
	resp, _ := do(t, req)
	if resp.StatusCode != 200 {
		t.Fatalf("operator token: %d", resp.StatusCode)
	}
	_, ev := rec.last(t)
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.IAM == nil {
		t.Fatalf("no IAM authorizer in the request context")
	}
	iam := *ev.RequestContext.Authorizer.IAM
	if iam.AccountID != "000000000000" || iam.UserARN != "arn:aws:iam::000000000000:user/local-operator" ||
		iam.CallerID == "" || iam.UserID == "" || iam.AccessKey == "" {
		t.Errorf("IAM identity %+v", iam)
	}
	if strings.Contains(ev.Headers["authorization"], "s3cret") || !strings.HasPrefix(ev.Headers["authorization"], "AWS4-HMAC-SHA256 ") {
		t.Errorf("authorization header passed on: %q", ev.Headers["authorization"])
	}
	if ev.PathParameters["partnerId"] != "p1" {
		t.Errorf("path parameters %v", ev.PathParameters)
	}
	// Without a configured token the IAM routes are closed.
	srv2 := serve(t, Config{Routes: userRoutes, Invoker: rec})
	req = newReq(t, "GET", srv2.URL+"/operator/partners/p1", nil)
	req.Header.Set("Authorization", "Bearer ")
	if resp, _ := do(t, req); resp.StatusCode != 403 {
		t.Errorf("no operator token configured: %d", resp.StatusCode)
	}
}

func TestThrottlingPerRoute(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	rec := &recorder{}
	srv := serve(t, Config{Now: clock, Invoker: rec, Routes: []Route{
		{Method: "POST", Path: "/auth/sign-in", Function: "SignIn", ThrottleBurst: intp(2), ThrottleRate: floatp(1)},
		{Method: "GET", Path: "/me", Function: "GetMe", ThrottleBurst: intp(100), ThrottleRate: floatp(50)},
		{Method: "GET", Path: "/blocked", Function: "Blocked", ThrottleBurst: intp(0), ThrottleRate: floatp(0)},
	}})
	status := func(method, path string) (int, string) {
		resp, body := do(t, newReq(t, method, srv.URL+path, nil))
		return resp.StatusCode, body
	}
	for k := 0; k < 2; k++ {
		if s, _ := status("POST", "/auth/sign-in"); s != 200 {
			t.Fatalf("request %d within the burst: %d", k+1, s)
		}
	}
	if s, body := status("POST", "/auth/sign-in"); s != 429 || body != `{"message":"Too Many Requests"}` {
		t.Errorf("over the burst: %d %q", s, body)
	}
	if s, _ := status("GET", "/me"); s != 200 {
		t.Errorf("another route is throttled separately: %d", s)
	}
	advance(time.Second)
	if s, _ := status("POST", "/auth/sign-in"); s != 200 {
		t.Errorf("after one second at 1 rps: %d", s)
	}
	if s, _ := status("POST", "/auth/sign-in"); s != 429 {
		t.Errorf("the refilled token is spent: %d", s)
	}
	if s, _ := status("GET", "/blocked"); s != 429 {
		t.Errorf("a burst limit of 0 blocks the route: %d", s)
	}
}

func TestCORS(t *testing.T) {
	rec := &recorder{answer: func(string, events.APIGatewayV2HTTPRequest) ([]byte, error) {
		return []byte(`{"statusCode":200,"headers":{"access-control-allow-origin":"https://evil.example"},"body":"{}"}`), nil
	}}
	srv := serve(t, Config{Routes: userRoutes, Invoker: rec, CORS: &CORS{
		AllowOrigins: []string{"https://admin.example.com"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"authorization", "content-type"}, ExposeHeaders: []string{"location"}, MaxAge: 600,
	}})
	pre := newReq(t, "OPTIONS", srv.URL+"/users", nil)
	pre.Header.Set("Origin", "https://admin.example.com")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "Content-Type, Authorization")
	resp, _ := do(t, pre)
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "https://admin.example.com" ||
		h.Get("Access-Control-Allow-Methods") != "GET,POST" || h.Get("Access-Control-Allow-Headers") != "authorization,content-type" ||
		h.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
	if len(rec.calls) != 0 {
		t.Error("the preflight reached a function")
	}
	pre.Header.Set("Origin", "https://other.example")
	if resp, _ := do(t, pre); resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from a foreign origin: %d %v", resp.StatusCode, resp.Header)
	}
	req := newReq(t, "GET", srv.URL+"/users", nil)
	req.Header.Set("Origin", "https://admin.example.com")
	resp, _ = do(t, req)
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://admin.example.com" || resp.Header.Get("Access-Control-Expose-Headers") != "location" {
		t.Errorf("CORS headers on the answer: %v", resp.Header)
	}
	req.Header.Set("Origin", "https://other.example")
	if resp, _ = do(t, req); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("the integration's CORS header must be replaced: %v", resp.Header)
	}
}

func TestEventWithoutInvoking(t *testing.T) {
	rec := &recorder{}
	g, err := New(Config{Routes: userRoutes, Invoker: rec, OperatorToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/users", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	fn, payload, err := g.Event(req)
	if err != nil || fn != "CreateUser" {
		t.Fatalf("Event: %q %v", fn, err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil || ev.Body != `{"a":1}` || ev.RouteKey != "POST /users" {
		t.Errorf("event %s: %v", payload, err)
	}
	if _, _, err := g.Event(httptest.NewRequest("GET", "/operator/partners/p", nil)); err == nil {
		t.Error("an IAM route without the operator token")
	}
	if _, _, err := g.Event(httptest.NewRequest("GET", "/nope", nil)); err == nil {
		t.Error("no route")
	}
	if len(rec.calls) != 0 {
		t.Error("Event invoked a function")
	}
}

func TestFromTheProjectTemplate(t *testing.T) {
	tpl, err := template.Load("../../template.yaml", template.Options{AllowMissing: true})
	if err != nil {
		t.Fatalf("the project's template.yaml is required: %v", err)
	}
	routes, _, err := FromTemplate(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Routes: routes, Invoker: &recorder{}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if iam := strings.HasPrefix(r.Path, "/operator/"); iam != (r.Authorizer == AuthIAM) {
			t.Errorf("%s: authorizer %s", r.Key(), r.Authorizer)
		}
		if r.ThrottleBurst == nil || r.ThrottleRate == nil {
			t.Errorf("%s: no throttling from the template", r.Key())
		}
	}
	fixture, err := template.Load("../template/testdata/template.yaml", template.Options{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := FromTemplate(fixture); err == nil {
		t.Error("two HTTP APIs must be refused")
	}
}
