package email

import (
	"fmt"
	"strings"
	"text/template/parse"
	"unicode/utf8"
)

// The templates use text/template syntax and are parsed by text/template/parse, but executed by
// the small evaluator below rather than by text/template and html/template. Those execute by
// reflection (reflect.Value.MethodByName), which makes the linker keep every exported method of
// every type in the binary: with the SES and DynamoDB clients the mailer grows from ~9 MB to
// ~14 MB, over the 12 MB binary budget. The evaluator supports exactly what the templates use —
// fields of the data map, $ and range variables, string literals, if/else, range over lists,
// template calls, and the functions in builtins — and fails on anything else at init.
//
// HTML output is escaped by context exactly as html/template escapes it (the tests render every
// template with html/template and require identical output): in text, and in quoted attribute
// values, with html/template's HTML escaper; in a URL attribute (href, src), with its URL
// filter (only http, https and mailto schemes at the start) and URL normalizer first. An action
// anywhere else (inside a tag name, an unquoted or event-handler or style attribute, a script,
// a style sheet or a comment) is an error, not a guess.

// fn is a template function: evaluated arguments in, a value out.
type fn func(args []any) (any, error)

var builtins = map[string]fn{
	"eq": func(a []any) (any, error) {
		if len(a) < 2 {
			return nil, fmt.Errorf("eq needs two arguments")
		}
		x, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("eq compares strings, got %T", a[0])
		}
		for _, y := range a[1:] {
			if s, ok := y.(string); !ok {
				return nil, fmt.Errorf("eq compares strings, got %T", y)
			} else if s == x {
				return true, nil
			}
		}
		return false, nil
	},
	"or": func(a []any) (any, error) {
		if len(a) == 0 {
			return nil, fmt.Errorf("or needs an argument")
		}
		for _, v := range a {
			if truth(v) {
				return v, nil
			}
		}
		return a[len(a)-1], nil
	},
	"and": func(a []any) (any, error) {
		if len(a) == 0 {
			return nil, fmt.Errorf("and needs an argument")
		}
		for _, v := range a {
			if !truth(v) {
				return v, nil
			}
		}
		return a[len(a)-1], nil
	},
	"not":       func(a []any) (any, error) { return one(a, func(v any) any { return !truth(v) }) },
	"lines":     stringFn(func(s string) any { return strings.Split(s, "\n") }),
	"items":     stringFn(func(s string) any { return items(s) }),
	"offerKind": stringFn(func(s string) any { return offerKindText(s) }),
	"scopeText": stringFn(func(s string) any { return scopeText(s) }),
}

func one(a []any, f func(any) any) (any, error) {
	if len(a) != 1 {
		return nil, fmt.Errorf("want one argument, got %d", len(a))
	}
	return f(a[0]), nil
}

func stringFn(f func(string) any) fn {
	return func(a []any) (any, error) {
		if len(a) != 1 {
			return nil, fmt.Errorf("want one argument, got %d", len(a))
		}
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %T", a[0])
		}
		return f(s), nil
	}
}

// parseFuncs is what parse needs to accept the function names.
func parseFuncs() map[string]any {
	m := make(map[string]any, len(builtins))
	for k := range builtins {
		m[k] = true
	}
	return m
}

// set is one parsed template set (the files of one template): trees by name.
type set map[string]*parse.Tree

func parseSet(sources map[string]string) (set, error) {
	s := set{}
	for name, text := range sources {
		trees, err := parse.Parse(name, text, "{{", "}}", parseFuncs())
		if err != nil {
			return nil, err
		}
		for n, t := range trees {
			if n == name {
				continue // the file's own text outside {{define}}: whitespace and comments
			}
			if _, dup := s[n]; dup {
				return nil, fmt.Errorf("%s: template %q is defined twice", name, n)
			}
			s[n] = t
		}
	}
	return s, nil
}

// state is one execution.
type state struct {
	set  set
	out  *strings.Builder
	html bool
	root any // $
	vars []variable
	deep int
}

type variable struct {
	name  string
	value any
}

// execute renders template name of the set with data.
func (s set) execute(name string, data map[string]string, html bool) (string, error) {
	t := s[name]
	if t == nil {
		return "", fmt.Errorf("no template %q", name)
	}
	var b strings.Builder
	st := &state{set: s, out: &b, html: html, root: data}
	if err := st.walk(data, t.Root); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return b.String(), nil
}

