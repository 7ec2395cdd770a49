package browser

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/local/testenv"
)

// documentedOp is one operation of docs/openapi.yaml: its method, its path template (as a
// pattern) and the query parameters it documents.
type documentedOp struct {
	method, template string
	pattern          *regexp.Regexp
	params           int // path parameters: a literal path wins over a template
	query            map[string]bool
}

var (
	documentedOnce sync.Once
	documentedOps  []documentedOp
	documentedErr  error
)

// documentedOperations reads docs/openapi.yaml once.
func documentedOperations(t *testing.T) []documentedOp {
	t.Helper()
	documentedOnce.Do(func() {
		documentedOps, documentedErr = loadDocumentedOperations(filepath.Join(testenv.RepoRoot(t), "docs", "openapi.yaml"))
	})
	if documentedErr != nil {
		t.Fatalf("docs/openapi.yaml: %v", documentedErr)
	}
	return documentedOps
}

var pathParam = regexp.MustCompile(`\{[^/}]+\}`)

func loadDocumentedOperations(path string) ([]documentedOp, error) {
	doc, err := deploycheck.LoadYAML(path)
	if err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("no paths")
	}
	shared, _ := doc["components"].(map[string]any)
	sharedParams, _ := shared["parameters"].(map[string]any)
	// queryNames adds the names of the query parameters in list (inline or a $ref to
	// #/components/parameters/...).
	queryNames := func(list any, into map[string]bool) {
		items, _ := list.([]any)
		for _, it := range items {
			p, _ := it.(map[string]any)
			if ref, ok := p["$ref"].(string); ok {
				p, _ = sharedParams[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
			}
			if in, _ := p["in"].(string); in == "query" {
				name, _ := p["name"].(string)
				into[name] = true
			}
		}
	}
	var ops []documentedOp
	for tmpl, v := range paths {
		item, _ := v.(map[string]any)
		segments := strings.Split(tmpl, "/")
		for i, seg := range segments {
			if pathParam.MatchString(seg) {
				segments[i] = `[^/]+`
			} else {
				segments[i] = regexp.QuoteMeta(seg)
			}
		}
		pattern := regexp.MustCompile("^" + strings.Join(segments, "/") + "$")
		for method, o := range item {
			op, ok := o.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			d := documentedOp{method: strings.ToUpper(method), template: tmpl, pattern: pattern,
				params: len(pathParam.FindAllString(tmpl, -1)), query: map[string]bool{}}
			queryNames(item["parameters"], d.query)
			queryNames(op["parameters"], d.query)
			ops = append(ops, d)
		}
	}
	return ops, nil
}

// find is the operation that answers method path: of those whose template matches, the one with
// the fewest path parameters (/notifications/read before /notifications/{notificationId}).
func findOperation(ops []documentedOp, method, path string) *documentedOp {
	var best *documentedOp
	for i := range ops {
		op := &ops[i]
		if op.method == method && op.pattern.MatchString(path) && (best == nil || op.params < best.params) {
			best = op
		}
	}
	return best
}

// undocumented lists the requests among responses that docs/openapi.yaml does not document: an
// unknown method and path, or a query parameter the operation does not name. Each is said once.
func undocumented(ops []documentedOp, responses []seenResponse) (out []string, checked int) {
	said := map[string]bool{}
	say := func(s string) {
		if !said[s] {
			said[s] = true
			out = append(out, s)
		}
	}
	for _, r := range responses {
		if r.Foreign {
			continue
		}
		checked++
		u, err := url.Parse(r.URL)
		if err != nil {
			say(fmt.Sprintf("%s %s: %v", r.Method, r.URL, err))
			continue
		}
		op := findOperation(ops, r.Method, u.Path)
		if op == nil {
			say(fmt.Sprintf("%s %s is not an operation of docs/openapi.yaml", r.Method, u.Path))
			continue
		}
		for name := range u.Query() {
			if !op.query[name] {
				say(fmt.Sprintf("%s %s: query parameter %q is not documented", op.method, op.template, name))
			}
		}
	}
	return out, checked
}

func TestUndocumented(t *testing.T) {
	ops := documentedOperations(t)
	if op := findOperation(ops, "POST", "/notifications/read"); op == nil || op.template != "/notifications/read" {
		t.Fatalf("POST /notifications/read: %+v", op)
	}
	got, checked := undocumented(ops, []seenResponse{
		{Method: "GET", URL: "/customers?limit=50&cursor=x"},
		{Method: "GET", URL: "/customers/cus_1/subscriptions"},
		{Method: "PATCH", URL: "/customers/cus_1/subscriptions/sub_1"},
		{Method: "GET", URL: "/customers?colour=red"},
		{Method: "DELETE", URL: "/company"},
		{Method: "GET", URL: "/nowhere"},
		{Method: "GET", URL: "/nowhere"},
		{Method: "OPTIONS", URL: "/auth/refresh", Foreign: true},
	})
	want := []string{
		`GET /customers: query parameter "colour" is not documented`,
		"DELETE /company is not an operation of docs/openapi.yaml",
		"GET /nowhere is not an operation of docs/openapi.yaml",
	}
	if checked != 7 {
		t.Errorf("checked %d requests, want 7 (the foreign one is not the site's)", checked)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("undocumented:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
