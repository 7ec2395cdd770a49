package apigw

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/partner-admin-center/pac/shared/admin"
)

// checkKeys walks a JSON document against the Go type it will be decoded into and refuses what
// encoding/json would let through: a key that matches a field only ignoring case ("NAME" for
// "name") and a key given twice in one object (where the last would silently win). Unknown keys
// are reported with their full path (address.zip). The document is known to be valid JSON.
func checkKeys(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walk(dec, t, "")
}

func walk(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return nil // syntax errors are reported by the decoder proper
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		fields := jsonFields(t)
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil
			}
			k, _ := kt.(string)
			p := join(path, k)
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
			if err := walk(dec, ft, p); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // '}'
	case json.Delim('['):
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walk(dec, et, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // ']'
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
