// Package console serves the built web console (console/dist) on the local runtime's origin the
// way the CloudFront distribution of template.yaml serves it from its S3 bucket
// (console-contract.md):
//
//   - / and /console redirect to /console/; a /console/ path whose last segment has no file
//     extension (the index, a deep link) answers with index.html, anything else with its file
//     or 404 (Route mirrors the template's ConsoleRoutingFunction; local/deploycheck runs that
//     function in Node against Route);
//   - Cache-Control: public, max-age=31536000, immutable under /console/assets/, no-cache for
//     every other file (what `make deploy` gives the uploaded objects);
//   - the security headers of the template's ResponseHeadersPolicy on the distribution's
//     /console/* behaviour (HeadersFromTemplate), HSTS only over https;
//   - a 503 page naming `make console` while console/dist has no index.html;
//   - gzip for text files of 1,000 bytes and more when the browser accepts it, as the
//     distribution's Compress: true does (so what the browser loads, and what make bench's
//     Lighthouse run weighs, is what it gets deployed).
//
// Site puts the console and the API gateway on one handler; the API's routes keep priority.
package console

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Paths of the console on the site.
const (
	// Prefix is the console's path: its index is Prefix, its files are under it.
	Prefix = "/console/"
	// Index is the file the SPA's paths answer with.
	Index = Prefix + "index.html"
	// AssetsPrefix holds the hashed, immutable build files.
	AssetsPrefix = Prefix + "assets/"
)

// Cache-Control of the console's files (console-contract.md; `make deploy` sets the same on the
// objects it uploads).
const (
	CacheImmutable  = "public, max-age=31536000, immutable"
	CacheRevalidate = "no-cache"
)

// Decision is what the site's routing function does with a request path before any origin
// sees it: a redirect (Status and Location), or the request goes on with URI as its path.
type Decision struct {
	Status   int
	Location string
	URI      string
}

// Route is ConsoleRoutingFunction of template.yaml: / redirects (302) and /console redirects
// (301) to /console/; a /console/ path whose last segment has no "." gets /console/index.html;
// any other path goes on unchanged.
func Route(uri string) Decision {
	switch uri {
	case "/":
		return Decision{Status: http.StatusFound, Location: Prefix}
	case "/console":
		return Decision{Status: http.StatusMovedPermanently, Location: Prefix}
	}
	if strings.HasPrefix(uri, Prefix) && !strings.Contains(uri[strings.LastIndex(uri, "/")+1:], ".") {
		return Decision{URI: Index}
	}
	return Decision{URI: uri}
}

// Owns says whether a path is the console's part of the site: / and /console (redirects to the
// console) and everything under /console/.
func Owns(p string) bool {
	return p == "/" || p == "/console" || strings.HasPrefix(p, Prefix)
}

