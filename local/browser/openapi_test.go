package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/local/gateway"
	"github.com/partner-admin-center/pac/local/testenv"
)

// documentedAPI is docs/openapi.yaml's operations: a gateway whose routes are the operations
// matches a request to its operation as API Gateway would, and query names each operation's
// documented query parameters by route key.
type documentedAPI struct {
	routes *gateway.Gateway
	query  map[string]map[string]bool
}

var (
	documentedOnce sync.Once
	documented     *documentedAPI
	documentedErr  error
)

// documentedOperations reads docs/openapi.yaml once.
func documentedOperations(t *testing.T) *documentedAPI {
	t.Helper()
	documentedOnce.Do(func() {
		documented, documentedErr = loadDocumentedAPI(filepath.Join(testenv.RepoRoot(t), "docs", "openapi.yaml"))
	})
	if documentedErr != nil {
		t.Fatalf("docs/openapi.yaml: %v", documentedErr)
	}
	return documented
}

func loadDocumentedAPI(path string) (*documentedAPI, error) {
	doc, err := deploycheck.LoadYAML(path)
	if err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	shared, _ := components["parameters"].(map[string]any)
	// queryNames adds the names of the query parameters in list (inline, or a $ref to
	// #/components/parameters/...).
	queryNames := func(list any, into map[string]bool) {
		items, _ := list.([]any)
		for _, it := range items {
			p, _ := it.(map[string]any)
			if ref, ok := p["$ref"].(string); ok {
				p, _ = shared[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
			}
			if in, _ := p["in"].(string); in == "query" {
				name, _ := p["name"].(string)
				into[name] = true
			}
		}
	}
	d := &documentedAPI{query: map[string]map[string]bool{}}
	var routes []gateway.Route
	for _, op := range deploycheck.Operations(doc) {
		routes = append(routes, gateway.Route{Method: op.Method, Path: op.Path, Function: op.Key()})
		query := map[string]bool{}
		item, _ := paths[op.Path].(map[string]any)
		queryNames(item["parameters"], query)
		queryNames(op.Op["parameters"], query)
		d.query[op.Key()] = query
	}
	if len(routes) == 0 {
		return nil, errors.New("no operations")
	}
	notInvoked := gateway.InvokerFunc(func(context.Context, string, []byte) ([]byte, error) {
		return nil, errors.New("only matched, never invoked")
	})
	d.routes, err = gateway.New(gateway.Config{Routes: routes, Invoker: notInvoked})
	return d, err
}

// undocumented lists the requests among responses that docs/openapi.yaml does not document: an
// unknown method and path, or a query parameter the operation does not name. Each is said once.
// checked counts the site's requests (a foreign page's are not the site's).
func (d *documentedAPI) undocumented(responses []seenResponse) (out []string, checked int) {
	said := map[string]bool{}
	for _, r := range responses {
		if r.Foreign {
			continue
		}
		checked++
		var problems []string
		if u, err := url.Parse(r.URL); err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", r.Method, r.URL, err))
		} else if key, ok := d.routes.RouteKey(r.Method, u.EscapedPath()); !ok {
			problems = append(problems, fmt.Sprintf("%s %s is not an operation of docs/openapi.yaml", r.Method, u.Path))
		} else {
			for name := range u.Query() {
				if !d.query[key][name] {
					problems = append(problems, fmt.Sprintf("%s: query parameter %q is not documented", key, name))
				}
			}
		}
		for _, p := range problems {
			if !said[p] {
				said[p] = true
				out = append(out, p)
			}
		}
	}
	return out, checked
}

func TestUndocumented(t *testing.T) {
	d := documentedOperations(t)
	if key, _ := d.routes.RouteKey("POST", "/notifications/read"); key != "POST /notifications/read" {
		t.Fatalf("POST /notifications/read matched %q", key)
	}
	got, checked := d.undocumented([]seenResponse{
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
