package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// event builds the payload format 2.0 event API Gateway sends for r.
func (g *Gateway) event(r *http.Request, route *compiledRoute, params map[string]string, body []byte,
	rid string, now time.Time, iam *IAMIdentity) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lname] = strings.Join(values, ",")
	}
	headers["host"] = r.Host
	if len(body) > 0 || r.ContentLength > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}
	ip := sourceIP(r)
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + ip
	} else {
		headers["x-forwarded-for"] = ip
	}
	headers["x-forwarded-port"] = localPort(r)
	headers["x-forwarded-proto"] = "http"
	headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%s", now.Unix(), randomHex(12))
	if iam != nil {
		// After SigV4 verification API Gateway passes the signature header on; the operator
		// token never reaches the function.
		headers["authorization"] = fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/execute-api/aws4_request, "+
			"SignedHeaders=host;x-amz-date, Signature=%s", iam.AccessKey, now.UTC().Format("20060102"), randomHex(32))
		headers["x-amz-date"] = now.UTC().Format("20060102T150405Z")
	}

	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.Key(),
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.Key(),
			AccountID:    g.cfg.AccountID,
			Stage:        "$default",
			RequestID:    rid,
			APIID:        g.cfg.APIID,
			DomainName:   r.Host,
			DomainPrefix: prefix,
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  ip,
				UserAgent: r.Header.Get("User-Agent"),
			},
		},
	}
	if iam != nil {
		id := *iam
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &id}
	}
	if len(body) > 0 {
		// A textual body that is not UTF-8 cannot travel in the JSON event as it is (an encoder
		// would put U+FFFD in place of its bytes, hiding them from the function's check): it goes
		// base64-encoded, as a binary one. What AWS does with such a body is not documented.
		if isTextual(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isTextual says whether API Gateway HTTP APIs pass a request body of this content type as a
// string. Measured against AWS (payload 2.0): text/*, application/json, application/xml and
// application/javascript arrive as text; everything else, a missing content type and
// application/x-www-form-urlencoded included, arrives base64-encoded.
func isTextual(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return true
	}
	return false
}

// queryParameters decodes a raw query string; repeated names are joined with commas.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	out := map[string]string{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if prev, ok := out[k]; ok {
			out[k] = prev + "," + v
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// translate turns a function's answer into the HTTP response, by API Gateway's payload 2.0
// rules: an object with a statusCode is a response object (statusCode, headers, cookies →
// Set-Cookie, body, isBase64Encoded; multiValueHeaders is ignored, as API Gateway ignores it
// in format 2.0); any other valid JSON is the body of a 200 application/json response (a JSON
// string as its text); anything else is an error (API Gateway answers 500).
func (g *Gateway) translate(function string, out []byte) (*response, error) {
	trimmed := bytes.TrimSpace(out)
	if len(trimmed) == 0 {
		return nil, errors.New("empty response")
	}
	if !json.Valid(trimmed) {
		return nil, errors.New("the response is not JSON")
	}
	if trimmed[0] == '{' {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return nil, err
		}
		if _, ok := probe["statusCode"]; ok {
			return g.responseObject(function, trimmed, probe)
		}
	}
	resp := &response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: trimmed}
	if trimmed[0] == '"' {
		var s string
		if err := json.Unmarshal(trimmed, &s); err == nil {
			resp.body = []byte(s)
		}
	}
	return resp, nil
}

func (g *Gateway) responseObject(function string, raw []byte, probe map[string]json.RawMessage) (*response, error) {
	var v events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("response object: %w", err)
	}
	if v.StatusCode < 100 || v.StatusCode > 599 {
		return nil, fmt.Errorf("statusCode %d", v.StatusCode)
	}
	if len(v.MultiValueHeaders) > 0 {
		g.warnf(function+"mvh", "gateway: %s returned multiValueHeaders, which API Gateway ignores in payload format 2.0 (use headers with comma-joined values, and cookies)", function)
	}
	resp := &response{status: v.StatusCode, header: http.Header{}}
	keys := make([]string, 0, len(v.Headers))
	for k := range v.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		resp.header.Set(k, v.Headers[k])
	}
	for _, c := range v.Cookies {
		resp.header.Add("Set-Cookie", c)
	}
	if v.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(v.Body)
		if err != nil {
			return nil, fmt.Errorf("body is not base64: %w", err)
		}
		resp.body = b
	} else {
		resp.body = []byte(v.Body)
	}
	if resp.header.Get("Content-Type") == "" && len(resp.body) > 0 {
		// Without a content type, API Gateway HTTP APIs send text/plain; charset=utf-8.
		resp.header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	return resp, nil
}

// CORS.

func (g *Gateway) originAllowed(origin string) (string, bool) {
	c := g.cfg.CORS
	if c == nil || origin == "" {
		return "", false
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			return "*", true
		}
		if strings.EqualFold(o, origin) {
			return origin, true
		}
	}
	return "", false
}

// preflight answers an OPTIONS preflight from the CORS configuration, as API Gateway does for
// an API with CORS configured (whatever the routes).
func (g *Gateway) preflight(w http.ResponseWriter, r *http.Request) {
	c := g.cfg.CORS
	h := w.Header()
	if allow, ok := g.originAllowed(r.Header.Get("Origin")); ok {
		method := strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
		if listAllows(c.AllowMethods, method) && headersAllowed(c.AllowHeaders, r.Header.Get("Access-Control-Request-Headers")) {
			h.Set("Access-Control-Allow-Origin", allow)
			if len(c.AllowMethods) > 0 {
				h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
			}
			if len(c.AllowHeaders) > 0 {
				h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
			}
			if c.MaxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
			}
			if c.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
	}
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusNoContent)
}

func listAllows(list []string, v string) bool {
	for _, x := range list {
		if x == "*" || strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func headersAllowed(allowed []string, requested string) bool {
	for _, h := range strings.Split(requested, ",") {
		if h = strings.TrimSpace(h); h != "" && !listAllows(allowed, h) {
			return false
		}
	}
	return true
}

// corsHeaders adds the CORS response headers to an answer for origin; with CORS configured,
// API Gateway replaces whatever CORS headers the integration returned.
func (g *Gateway) corsHeaders(h http.Header, origin string) {
	if g.cfg.CORS == nil {
		return
	}
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
		"Access-Control-Expose-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		h.Del(k)
	}
	allow, ok := g.originAllowed(origin)
	if !ok {
		return
	}
	h.Set("Access-Control-Allow-Origin", allow)
	if g.cfg.CORS.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(g.cfg.CORS.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(g.cfg.CORS.ExposeHeaders, ","))
	}
	h.Add("Vary", "Origin")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = randRead(b)
	const digits = "0123456789abcdef"
	out := make([]byte, 2*n)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