// Site serves the console for the paths it Owns for which the API has no route of its own
// (hasRoute, e.g. gateway.Gateway.HasRoute), and the API for every other request.
func Site(console, api http.Handler, hasRoute func(method, escapedPath string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Owns(r.URL.Path) && !hasRoute(r.Method, r.URL.EscapedPath()) {
			console.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// Handler serves a console build directory.
type Handler struct {
	dir     string
	headers Headers
	log     io.Writer
	logMu   sync.Mutex

	gzMu sync.Mutex
	gz   map[string]gzipped // by file name; a build replaces files, so the entry keeps their stamp
}

// gzipped is a file's gzip encoding, for the modification time and size it was made from.
type gzipped struct {
	mod  time.Time
	size int64
	data []byte
}

// New returns a Handler serving dir (console/dist) with the given security headers; log, if not
// nil, receives one access-log line per request.
func New(dir string, headers Headers, log io.Writer) *Handler {
	return &Handler{dir: dir, headers: headers, log: log}
}

// Dir is the directory served.
func (h *Handler) Dir() string { return h.dir }

// Built says whether the directory holds a build (an index.html).
func (h *Handler) Built() bool {
	st, err := os.Stat(filepath.Join(h.dir, "index.html"))
	return err == nil && st.Mode().IsRegular()
}

// ServeHTTP answers one request for the console's part of the site.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	defer func() { h.access(r, rec.status, time.Since(start)) }()
	hdr := rec.Header()
	for k, v := range h.headers.All {
		hdr[k] = v
	}
	if r.TLS != nil {
		for k, v := range h.headers.TLS {
			hdr[k] = v
		}
	}
	if !cleanPath(r.URL.Path) {
		text(rec, http.StatusBadRequest, "Bad Request")
		return
	}
	d := Route(r.URL.Path)
	if d.Status != 0 {
		hdr.Set("Location", d.Location)
		hdr.Set("Cache-Control", CacheRevalidate)
		rec.WriteHeader(d.Status)
		return
	}
	if !strings.HasPrefix(d.URI, Prefix) {
		text(rec, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		text(rec, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if !h.Built() {
		h.notBuilt(rec)
		return
	}
	// os.Root keeps every open inside the directory, symbolic links included.
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		h.notBuilt(rec)
		return
	}
	defer root.Close()
	name := strings.TrimPrefix(d.URI, Prefix)
	f, err := root.Open(name)
	if err != nil {
		text(rec, http.StatusNotFound, "Not Found")
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		text(rec, http.StatusNotFound, "Not Found")
		return
	}
	if strings.HasPrefix(d.URI, AssetsPrefix) {
		hdr.Set("Cache-Control", CacheImmutable)
	} else {
		hdr.Set("Cache-Control", CacheRevalidate)
	}
	ct := contentTypes[strings.ToLower(path.Ext(name))]
	if ct != "" {
		hdr.Set("Content-Type", ct)
	}
	if compressible(ct, st.Size()) {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) && r.Header.Get("Range") == "" {
			if gz, err := h.gzipOf(name, st, f); err == nil {
				hdr.Set("Content-Encoding", "gzip")
				http.ServeContent(rec, r, name, st.ModTime(), bytes.NewReader(gz))
				return
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				text(rec, http.StatusInternalServerError, "Internal Server Error")
				return
			}
		}
	}
	http.ServeContent(rec, r, name, st.ModTime(), f)
}

// compressible is CloudFront's rule: text types, from 1,000 bytes to 10,000,000 bytes.
func compressible(contentType string, size int64) bool {
	if size < 1000 || size > 10_000_000 {
		return false
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "image/svg+xml" || mt == "application/manifest+json"
}

// acceptsGzip says whether the request's Accept-Encoding admits gzip.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") || strings.TrimSpace(coding) == "*" {
			return strings.ReplaceAll(params, " ", "") != "q=0"
		}
	}
	return false
}

// gzipOf returns the gzip encoding of the open file name, made once per version of the file.
func (h *Handler) gzipOf(name string, st os.FileInfo, f io.Reader) ([]byte, error) {
	h.gzMu.Lock()
	defer h.gzMu.Unlock()
	if g, ok := h.gz[name]; ok && g.mod.Equal(st.ModTime()) && g.size == st.Size() {
		return g.data, nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(zw, f); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if h.gz == nil {
		h.gz = map[string]gzipped{}
	}
	h.gz[name] = gzipped{mod: st.ModTime(), size: st.Size(), data: buf.Bytes()}
	return buf.Bytes(), nil
}

// contentTypes complete Go's table (mime.TypeByExtension, which ServeContent uses) for the
// files a Vite build holds.
var contentTypes = map[string]string{
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".svg":         "image/svg+xml",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ico":         "image/x-icon",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
}

// cleanPath refuses what no browser sends and what could leave the directory: dot segments,
// backslashes and NUL bytes (the path is already percent-decoded: %2e%2e and %2f are caught).
func cleanPath(p string) bool {
	if strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func (h *Handler) notBuilt(w http.ResponseWriter) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Retry-After", "10")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>The console is not built</title></head>
<body>
<h1>The console is not built</h1>
<p>%s holds no index.html. Run <code>make console</code> (<code>make run</code> builds it before it starts), then reload this page.</p>
</body>
</html>
`, htmlEscape(h.dir))
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func (h *Handler) access(r *http.Request, status int, d time.Duration) {
	if h.log == nil {
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	h.logMu.Lock()
	defer h.logMu.Unlock()
	fmt.Fprintf(h.log, "[console] %s %s %d %.1fms\n", r.Method, r.URL.Path, status, float64(d)/1e6)
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
