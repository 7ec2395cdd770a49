package streams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Filter is one compiled Lambda event filter pattern (FilterCriteria.Filters[].Pattern), with
// the matching rules of Lambda event filtering (EventBridge pattern syntax):
//
//   - A pattern is a JSON object. A nested object matches the event's object under the same
//     key; a leaf is an array of conditions, any one of which must match (OR). All keys must
//     match (AND).
//   - Conditions: a string, number, boolean or null literal (equality; numbers compare by
//     value); {"prefix": "s"}; {"suffix": "s"}; {"equals-ignore-case": "s"};
//     {"anything-but": literal | [literals] | {"prefix": "s"}}; {"numeric": [op, n, (op, n)]}
//     with op one of = < <= > >=; {"exists": true|false}.
//   - An event value that is an array matches when any element matches.
//   - A missing key matches only {"exists": false}; {"exists": true} needs the key present.
//
// Unknown operators are a compile error, as CreateEventSourceMapping rejects them.
type Filter struct {
	root map[string]any
	src  string
}

// CompileFilter parses and checks a filter pattern.
func CompileFilter(pattern string) (*Filter, error) {
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("filter pattern: %w", err)
	}
	if root == nil {
		return nil, fmt.Errorf("filter pattern: not a JSON object")
	}
	if err := checkPattern(root, ""); err != nil {
		return nil, fmt.Errorf("filter pattern: %w", err)
	}
	return &Filter{root: root, src: pattern}, nil
}

func (f *Filter) String() string { return f.src }

func checkPattern(p map[string]any, path string) error {
	if len(p) == 0 {
		return fmt.Errorf("%s: empty object", orRoot(path))
	}
	for k, v := range p {
		where := strings.TrimPrefix(path+"."+k, ".")
		switch t := v.(type) {
		case map[string]any:
			if err := checkPattern(t, where); err != nil {
				return err
			}
		case []any:
			if len(t) == 0 {
				return fmt.Errorf("%s: empty list of conditions", where)
			}
			for _, c := range t {
				if err := checkCondition(c, where); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("%s: a leaf must be a list of conditions, got %v", where, v)
		}
	}
	return nil
}

func orRoot(p string) string {
	if p == "" {
		return "pattern"
	}
	return p
}

func checkCondition(c any, where string) error {
	m, ok := c.(map[string]any)
	if !ok {
		switch c.(type) {
		case string, json.Number, bool, nil:
			return nil
		}
		return fmt.Errorf("%s: unsupported condition %v", where, c)
	}
	if len(m) != 1 {
		return fmt.Errorf("%s: a condition object has exactly one operator", where)
	}
	for op, arg := range m {
		switch op {
		case "prefix", "suffix", "equals-ignore-case":
			if _, ok := arg.(string); !ok {
				return fmt.Errorf("%s: %s takes a string", where, op)
			}
		case "exists":
			if _, ok := arg.(bool); !ok {
				return fmt.Errorf("%s: exists takes true or false", where)
			}
		case "anything-but":
			switch a := arg.(type) {
			case string, json.Number, bool:
			case []any:
				for _, x := range a {
					switch x.(type) {
					case string, json.Number, bool:
					default:
						return fmt.Errorf("%s: anything-but lists literals", where)
					}
				}
			case map[string]any:
				if p, ok := a["prefix"].(string); !ok || len(a) != 1 || p == "" {
					return fmt.Errorf("%s: anything-but takes a literal, a list of literals or {\"prefix\": …}", where)
				}
			default:
				return fmt.Errorf("%s: anything-but takes a literal, a list of literals or {\"prefix\": …}", where)
			}
		case "numeric":
			if _, err := numericRange(arg); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		default:
			return fmt.Errorf("%s: unsupported operator %q", where, op)
		}
	}
	return nil
}

type bound struct {
	op string
	n  float64
}

func numericRange(arg any) ([]bound, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf(`numeric takes [op, number] or [op, number, op, number]`)
	}
	var out []bound
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		n, isNum := list[i+1].(json.Number)
		if !ok || !isNum || !map[string]bool{"=": true, "<": true, "<=": true, ">": true, ">=": true}[op] {
			return nil, fmt.Errorf(`numeric takes [op, number] or [op, number, op, number] with op one of = < <= > >=`)
		}
		f, err := n.Float64()
		if err != nil {
			return nil, err
		}
		out = append(out, bound{op, f})
	}
	return out, nil
}

// Match reports whether an event (a JSON object, e.g. a stream record as Lambda sends it)
// matches the pattern.
func (f *Filter) Match(event []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return false
	}
	return matchObject(f.root, ev)
}

func matchObject(p map[string]any, ev map[string]any) bool {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, present := ev[k]
		switch pt := p[k].(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if present && !ok {
				return false
			}
			// A missing object matches as an empty one: only {"exists": false} leaves below it.
			if !matchObject(pt, sub) {
				return false
			}
		case []any:
			if !matchLeaf(pt, v, present) {
				return false
			}
		}
	}
	return true
}

func matchLeaf(conds []any, v any, present bool) bool {
	values := []any{v}
	if list, ok := v.([]any); ok {
		values = list
	}
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok {
			if e, ok := m["exists"].(bool); ok {
				if e == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, val := range values {
			if matchCondition(c, val) {
				return true
			}
		}
	}
	return false
}

func matchCondition(c, v any) bool {
	m, isOp := c.(map[string]any)
	if !isOp {
		return literalEqual(c, v)
	}
	for op, arg := range m {
		s, isStr := v.(string)
		switch op {
		case "prefix":
			return isStr && strings.HasPrefix(s, arg.(string))
		case "suffix":
			return isStr && strings.HasSuffix(s, arg.(string))
		case "equals-ignore-case":
			return isStr && strings.EqualFold(s, arg.(string))
		case "anything-but":
			switch a := arg.(type) {
			case []any:
				for _, x := range a {
					if literalEqual(x, v) {
						return false
					}
				}
				return v != nil
			case map[string]any:
				return isStr && !strings.HasPrefix(s, a["prefix"].(string))
			default:
				return v != nil && !literalEqual(a, v)
			}
		case "numeric":
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			f, err := n.Float64()
			if err != nil {
				return false
			}
			bounds, _ := numericRange(arg)
			for _, b := range bounds {
				ok := false
				switch b.op {
				case "=":
					ok = f == b.n
				case "<":
					ok = f < b.n
				case "<=":
					ok = f <= b.n
				case ">":
					ok = f > b.n
				case ">=":
					ok = f >= b.n
				}
				if !ok {
					return false
				}
			}
			return true
		}
	}
	return false
}

func literalEqual(p, v any) bool {
	switch pt := p.(type) {
	case nil:
		return v == nil
	case string:
		s, ok := v.(string)
		return ok && s == pt
	case bool:
		b, ok := v.(bool)
		return ok && b == pt
	case json.Number:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		a, err1 := pt.Float64()
		b, err2 := n.Float64()
		return err1 == nil && err2 == nil && a == b
	}
	return false
}

// Filters is a mapping's FilterCriteria: a record passes when any filter matches, or when there
// are no filters.
type Filters []*Filter

// CompileFilters compiles every pattern.
func CompileFilters(patterns []string) (Filters, error) {
	var out Filters
	for i, p := range patterns {
		f, err := CompileFilter(p)
		if err != nil {
			return nil, fmt.Errorf("FilterCriteria.Filters[%d]: %w", i, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Match reports whether the event passes the criteria.
func (fs Filters) Match(event []byte) bool {
	if len(fs) == 0 {
		return true
	}
	for _, f := range fs {
		if f.Match(event) {
			return true
		}
	}
	return false
}
