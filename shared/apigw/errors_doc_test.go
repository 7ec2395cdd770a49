package apigw

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/shared/admin"
)

// TestErrorsDoc keeps docs/errors.md in step with the code catalogue and the status table: every
// code has a section whose heading is exactly the code (GitHub derives the anchor that problem
// type URIs point at from it), the section states the code's status, the overview table agrees,
// every example body is a well-formed problem of that code, and the page names no code that
// does not exist.
func TestErrorsDoc(t *testing.T) {
	b, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatalf("read docs/errors.md: %v", err)
	}
	doc := string(b)
	codes := declaredCodes(t)

	sections := map[admin.Code]string{}
	var order []admin.Code
	parts := regexp.MustCompile(`(?m)^## `).Split(doc, -1)
	for _, p := range parts[1:] {
		heading, body, _ := strings.Cut(p, "\n")
		c := admin.Code(strings.TrimSpace(heading))
		if _, dup := sections[c]; dup {
			t.Errorf("two sections are headed %q", c)
		}
		sections[c] = body
		order = append(order, c)
	}

	for c := range statusOf {
		t.Run(string(c), func(t *testing.T) {
			body, ok := sections[c]
			if !ok {
				t.Fatalf("docs/errors.md has no section \"## %s\" (the anchor of %s%s)", c, ProblemTypeBase, c)
			}
			want := "**Status:** " + strconv.Itoa(statusOf[c]) + " " + http.StatusText(statusOf[c])
			if !strings.Contains(body, want) {
				t.Errorf("section %s does not state %q", c, want)
			}
			row := "| [`" + string(c) + "`](#" + string(c) + ") | " + strconv.Itoa(statusOf[c]) + " |"
			if !strings.Contains(doc, row) {
				t.Errorf("overview table lacks the row %q", row)
			}
			for _, what := range []string{"**When:**", "**What to do:**"} {
				if !strings.Contains(body, what) {
					t.Errorf("section %s lacks %s", c, what)
				}
			}
		})
	}
	for _, c := range order {
		if !slices.Contains(codes, c) {
			t.Errorf("docs/errors.md has a section %q, which is not a code of shared/admin/errors.go", c)
		}
	}
	// Every code the page mentions in backticks or links must exist (catches renamed codes).
	for _, m := range regexp.MustCompile(`\(#([a-z_]+)\)`).FindAllStringSubmatch(doc, -1) {
		if !slices.Contains(codes, admin.Code(m[1])) {
			t.Errorf("docs/errors.md links #%s, which is not a code", m[1])
		}
	}

	// Example bodies: valid problems whose type, status, title and code agree.
	examples := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(examples) < 2 {
		t.Fatalf("found %d example bodies, want at least 2", len(examples))
	}
	for _, m := range examples {
		var p Problem
		dec := json.NewDecoder(strings.NewReader(m[1]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			t.Errorf("example %q is not a problem: %v", m[1], err)
			continue
		}
		if p.Type != ProblemTypeBase+string(p.Code) || p.Status != StatusOf(p.Code) || p.Title != http.StatusText(p.Status) ||
			!slices.Contains(codes, p.Code) || p.RequestID == "" {
			t.Errorf("example of %s is inconsistent: %+v", p.Code, p)
		}
		if len(p.Errors) > 0 && p.Field != p.Errors[0].Field {
			t.Errorf("example of %s: field %q, want the first error's %q", p.Code, p.Field, p.Errors[0].Field)
		}
	}
}
