package console

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/template"
)

// contract are the console's security headers as console-contract.md states them; HSTS is sent
// over https only.
var contract = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"Referrer-Policy":        "no-referrer",
	"Permissions-Policy":     "camera=(), microphone=(), geolocation=()",
}

const contractHSTS = "max-age=63072000; includeSubDomains"

// projectHeaders reads the headers from the project's template.yaml, as the local runtime does.
func projectHeaders(t *testing.T) Headers {
	t.Helper()
	tpl, err := template.Load(filepath.Join("..", "..", "template.yaml"), template.Options{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := HeadersFromTemplate(tpl)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHeadersFromTheTemplate: template.yaml's policy gives exactly the contract's headers.
func TestHeadersFromTheTemplate(t *testing.T) {
	h := projectHeaders(t)
	got := map[string]string{}
	for k := range h.All {
		got[k] = h.All.Get(k)
	}
	if !reflect.DeepEqual(got, contract) {
		t.Errorf("headers of the /console/* behaviour\n got %q\nwant %q", got, contract)
	}
	if len(h.TLS) != 1 || h.TLS.Get("Strict-Transport-Security") != contractHSTS {
		t.Errorf("https-only headers %q, want Strict-Transport-Security: %s", h.TLS, contractHSTS)
	}
}

func TestHeadersFromTemplateRefusesWhatItCannotPlay(t *testing.T) {
	const head = "Resources:\n  Site:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n        CacheBehaviors:\n"
	const policy = "  Headers:\n    Type: AWS::CloudFront::ResponseHeadersPolicy\n    Properties:\n      ResponseHeadersPolicyConfig:\n"
	for name, c := range map[string]struct{ doc, want string }{
		"no distribution": {"Resources:\n  B: {Type: AWS::S3::Bucket}\n", "0 AWS::CloudFront::Distribution"},
		"no behaviour":    {head + "          - {PathPattern: /x/*}\n", "no such behaviour"},
		"no policy":       {head + "          - {PathPattern: /console/*}\n", "no ResponseHeadersPolicyId"},
		"managed policy": {head + "          - {PathPattern: /console/*, ResponseHeadersPolicyId: 67f7725c-6f97-4210-82d7-5512b31e9d03}\n",
			"is not a AWS::CloudFront::ResponseHeadersPolicy"},
		"cors": {head + "          - {PathPattern: /console/*, ResponseHeadersPolicyId: !Ref Headers}\n" + policy +
			"        Name: x\n        CorsConfig: {OriginOverride: true}\n", "CorsConfig: not played"},
		"unknown security header": {head + "          - {PathPattern: /console/*, ResponseHeadersPolicyId: !Ref Headers}\n" + policy +
			"        SecurityHeadersConfig:\n          NewHeader: {Override: true}\n", "SecurityHeadersConfig.NewHeader: not played"},
	} {
		tpl, err := template.Parse([]byte(c.doc), template.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := HeadersFromTemplate(tpl); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestRoute(t *testing.T) {
	for uri, want := range map[string]Decision{
		"/":                                {Status: 302, Location: "/console/"},
		"/console":                         {Status: 301, Location: "/console/"},
		"/console/":                        {URI: "/console/index.html"},
		"/console/customers/cus_123":       {URI: "/console/index.html"},
		"/console/assets/":                 {URI: "/console/index.html"},
		"/console/assets/index-4f2a9c.js":  {URI: "/console/assets/index-4f2a9c.js"},
		"/console/index.html":              {URI: "/console/index.html"},
		"/console/favicon.svg":             {URI: "/console/favicon.svg"},
		"/consoles":                        {URI: "/consoles"},
		"/me":                              {URI: "/me"},
		"/trial/abc.def":                   {URI: "/trial/abc.def"},
		"/console/customers/cus_1/v1.2/x":  {URI: "/console/index.html"},
		"/console/customers/cus_1/v1.2/x.": {URI: "/console/customers/cus_1/v1.2/x."},
	} {
		if got := Route(uri); got != want {
			t.Errorf("Route(%q) = %+v, want %+v", uri, got, want)
		}
	}
}

const indexHTML = `<!doctype html><html><head><script type="module" src="/console/assets/index-4f2a9c.js"></script></head><body><div id="root"></div></body></html>`

// dist writes a console build like Vite's into a new directory (and a file next to it that no
// request may reach) and returns the directory.
func dist(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "dist")
	files := map[string]string{
		"index.html":               indexHTML,
		"favicon.svg":              `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"assets/index-4f2a9c.js":   `console.log("console")`,
		"assets/index-77e1d0.css":  `body{margin:0}`,
		"assets/inter-latin.woff2": "wOF2",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(dir, "assets", "link.txt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func get(t *testing.T, client *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// checkSecurityHeaders: the contract's headers, and HSTS exactly when tls.
func checkSecurityHeaders(t *testing.T, what string, resp *http.Response, tls bool) {
	t.Helper()
	for k, v := range contract {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	hsts := resp.Header.Get("Strict-Transport-Security")
	if tls && hsts != contractHSTS {
		t.Errorf("%s over https: Strict-Transport-Security = %q, want %q", what, hsts, contractHSTS)
	}
	if !tls && hsts != "" {
		t.Errorf("%s over http: Strict-Transport-Security = %q, want none", what, hsts)
	}
}

// TestServe requests a console build from a real HTTP server the way a browser would.
func TestServe(t *testing.T) {
	srv := httptest.NewServer(New(dist(t), projectHeaders(t), nil))
	defer srv.Close()
	c := noRedirects

	for _, p := range []string{"/console/", "/console/customers/cus_123", "/console/service-requests?status=open", "/console/index.html"} {
		resp, body := get(t, c, "GET", srv.URL+p)
		if resp.StatusCode != 200 || body != indexHTML {
			t.Errorf("GET %s: %d %q, want 200 and index.html", p, resp.StatusCode, body)
		}
		if cc, ct := resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"); cc != "no-cache" || ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Cache-Control %q, Content-Type %q", p, cc, ct)
		}
		checkSecurityHeaders(t, "GET "+p, resp, false)
	}

	for p, want := range map[string]struct{ body, ct, cc string }{
		"/console/assets/index-4f2a9c.js":   {`console.log("console")`, "text/javascript; charset=utf-8", CacheImmutable},
		"/console/assets/index-77e1d0.css":  {`body{margin:0}`, "text/css; charset=utf-8", CacheImmutable},
		"/console/assets/inter-latin.woff2": {"wOF2", "font/woff2", CacheImmutable},
		"/console/favicon.svg":              {`<svg xmlns="http://www.w3.org/2000/svg"/>`, "image/svg+xml", "no-cache"},
	} {
		resp, body := get(t, c, "GET", srv.URL+p)
		if resp.StatusCode != 200 || body != want.body || resp.Header.Get("Content-Type") != want.ct || resp.Header.Get("Cache-Control") != want.cc {
			t.Errorf("GET %s: %d %q Content-Type %q Cache-Control %q, want 200 %q %q %q", p, resp.StatusCode, body,
				resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), want.body, want.ct, want.cc)
		}
		checkSecurityHeaders(t, "GET "+p, resp, false)
	}
	if resp, body := get(t, c, "HEAD", srv.URL+"/console/assets/index-4f2a9c.js"); resp.StatusCode != 200 || body != "" ||
		resp.Header.Get("Content-Length") != "22" {
		t.Errorf("HEAD an asset: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	// A missing file is a 404, never index.html (a stale chunk must fail as a script, not load HTML).
	for _, p := range []string{"/console/assets/missing-000000.js", "/console/robots.txt", "/console/assets/x.js"} {
		resp, body := get(t, c, "GET", srv.URL+p)
		if resp.StatusCode != 404 || strings.Contains(body, "<html") {
			t.Errorf("GET %s: %d %q, want 404", p, resp.StatusCode, body)
		}
		checkSecurityHeaders(t, "GET "+p, resp, false)
	}

	for p, want := range map[string]int{"/": 302, "/console": 301, "/console?x=1": 301} {
		resp, _ := get(t, c, "GET", srv.URL+p)
		if resp.StatusCode != want || resp.Header.Get("Location") != "/console/" {
			t.Errorf("GET %s: %d Location %q, want %d /console/", p, resp.StatusCode, resp.Header.Get("Location"), want)
		}
		checkSecurityHeaders(t, "GET "+p, resp, false)
	}
	// Followed, the root ends on the console.
	if resp, body := get(t, http.DefaultClient, "GET", srv.URL+"/"); resp.StatusCode != 200 || body != indexHTML || resp.Request.URL.Path != "/console/" {
		t.Errorf("GET / followed: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	if resp, _ := get(t, c, "POST", srv.URL+"/console/"); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /console/: %d %v", resp.StatusCode, resp.Header)
	}
}

// raw sends a request line as written (clients clean dot segments; attackers do not) and
// returns the response.
func raw(t *testing.T, addr, target string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestPathTraversalIsRefused: dot segments (plain or percent-encoded, with encoded slashes),
// backslashes and symbolic links out of the directory reach nothing outside it.
func TestPathTraversalIsRefused(t *testing.T) {
	srv := httptest.NewServer(New(dist(t), projectHeaders(t), nil))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	for _, target := range []string{
		"/console/../secret.txt", "/console/assets/../../secret.txt", "/console/%2e%2e/secret.txt",
		"/console/assets%2f..%2f..%2fsecret.txt", "/console/..%5csecret.txt", "/console/./index.html",
		"/console/%2E%2E/%2E%2E/etc/passwd",
	} {
		resp, body := raw(t, addr, target)
		if resp.StatusCode != 400 || strings.Contains(body, "secret") {
			t.Errorf("GET %s: %d %q, want 400", target, resp.StatusCode, body)
		}
	}
	if resp, body := raw(t, addr, "/console/assets/link.txt"); resp.StatusCode != 404 || strings.Contains(body, "secret") {
		t.Errorf("a symbolic link out of the directory: %d %q, want 404", resp.StatusCode, body)
	}
}

// TestHSTSOverHTTPS: over https the console's responses carry Strict-Transport-Security too.
func TestHSTSOverHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(New(dist(t), projectHeaders(t), nil))
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()
	resp, body := get(t, srv.Client(), "GET", srv.URL+"/console/customers")
	if resp.StatusCode != 200 || body != indexHTML {
		t.Fatalf("GET over https: %d %q", resp.StatusCode, body)
	}
	checkSecurityHeaders(t, "GET over https", resp, true)
}

// TestNotBuilt: without a build every console path answers a 503 page naming `make console`.
func TestNotBuilt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	h := New(dir, projectHeaders(t), nil)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range []string{"/console/", "/console/customers", "/console/assets/index-4f2a9c.js"} {
		resp, body := get(t, noRedirects, "GET", srv.URL+p)
		if resp.StatusCode != 503 || !strings.Contains(body, "make console") || !strings.Contains(body, dir) ||
			resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("GET %s without a build: %d %q", p, resp.StatusCode, body)
		}
		checkSecurityHeaders(t, "GET "+p+" without a build", resp, false)
	}
	if h.Built() {
		t.Error("Built() without index.html")
	}
	// Built while running: served at once.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(indexHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, noRedirects, "GET", srv.URL+"/console/"); resp.StatusCode != 200 || body != indexHTML || !h.Built() {
		t.Errorf("GET /console/ after the build: %d %q", resp.StatusCode, body)
	}
}

// TestSite: the API's routes keep priority; the console answers only where the API has none.
func TestSite(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api "+r.URL.Path) })
	routes := map[string]bool{"GET /me": true, "GET /console/api-owned": true}
	hasRoute := func(method, p string) bool { return routes[method+" "+p] }
	srv := httptest.NewServer(Site(New(dist(t), projectHeaders(t), nil), api, hasRoute))
	defer srv.Close()
	for p, want := range map[string]string{
		"/me": "api /me", "/console/api-owned": "api /console/api-owned", "/nowhere": "api /nowhere",
		"/console/": indexHTML, "/console/customers": indexHTML,
	} {
		if resp, body := get(t, noRedirects, "GET", srv.URL+p); resp.StatusCode != 200 || body != want {
			t.Errorf("GET %s: %d %q, want %q", p, resp.StatusCode, body, want)
		}
	}
	if resp, _ := get(t, noRedirects, "GET", srv.URL+"/"); resp.StatusCode != 302 {
		t.Errorf("GET /: %d, want the console's redirect", resp.StatusCode)
	}
	routes["GET /"] = true
	if resp, body := get(t, noRedirects, "GET", srv.URL+"/"); resp.StatusCode != 200 || body != "api /" {
		t.Errorf("GET / with an API route: %d %q, want the API", resp.StatusCode, body)
	}
	if resp, body := get(t, noRedirects, "POST", srv.URL+"/me"); resp.StatusCode != 200 || body != "api /me" {
		t.Errorf("POST /me: %d %q, want the API (its 404 or 405, not the console's)", resp.StatusCode, body)
	}
}

// TestGzip: text files of 1,000 bytes and more go gzip-encoded to a browser that accepts it (as
// CloudFront's Compress: true does), with Vary: Accept-Encoding; small files, fonts, a client
// without gzip (or with q=0) and range requests get the file as it is; a rebuilt file is
// compressed anew.
func TestGzip(t *testing.T) {
	dir := dist(t)
	js := strings.Repeat(`export const x = "console";`+"\n", 200)
	woff := strings.Repeat("wOF2", 500)
	for name, body := range map[string]string{"assets/big-1a2b3c.js": js, "assets/font-1a2b3c.woff2": woff} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(dir, projectHeaders(t), nil))
	defer srv.Close()
	// A client that neither asks for gzip by itself nor decodes it.
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	fetch := func(path string, headers ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	gunzip := func(b []byte) string {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}

	resp, body := fetch("/console/assets/big-1a2b3c.js", "Accept-Encoding", "gzip, deflate, br")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" || len(body) >= len(js) || gunzip(body) != js {
		t.Errorf("a big script with gzip accepted: Content-Encoding %q, Vary %q, %d bytes for %d", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), len(body), len(js))
	}
	if resp.Header.Get("Cache-Control") != CacheImmutable || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("gzip changed the headers: %v", resp.Header)
	}
	for _, h := range [][]string{nil, {"Accept-Encoding", "gzip;q=0, br"}, {"Accept-Encoding", "gzip", "Range", "bytes=0-99"}} {
		resp, body := fetch("/console/assets/big-1a2b3c.js", h...)
		if resp.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(js, string(body)) || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("GET with %q: Content-Encoding %q, Vary %q, %d bytes", h, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), len(body))
		}
	}
	for _, p := range []string{"/console/assets/font-1a2b3c.woff2", "/console/assets/index-4f2a9c.js"} {
		if resp, _ := fetch(p, "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s: compressed (a font, or under 1,000 bytes)", p)
		}
	}
	// A new build of the same name (another time stamp) is served, not the old encoding.
	js2 := strings.Repeat(`export const y = "rebuilt";`+"\n", 200)
	if err := os.WriteFile(filepath.Join(dir, "assets/big-1a2b3c.js"), []byte(js2), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "assets/big-1a2b3c.js"), future, future); err != nil {
		t.Fatal(err)
	}
	if _, body := fetch("/console/assets/big-1a2b3c.js", "Accept-Encoding", "gzip"); gunzip(body) != js2 {
		t.Error("a rebuilt file was served from the old gzip encoding")
	}
}
