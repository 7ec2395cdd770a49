package admin

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestProblemsErr(t *testing.T) {
	tests := []struct {
		name    string
		p       Problems
		wantNil bool
		wantMsg string
	}{
		{"none", nil, true, ""},
		{"empty", Problems{}, true, ""},
		{"one", Problems{{"name", "required", "is required"}}, false, "is required"},
		{"two", Problems{{"name", "required", "is required"}, {"email", "email", "bad"}}, false, "2 fields are invalid"},
		{"three", Problems{{"a", "x", "1"}, {"b", "x", "2"}, {"c", "x", "3"}}, false, "3 fields are invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Err()
			if tt.wantNil {
				if err != nil {
					t.Fatalf("Err() = %#v, want nil (untyped)", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Err() = %#v, want *Error", err)
			}
			if e.Code != CodeValidation || e.Message != tt.wantMsg || len(e.Fields) != len(tt.p) {
				t.Errorf("got code %s msg %q %d fields, want %s %q %d", e.Code, e.Message, len(e.Fields), CodeValidation, tt.wantMsg, len(tt.p))
			}
			for i := range tt.p {
				if e.Fields[i] != tt.p[i] {
					t.Errorf("field[%d] = %+v, want %+v (order kept)", i, e.Fields[i], tt.p[i])
				}
			}
		})
	}
	t.Run("Add appends", func(t *testing.T) {
		var p Problems
		p.Add("a", "x", "d1")
		p.Add("b", "y", "d2")
		if len(p) != 2 || p[1] != (FieldError{"b", "y", "d2"}) {
			t.Errorf("p = %+v, want two entries in order", p)
		}
	})
}

func TestErrorCodeAndMessage(t *testing.T) {
	base := &Error{Code: CodeNotFound, Message: "user not found"}
	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, CodeInternal},
		{"plain", errors.New("boom"), CodeInternal},
		{"domain", base, CodeNotFound},
		{"wrapped", fmt.Errorf("ctx: %w", base), CodeNotFound},
		{"field", FieldErr("x", "required", "is required"), CodeValidation},
		{"errorf", Errorf(CodeEmailTaken, "%s taken", "a@b.c"), CodeEmailTaken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.want {
				t.Errorf("ErrorCode = %q, want %q", got, tt.want)
			}
		})
	}
	if got, want := base.Error(), "not_found: user not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// An infrastructure fault wrapped with context stays internal, even next to a domain error.
	if got := ErrorCode(fmt.Errorf("store: get user: %w", io.EOF)); got != CodeInternal {
		t.Errorf("ErrorCode(wrapped EOF) = %q, want internal", got)
	}
	if got, want := Errorf(CodeForbidden, "no").Error(), "forbidden: no"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	fe := FieldErr("address.country", "country", "bad")
	if fe.Message != "bad" || len(fe.Fields) != 1 || fe.Fields[0].Field != "address.country" {
		t.Errorf("FieldErr = %+v, want one address.country field", fe)
	}
	if nf := NotFound("user"); nf.Code != CodeNotFound || nf.Message != "user not found" {
		t.Errorf("NotFound = %+v", nf)
	}
}