func (st *state) walk(dot any, node parse.Node) error {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := st.walk(dot, c); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode:
		st.out.Write(n.Text)
		return nil
	case *parse.CommentNode:
		return nil
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return fmt.Errorf("%s: variable declarations are not supported", n)
		}
		v, err := st.pipe(dot, n.Pipe)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		s, err := printable(v)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		return st.emit(n, s)
	case *parse.IfNode:
		v, err := st.pipe(dot, n.Pipe)
		if err != nil {
			return fmt.Errorf("%s: %w", n.Pipe, err)
		}
		if truth(v) {
			return st.walk(dot, n.List)
		}
		return st.walk(dot, n.ElseList)
	case *parse.RangeNode:
		return st.rangeNode(dot, n)
	case *parse.TemplateNode:
		st.deep++
		defer func() { st.deep-- }()
		if st.deep > 20 {
			return fmt.Errorf("template %q: calls nest too deep", n.Name)
		}
		t := st.set[n.Name]
		if t == nil {
			return fmt.Errorf("no template %q", n.Name)
		}
		var next any
		if n.Pipe != nil {
			v, err := st.pipe(dot, n.Pipe)
			if err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
			next = v
		}
		saved := st.vars
		st.vars = nil
		defer func() { st.vars = saved }()
		return st.walk(next, t.Root)
	}
	return fmt.Errorf("%s: not supported by the email template engine", node)
}

func (st *state) rangeNode(dot any, n *parse.RangeNode) error {
	v, err := st.pipe(dot, n.Pipe)
	if err != nil {
		return fmt.Errorf("%s: %w", n.Pipe, err)
	}
	list, ok := v.([]string)
	if !ok {
		return fmt.Errorf("range over %T: only lists of strings", v)
	}
	if len(list) == 0 {
		return st.walk(dot, n.ElseList)
	}
	mark := len(st.vars)
	defer func() { st.vars = st.vars[:mark] }()
	for i, el := range list {
		st.vars = st.vars[:mark]
		switch len(n.Pipe.Decl) {
		case 0:
		case 1:
			st.vars = append(st.vars, variable{n.Pipe.Decl[0].Ident[0], el})
		case 2:
			st.vars = append(st.vars, variable{n.Pipe.Decl[0].Ident[0], i}, variable{n.Pipe.Decl[1].Ident[0], el})
		default:
			return fmt.Errorf("range declares too many variables")
		}
		if err := st.walk(el, n.List); err != nil {
			return err
		}
	}
	return nil
}

// pipe evaluates a pipeline: each command's result is the last argument of the next.
func (st *state) pipe(dot any, p *parse.PipeNode) (any, error) {
	if p == nil {
		return nil, nil
	}
	var v any
	for i, c := range p.Cmds {
		var final []any
		if i > 0 {
			final = []any{v}
		}
		var err error
		if v, err = st.command(dot, c, final); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (st *state) command(dot any, c *parse.CommandNode, final []any) (any, error) {
	if id, ok := c.Args[0].(*parse.IdentifierNode); ok {
		f, ok := builtins[id.Ident]
		if !ok {
			return nil, fmt.Errorf("function %q is not supported", id.Ident)
		}
		args := make([]any, 0, len(c.Args)-1+len(final))
		for _, a := range c.Args[1:] {
			v, err := st.arg(dot, a)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		v, err := f(append(args, final...))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id.Ident, err)
		}
		return v, nil
	}
	if len(c.Args) != 1 || len(final) > 0 {
		return nil, fmt.Errorf("%s: only functions take arguments", c)
	}
	return st.arg(dot, c.Args[0])
}

func (st *state) arg(dot any, n parse.Node) (any, error) {
	switch a := n.(type) {
	case *parse.DotNode:
		return dot, nil
	case *parse.StringNode:
		return a.Text, nil
	case *parse.FieldNode:
		return field(dot, a.Ident)
	case *parse.VariableNode:
		var v any
		found := false
		if a.Ident[0] == "$" {
			v, found = st.root, true
		}
		for i := len(st.vars) - 1; i >= 0 && !found; i-- {
			if st.vars[i].name == a.Ident[0] {
				v, found = st.vars[i].value, true
			}
		}
		if !found {
			return nil, fmt.Errorf("undefined variable %s", a.Ident[0])
		}
		return field(v, a.Ident[1:])
	case *parse.PipeNode:
		return st.pipe(dot, a)
	}
	return nil, fmt.Errorf("%s: not supported by the email template engine", n)
}

// field looks a chain of names up in the data map (a missing key is an error, like
// text/template's missingkey=error).
func field(v any, names []string) (any, error) {
	for _, n := range names {
		m, ok := v.(map[string]string)
		if !ok {
			return nil, fmt.Errorf("field %s of %T", n, v)
		}
		s, ok := m[n]
		if !ok {
			return nil, fmt.Errorf("map has no entry for key %q", n)
		}
		v = s
	}
	return v, nil
}

func truth(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case bool:
		return t
	case int:
		return t != 0
	case []string:
		return len(t) > 0
	case map[string]string:
		return len(t) > 0
	}
	return true
}

