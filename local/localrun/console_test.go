package localrun_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/testenv"
)

const consoleIndex = `<!doctype html><html><head><script type="module" src="/console/assets/index-1a2b3c.js"></script></head><body></body></html>`

// TestRunServesTheConsole starts the runtime over the project's template.yaml with a console
// build (GET /me served by the echo function) and requests both over the one origin: the
// console's index, deep links, assets and their cache headers, the security headers of the
// template's CloudFront policy, the redirects, a missing asset, path traversal, and the API.
func TestRunServesTheConsole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	for name, body := range map[string]string{"index.html": consoleIndex, "assets/index-1a2b3c.js": "export {}"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rt := startWith(ctx, t, localrun.Options{
		RepoRoot: testenv.RepoRoot(t), DataDir: t.TempDir(), NoSeed: true, NoEventSources: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t), TableName: testenv.UniqueName("console-"),
		Functions: []string{"GetMeFunction"}, Bootstraps: map[string]string{"GetMeFunction": testenv.BuildEcho(t)},
		ConsoleDir: dir,
	})
	if rt.ConsoleURL != rt.APIURL+"/console/" || rt.Credentials.ConsoleURL != rt.ConsoleURL || !rt.Console.Built() {
		t.Fatalf("ConsoleURL %q (credentials %q), API %q", rt.ConsoleURL, rt.Credentials.ConsoleURL, rt.APIURL)
	}
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := noRedirects.Get(rt.APIURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	security := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
			"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		"Permissions-Policy": "camera=(), microphone=(), geolocation=()", "Strict-Transport-Security": "", // http: no HSTS
	}
	for _, p := range []string{"/console/", "/console/customers/cus_123"} {
		resp, body := get(p)
		if resp.StatusCode != 200 || body != consoleIndex || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: %d %q %v", p, resp.StatusCode, body, resp.Header)
		}
		for k, v := range security {
			if resp.Header.Get(k) != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, resp.Header.Get(k), v)
			}
		}
	}
	if resp, body := get("/console/assets/index-1a2b3c.js"); resp.StatusCode != 200 || body != "export {}" ||
		resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("GET an asset: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, body := get("/console/assets/x.js"); resp.StatusCode != 404 || strings.Contains(body, "<html") {
		t.Errorf("GET a missing asset: %d %q, want 404", resp.StatusCode, body)
	}
	for p, want := range map[string]int{"/": 302, "/console": 301} {
		if resp, _ := get(p); resp.StatusCode != want || resp.Header.Get("Location") != "/console/" {
			t.Errorf("GET %s: %d %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// Path traversal, sent as written.
	conn, err := net.Dial("tcp", strings.TrimPrefix(rt.APIURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /console/%%2e%%2e/%%2e%%2e/go.mod HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	conn.Close()
	if resp.StatusCode != 400 || strings.Contains(string(b), "module") {
		t.Errorf("path traversal: %d %q, want 400", resp.StatusCode, b)
	}

	// The API is untouched: its route reaches its function, its 404 stays API Gateway's.
	resp, body := get("/me")
	var echo struct {
		Event struct {
			RouteKey string `json:"routeKey"`
		} `json:"event"`
	}
	if err := json.Unmarshal([]byte(body), &echo); err != nil || resp.StatusCode != 200 || echo.Event.RouteKey != "GET /me" {
		t.Errorf("GET /me: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("GET /me carries the console's headers: %v", resp.Header)
	}
	if resp, body := get("/consoles"); resp.StatusCode != 404 || body != `{"message":"Not Found"}` {
		t.Errorf("GET /consoles: %d %q, want the gateway's 404", resp.StatusCode, body)
	}
}

// TestConsoleNeedsTheTemplatesHeaders: a template without the distribution's headers policy
// cannot serve the console (no headers made up locally).
func TestConsoleNeedsTheTemplatesHeaders(t *testing.T) {
	_, err := localrun.Start(context.Background(), localrun.Options{RepoRoot: testenv.RepoRoot(t), TemplatePath: "testdata/template.yaml",
		DataDir: t.TempDir(), DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		ConsoleDir: t.TempDir(), Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "serving the console") || !strings.Contains(err.Error(), "AWS::CloudFront::Distribution") {
		t.Errorf("Start: %v", err)
	}
}
