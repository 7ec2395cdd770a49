package linkpage

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/partner-admin-center/pac/shared/admin"
)

// hiddenFields are set by the page itself: a value that is not text means the form did not come
// from it (a 400, like an unknown field).
var hiddenFields = map[string]bool{"csrf": true, "mode": true}

// visibleOrder is the order of the fields on the page, for the error summary.
var visibleOrder = []string{"organization", "domainPrefix", "country", "adminName", "email", "password"}

const notTextDetail = "This contains characters that could not be read (it is not UTF-8 text). Please type it again."

// textError refuses form values that are not valid UTF-8, as the API refuses such JSON strings:
// url.ParseQuery passes the bytes of %FF or %ED%A0%80 through, and they would be stored as
// U+FFFD (or fail later). Each such field gets an error on the page, which is shown again with
// the value left out (it is not echoed); nothing is stored. A sign-in's email and password
// errors are shown under the sign-in form.
func textError(form url.Values) error {
	var keys []string
	for k := range form {
		if strings.HasPrefix(k, "licenses.") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	keys = append(append(append([]string{}, visibleOrder...), keys...), "delegatedAdmin")
	signin := form.Get("mode") == "signin"
	var fields []admin.FieldError
	for _, k := range keys {
		if utf8.ValidString(form.Get(k)) {
			continue
		}
		field := k
		if signin && (k == "email" || k == "password") {
			field = "signin"
		}
		if !slices.ContainsFunc(fields, func(f admin.FieldError) bool { return f.Field == field }) {
			fields = append(fields, admin.FieldError{Field: field, Code: "encoding", Detail: notTextDetail})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &admin.Error{Code: admin.CodeValidation, Message: fields[0].Field + " is not valid UTF-8", Fields: fields}
}

// shown is a submitted value as the page may show it again: not at all if it is not text.
func shown(v string) string {
	if !utf8.ValidString(v) {
		return ""
	}
	return v
}

// Anchor is the id of the input an entry of the error summary links to, or "" when the page has
// no input for the field (the entry is then plain text, not a link to nowhere). A field of both
// forms links to the sign-up form's input.
func (v view) Anchor(field string) string {
	switch {
	case field == "signin":
		return "signinEmail"
	case field == "delegatedAdmin":
		if v.DelegatedAdmin != nil {
			return "da-accept-up"
		}
	case strings.HasPrefix(field, "licenses."):
		for _, l := range v.Lines {
			if field == "licenses."+l.ID {
				return "lic-" + l.ID + "-up"
			}
		}
	case slices.Contains(visibleOrder, field):
		return field
	}
	return ""
}

// fieldMessage is an error shown at a field, with the id its input's aria-describedby names.
type fieldMessage struct{ ID, Text string }

// Msg pairs an error message with its element id, for the "err" template.
func (v view) Msg(id, text string) fieldMessage { return fieldMessage{ID: id, Text: text} }
