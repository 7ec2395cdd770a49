package email

import (
	htmltemplate "html/template"
	"strings"
	"testing"
	texttemplate "text/template"
)

// stdlib parses a template's files with text/template and html/template, the reference the
// engine must match (they are used here only: executing them in the mailer would cost 5 MB).
func stdlib(t *testing.T, name string) (*texttemplate.Template, *htmltemplate.Template) {
	t.Helper()
	funcs := map[string]any{"lines": func(s string) []string { return strings.Split(s, "\n") }, "items": items,
		"offerKind": offerKindText, "scopeText": scopeText}
	txt, err := texttemplate.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(files, "templates/_common.txt", "templates/"+name+".txt")
	if err != nil {
		t.Fatal(err)
	}
	html, err := htmltemplate.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(files, "templates/_layout.html", "templates/"+name+".html")
	if err != nil {
		t.Fatal(err)
	}
	return txt, html
}

// TestEngineMatchesTheStandardLibrary renders every template in both clouds, with ordinary and
// with hostile values in every field (markup, quotes, entities, line breaks, NUL, scripts in
// URLs, characters URLs must encode), with the engine and with text/template and html/template:
// the outputs must be identical, so the HTML escaping is html/template's.
func TestEngineMatchesTheStandardLibrary(t *testing.T) {
	hostile := []string{
		`<script>alert("x")</script>`, `a & b "c" 'd' +e <f> &amp;`, "line1\nline2\r\nBcc: x@example.com\x00",
		"javascript:alert(1)", "JavaScript:alert(1)", "https://example.com/a b?c=d&e=f#g\"h'i<j>", "%41%zz ü €",
		"mailto:someone@example.com", "data:text/html,<b>x</b>", "//evil.example/x", "tel:+49 30 123",
	}
	for _, name := range Templates() {
		txt, html := stdlib(t, name)
		all, err := parsed()
		if err != nil {
			t.Fatal(err)
		}
		c := all[name]
		for _, cloud := range []string{CloudGlobal, Cloud21Vianet} {
			cases := []map[string]string{sample(name, cloud)}
			for _, h := range hostile {
				d := sample(name, cloud)
				for f := range d {
					if _, isEnum := enums[f]; !isEnum {
						d[f] = h
					}
				}
				cases = append(cases, d)
			}
			for i, d := range cases {
				for _, def := range []string{"subject", "text"} {
					var want strings.Builder
					if err := txt.ExecuteTemplate(&want, def, d); err != nil {
						t.Fatal(err)
					}
					got, err := c.text.execute(def, d, false)
					if err != nil || got != want.String() {
						t.Fatalf("%s/%s case %d %s: engine differs from text/template (%v)\n got %q\nwant %q", name, cloud, i, def, err, got, want.String())
					}
				}
				var want strings.Builder
				if err := html.ExecuteTemplate(&want, "html", d); err != nil {
					t.Fatal(err)
				}
				got, err := c.html.execute("html", d, true)
				if err != nil || got != want.String() {
					t.Fatalf("%s/%s case %d: engine differs from html/template (%v)\n got %s\nwant %s", name, cloud, i, err, got, want.String())
				}
			}
		}
	}
}

// TestEngineRefusesUnsupportedContexts: an action where html/template would need an escaper the
// engine does not have is an error, never unescaped output.
func TestEngineRefusesUnsupportedContexts(t *testing.T) {
	d := map[string]string{"x": `"><script>alert(1)</script>`}
	for _, src := range []string{
		`{{define "html"}}<script>var a = "{{.x}}";</script>{{end}}`,
		`{{define "html"}}<style>p { color: {{.x}} }</style>{{end}}`,
		`{{define "html"}}<a onclick="{{.x}}">a</a>{{end}}`,
		`{{define "html"}}<p style="{{.x}}">a</p>{{end}}`,
		`{{define "html"}}<a href={{.x}}>a</a>{{end}}`,
		`{{define "html"}}<a {{.x}}>a</a>{{end}}`,
		`{{define "html"}}<{{.x}}>{{end}}`,
		`{{define "html"}}<a href="/p?q={{.x}}">a</a>{{end}}`,
		`{{define "html"}}<!-- {{.x}} -->{{end}}`,
		`{{define "html"}}<title>{{.x}}</title>{{end}}`,
	} {
		s, err := parseSet(map[string]string{"t.html": src})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if out, err := s.execute("html", d, true); err == nil {
			t.Errorf("%s rendered %q", src, out)
		}
	}
	// Template features outside the supported subset fail at parse or execution.
	for _, src := range []string{`{{define "t"}}{{printf "%s" .x}}{{end}}`, `{{define "t"}}{{with .x}}{{.}}{{end}}{{end}}`, `{{define "t"}}{{.x.y}}{{end}}`, `{{define "t"}}{{.missing}}{{end}}`} {
		s, err := parseSet(map[string]string{"t.txt": src})
		if err != nil {
			continue
		}
		if out, err := s.execute("t", d, false); err == nil {
			t.Errorf("%s rendered %q", src, out)
		}
	}
}
