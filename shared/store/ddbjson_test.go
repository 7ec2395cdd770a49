package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Items in DynamoDB JSON (attribute name → {"S": …} / {"N": …} / {"M": …} / {"L": …} /
// {"BOOL": …} / {"B": base64} / {"NULL": true}), the form of testdata/golden and
// testdata/fixture. Exported for the external tests of this package (test files only).

// ItemJSON returns an item as DynamoDB JSON: attribute names sorted, one attribute a line,
// scalar values ({"S": …}) on their attribute's line, maps and lists spread out.
func ItemJSON(item map[string]types.AttributeValue) ([]byte, error) {
	raw, err := attributevalue.MarshalMapJSON(item)
	if err != nil {
		return nil, err
	}
	var attrs map[string]any
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	writeAttrs(&buf, attrs, "")
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

// ItemsJSON returns items as a DynamoDB JSON array, each item as ItemJSON writes it.
func ItemsJSON(items []map[string]types.AttributeValue) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("[")
	for i, it := range items {
		raw, err := attributevalue.MarshalMapJSON(it)
		if err != nil {
			return nil, err
		}
		var attrs map[string]any
		if err := json.Unmarshal(raw, &attrs); err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n  ")
		writeAttrs(&buf, attrs, "  ")
	}
	buf.WriteString("\n]\n")
	return buf.Bytes(), nil
}

func writeAttrs(buf *bytes.Buffer, attrs map[string]any, indent string) {
	if len(attrs) == 0 {
		buf.WriteString("{}")
		return
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	buf.WriteString("{")
	for i, k := range names {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n" + indent + "  " + compact(k) + ": ")
		writeValue(buf, attrs[k], indent+"  ")
	}
	buf.WriteString("\n" + indent + "}")
}

func writeValue(buf *bytes.Buffer, v any, indent string) {
	switch t, x := typed(v); t {
	case "M":
		m, _ := x.(map[string]any)
		buf.WriteString(`{"M": `)
		writeAttrs(buf, m, indent)
		buf.WriteString("}")
	case "L":
		l, _ := x.([]any)
		if len(l) == 0 {
			buf.WriteString(`{"L": []}`)
			return
		}
		buf.WriteString(`{"L": [`)
		for i, e := range l {
			if i > 0 {
				buf.WriteString(",")
			}
			buf.WriteString("\n" + indent + "  ")
			writeValue(buf, e, indent+"  ")
		}
		buf.WriteString("\n" + indent + "]}")
	default:
		buf.WriteString(compactValue(v))
	}
}

// compactValue writes a scalar DynamoDB JSON value on one line: {"S": "x"}.
func compactValue(v any) string {
	if t, x := typed(v); t != "" && t[0] != '?' {
		return "{" + compact(t) + ": " + compact(x) + "}"
	}
	return compact(v)
}

// ParseItemJSON parses one item in DynamoDB JSON.
func ParseItemJSON(data []byte) (map[string]types.AttributeValue, error) {
	return attributevalue.UnmarshalMapJSON(data)
}

// ParseItemsJSON parses a DynamoDB JSON array of items.
func ParseItemsJSON(data []byte) ([]map[string]types.AttributeValue, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil {
		return nil, err
	}
	items := make([]map[string]types.AttributeValue, len(parts))
	for i, p := range parts {
		it, err := attributevalue.UnmarshalMapJSON(p)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		items[i] = it
	}
	return items, nil
}

// DiffItemJSON compares two items in DynamoDB JSON attribute by attribute and returns one line per
// difference ("" when they are equal): attributes only in want (-), only in got (+), and values or
// types that differ (~), each with its path (address.Line1, lines[0].Licenses).
func DiffItemJSON(want, got []byte) (string, error) {
	var w, g map[string]any
	if err := json.Unmarshal(want, &w); err != nil {
		return "", fmt.Errorf("want: %w", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return "", fmt.Errorf("got: %w", err)
	}
	var lines []string
	diffAttrs("", w, g, &lines)
	return strings.Join(lines, "\n"), nil
}

func diffAttrs(path string, want, got map[string]any, out *[]string) {
	names := map[string]bool{}
	for k := range want {
		names[k] = true
	}
	for k := range got {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		p := k
		if path != "" {
			p = path + "." + k
		}
		wv, inW := want[k]
		gv, inG := got[k]
		switch {
		case !inG:
			*out = append(*out, fmt.Sprintf("- %s = %s   (in the golden, not in the stored item)", p, compact(wv)))
		case !inW:
			*out = append(*out, fmt.Sprintf("+ %s = %s   (in the stored item, not in the golden)", p, compact(gv)))
		default:
			diffValue(p, wv, gv, out)
		}
	}
}

// diffValue compares two DynamoDB JSON values ({"S": …}, {"M": {…}}, …).
func diffValue(path string, want, got any, out *[]string) {
	wt, wv := typed(want)
	gt, gv := typed(got)
	switch {
	case wt != gt:
		*out = append(*out, fmt.Sprintf("~ %s: golden %s, stored %s   (attribute type changed)", path, compact(want), compact(got)))
	case wt == "M":
		wm, _ := wv.(map[string]any)
		gm, _ := gv.(map[string]any)
		diffAttrs(path, wm, gm, out)
	case wt == "L":
		wl, _ := wv.([]any)
		gl, _ := gv.([]any)
		for i := range max(len(wl), len(gl)) {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(gl):
				*out = append(*out, fmt.Sprintf("- %s = %s   (in the golden, not in the stored item)", p, compact(wl[i])))
			case i >= len(wl):
				*out = append(*out, fmt.Sprintf("+ %s = %s   (in the stored item, not in the golden)", p, compact(gl[i])))
			default:
				diffValue(p, wl[i], gl[i], out)
			}
		}
	default:
		if compact(want) != compact(got) {
			*out = append(*out, fmt.Sprintf("~ %s: golden %s, stored %s", path, compact(want), compact(got)))
		}
	}
}

func typed(v any) (string, any) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return fmt.Sprintf("?%T", v), v
	}
	for k, x := range m {
		return k, x
	}
	return "", nil
}

func compact(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(buf.String(), "\n")
}