func printable(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case int:
		return fmt.Sprint(t), nil
	case bool:
		return fmt.Sprint(t), nil
	}
	return "", fmt.Errorf("cannot print a %T", v)
}

// emit writes an action's value, escaped for its HTML context in HTML templates.
func (st *state) emit(n parse.Node, s string) error {
	if !st.html {
		st.out.WriteString(s)
		return nil
	}
	ctx, err := htmlContext(st.out.String())
	if err != nil {
		return fmt.Errorf("%s: %w", n, err)
	}
	switch ctx {
	case ctxURLStart:
		if !isSafeURL(s) {
			s = "#ZgotmplZ"
		}
		s = escapeHTML(normalizeURL(s))
	case ctxURL:
		s = escapeHTML(normalizeURL(s))
	default: // text, attribute value
		s = escapeHTML(s)
	}
	st.out.WriteString(s)
	return nil
}

type htmlCtx int

const (
	ctxText htmlCtx = iota
	ctxAttr
	ctxURLStart // at the start of a URL attribute's value
	ctxURL      // later in a URL attribute's value (before any query or fragment)
)

// htmlContext finds where the output so far ends: in text, in a double-quoted attribute value
// (which attribute, how much of it written), or somewhere unsupported.
func htmlContext(out string) (htmlCtx, error) {
	lt, gt := strings.LastIndexByte(out, '<'), strings.LastIndexByte(out, '>')
	if lt <= gt {
		lower := strings.ToLower(out)
		for _, raw := range []string{"script", "style", "textarea", "title"} {
			if o, c := strings.LastIndex(lower, "<"+raw), strings.LastIndex(lower, "</"+raw); o >= 0 && o > c {
				return 0, fmt.Errorf("an action inside <%s> is not supported", raw)
			}
		}
		if o, c := strings.LastIndex(out, "<!--"), strings.LastIndex(out, "-->"); o >= 0 && o > c {
			return 0, fmt.Errorf("an action inside an HTML comment is not supported")
		}
		return ctxText, nil
	}
	tag := out[lt+1:]
	if strings.HasPrefix(tag, "!--") {
		return 0, fmt.Errorf("an action inside an HTML comment is not supported")
	}
	// Walk the attributes: name="value" pairs; we must end inside a double-quoted value.
	i := strings.IndexAny(tag, " \t\n\r\f")
	if i < 0 {
		return 0, fmt.Errorf("an action in a tag name is not supported")
	}
	rest := tag[i:]
	for {
		rest = strings.TrimLeft(rest, " \t\n\r\f")
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return 0, fmt.Errorf("an action outside an attribute value is not supported")
		}
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		val := strings.TrimLeft(rest[eq+1:], " \t\n\r\f")
		if !strings.HasPrefix(val, `"`) {
			return 0, fmt.Errorf("an action in an unquoted attribute value is not supported")
		}
		end := strings.IndexByte(val[1:], '"')
		if end >= 0 {
			rest = val[end+2:]
			continue
		}
		written := val[1:]
		switch {
		case strings.HasPrefix(name, "on") || name == "style" || name == "srcset":
			return 0, fmt.Errorf("an action in attribute %s is not supported", name)
		case name == "href" || name == "src" || name == "action" || name == "cite" || name == "formaction":
			if written == "" {
				return ctxURLStart, nil
			}
			if strings.ContainsAny(written, "?#") {
				return 0, fmt.Errorf("an action in a URL's query or fragment is not supported")
			}
			return ctxURL, nil
		}
		return ctxAttr, nil
	}
}

// escapeHTML escapes like html/template's HTML and attribute escapers.
func escapeHTML(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch r {
		case 0:
			b.WriteString("\uFFFD")
		case '"':
			b.WriteString("&#34;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '+':
			b.WriteString("&#43;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// isSafeURL is html/template's URL filter: a scheme, if any, must be http, https or mailto.
func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		return strings.EqualFold(protocol, "http") || strings.EqualFold(protocol, "https") || strings.EqualFold(protocol, "mailto")
	}
	return true
}

// normalizeURL is html/template's URL normalizer: percent-encode every byte that is neither
// unreserved nor reserved in RFC 3986 (existing %XX escapes are kept).
func normalizeURL(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0,
			'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
