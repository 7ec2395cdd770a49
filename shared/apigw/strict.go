package apigw

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/partner-admin-center/pac/shared/admin"
)

// checkKeys walks a JSON document against the Go type it will be decoded into and refuses what
// encoding/json would let through: a key that matches a field only ignoring case ("NAME" for
// "name"), a key given twice in one object (where the last would silently win), and a string —
// key or value — that is not Unicode text (encoding/json would turn it into U+FFFD and the
// handler would store the garbled text; see textProblem). Unknown keys are reported with their
// full path (address.zip). The document is known to be valid JSON.
func checkKeys(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := walker{dec: dec, data: data}
	if err := w.walk(t, ""); !errors.Is(err, errSyntax) {
		return err
	}
	return nil // syntax errors are reported by the decoder proper
}

// errSyntax ends a walk at a syntax error. It must end it: a failed Token leaves the decoder
// where it was, so an array loop that went on after one would spin forever on `["`.
var errSyntax = errors.New("syntax error")

// walker reads a document token by token; data is the document, to see a string's raw text.
type walker struct {
	dec  *json.Decoder
	data []byte
}

// token returns the next token and, for a string, its raw JSON text (quotes included):
// the decoder's offset before the token may still be at the separators (',', ':') and spaces
// before it, which the opening quote ends.
func (w *walker) token() (json.Token, []byte, error) {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if _, ok := tok.(string); !ok {
		return tok, nil, nil
	}
	raw := w.data[start:w.dec.InputOffset()]
	return tok, raw[bytes.IndexByte(raw, '"'):], nil
}

func (w *walker) walk(t reflect.Type, path string) error {
	tok, raw, err := w.token()
	if err != nil {
		return errSyntax
	}
	if raw != nil && path != "" { // a document that is a bare string is refused as not an object
		if detail := textProblem(raw); detail != "" {
			return fieldProblem(admin.CodeMalformedJSON, path, "encoding", detail)
		}
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		fields := jsonFields(t)
		seen := map[string]bool{}
		for w.dec.More() {
			kt, raw, err := w.token()
			if err != nil {
				return errSyntax
			}
			k, _ := kt.(string)
			p := join(path, k)
			if detail := textProblem(raw); detail != "" {
				return fieldProblem(admin.CodeMalformedJSON, p, "encoding", "is a field name that "+detail)
			}
			if seen[k] {
				return fieldProblem(admin.CodeMalformedJSON, p, "duplicate", "is given more than once")
			}
			seen[k] = true
			var ft reflect.Type
			if t != nil && t.Kind() == reflect.Struct {
				f, ok := fields[k]
				if !ok {
					return fieldProblem(admin.CodeUnknownField, p, "unknown", "is not a field of this request (names are case-sensitive)")
				}
				ft = f
			} else if t != nil && t.Kind() == reflect.Map {
				ft = t.Elem()
			}
			if err := w.walk(ft, p); err != nil {
				return err
			}
		}
		_, _ = w.dec.Token() // '}'
	case json.Delim('['):
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.walk(et, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, _ = w.dec.Token() // ']'
	}
	return nil
}

// jsonFields maps the exact JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	if t == nil || t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func fieldProblem(code admin.Code, field, fcode, detail string) error {
	return &admin.Error{Code: code, Message: field + " " + detail, Fields: []admin.FieldError{{Field: field, Code: fcode, Detail: detail}}}
}

// textProblem says why the raw text of a JSON string (quotes included) is not Unicode text, or
// returns "". RFC 8259 §8.1 requires JSON text to be UTF-8: bytes that are not (a stray \xff, an
// overlong or truncated sequence, an encoded surrogate) are refused. An escaped surrogate that is
// not half of a pair ("\ud800" alone, or followed by anything but "\udc00"–"\udfff") is valid
// JSON syntax but names no character (RFC 8259 §8.2 leaves its meaning unpredictable; I-JSON,
// RFC 7493 §2.1, forbids it): encoding/json would store U+FFFD in its place, so it is refused
// too. A U+FFFD the client really sent (raw or as "\ufffd") is text and is kept.
func textProblem(raw []byte) string {
	if len(raw) < 2 {
		return ""
	}
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] == 'u':
			r := hex4(s[i+2:])
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00:
				if len(s) >= i+12 && s[i+6] == '\\' && s[i+7] == 'u' {
					if lo := hex4(s[i+8:]); lo >= 0xdc00 && lo <= 0xdfff {
						i += 12
						continue
					}
				}
				return loneSurrogate
			case utf16.IsSurrogate(r):
				return loneSurrogate
			}
			i += 6
		case c == '\\':
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				return "is not valid UTF-8 (JSON text must be UTF-8)"
			}
			i += n
		}
	}
	return ""
}

const loneSurrogate = "holds an escaped lone surrogate (\\ud800–\\udfff without its pair), which is no character"

// hex4 reads the four hex digits of a \u escape (the document is valid JSON: they are there).
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return rune(n)
}
