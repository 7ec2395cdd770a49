package streams

import (
	"testing"
)

func TestFilterPatterns(t *testing.T) {
	outbox := `{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"Type":{"S":["Outbox"]},"status":{"S":["pending"]}}}}`
	rec := func(event, typ, status string) string {
		return `{"eventName":"` + event + `","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"PK":{"S":"OUTBOX#1"}},"NewImage":{"Type":{"S":"` + typ +
			`"},"status":{"S":"` + status + `"},"attempts":{"N":"2"},"to":{"L":[{"S":"a@example.com"}]}},"SizeBytes":120,"SequenceNumber":"100"}}`
	}
	cases := []struct {
		name, pattern, event string
		want                 bool
	}{
		{"outbox insert", outbox, rec("INSERT", "Outbox", "pending"), true},
		{"outbox modify", outbox, rec("MODIFY", "Outbox", "pending"), true},
		{"outbox remove", outbox, rec("REMOVE", "Outbox", "pending"), false},
		{"outbox sent", outbox, rec("MODIFY", "Outbox", "sent"), false},
		{"other type", outbox, rec("INSERT", "Partner", "pending"), false},
		{"no new image", outbox, `{"eventName":"REMOVE","dynamodb":{"OldImage":{"Type":{"S":"Outbox"}}}}`, false},
		{"prefix", `{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"OUTBOX#"}]}}}}`, rec("INSERT", "Outbox", "pending"), true},
		{"prefix miss", `{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"PARTNER#"}]}}}}`, rec("INSERT", "Outbox", "pending"), false},
		{"suffix", `{"dynamodb":{"Keys":{"PK":{"S":[{"suffix":"#1"}]}}}}`, rec("INSERT", "Outbox", "pending"), true},
		{"ignore case", `{"eventName":[{"equals-ignore-case":"insert"}]}`, rec("INSERT", "Outbox", "pending"), true},
		{"exists", `{"dynamodb":{"NewImage":{"status":{"S":[{"exists":true}]}}}}`, rec("INSERT", "Outbox", "pending"), true},
		{"exists missing", `{"dynamodb":{"NewImage":{"messageId":{"S":[{"exists":true}]}}}}`, rec("INSERT", "Outbox", "pending"), false},
		{"does not exist", `{"dynamodb":{"NewImage":{"messageId":{"S":[{"exists":false}]}}}}`, rec("INSERT", "Outbox", "pending"), true},
		{"does not exist but does", `{"dynamodb":{"NewImage":{"status":{"S":[{"exists":false}]}}}}`, rec("INSERT", "Outbox", "pending"), false},
		{"anything-but list", `{"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":["sent","failed"]}]}}}}`, rec("INSERT", "Outbox", "pending"), true},
		{"anything-but hit", `{"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":["pending"]}]}}}}`, rec("INSERT", "Outbox", "pending"), false},
		{"anything-but scalar", `{"eventName":[{"anything-but":"REMOVE"}]}`, rec("INSERT", "Outbox", "pending"), true},
		{"anything-but prefix", `{"dynamodb":{"Keys":{"PK":{"S":[{"anything-but":{"prefix":"OUT"}}]}}}}`, rec("INSERT", "Outbox", "pending"), false},
		{"numeric range", `{"dynamodb":{"SizeBytes":[{"numeric":[">",100,"<=",120]}]}}`, rec("INSERT", "Outbox", "pending"), true},
		{"numeric out of range", `{"dynamodb":{"SizeBytes":[{"numeric":["<",100]}]}}`, rec("INSERT", "Outbox", "pending"), false},
		{"numeric on a DynamoDB N string", `{"dynamodb":{"NewImage":{"attempts":{"N":[{"numeric":["=",2]}]}}}}`, rec("INSERT", "Outbox", "pending"), false},
		{"number literal", `{"dynamodb":{"SizeBytes":[120.0]}}`, rec("INSERT", "Outbox", "pending"), true},
		{"string is not a number", `{"dynamodb":{"SequenceNumber":[100]}}`, rec("INSERT", "Outbox", "pending"), false},
		{"array value: any element", `{"dynamodb":{"NewImage":{"to":{"L":{"S":["a@example.com"]}}}}}`, `{"dynamodb":{"NewImage":{"to":{"L":{"S":["b@example.com","a@example.com"]}}}}}`, true},
		{"null literal", `{"x":[null]}`, `{"x":null}`, true},
		{"null literal missing key", `{"x":[null]}`, `{}`, false},
		{"empty string", `{"x":[""]}`, `{"x":""}`, true},
		{"or within a leaf", `{"eventName":["REMOVE",{"prefix":"INS"}]}`, rec("INSERT", "Outbox", "pending"), true},
		{"object expected", `{"dynamodb":{"NewImage":{"Type":{"S":["Outbox"]}}}}`, `{"dynamodb":{"NewImage":"flat"}}`, false},
	}
	for _, c := range cases {
		f, err := CompileFilter(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := f.Match([]byte(c.event)); got != c.want {
			t.Errorf("%s: Match = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFilterCompileErrors(t *testing.T) {
	for _, bad := range []string{
		``, `[]`, `{}`, `{"a":"b"}`, `{"a":[]}`, `{"a":[{"wildcard":"x*"}]}`, `{"a":[{"prefix":1}]}`,
		`{"a":[{"numeric":[">"]}]}`, `{"a":[{"numeric":["~",1]}]}`, `{"a":[{"exists":"yes"}]}`, `{"a":[{"prefix":"x","suffix":"y"}]}`,
		`{"a":[{"anything-but":{"suffix":"x"}}]}`, `{"a":[[1]]}`,
	} {
		if _, err := CompileFilter(bad); err == nil {
			t.Errorf("CompileFilter(%q) accepted", bad)
		}
	}
}

func TestFiltersAreORed(t *testing.T) {
	fs, err := CompileFilters([]string{`{"eventName":["INSERT"]}`, `{"eventName":["REMOVE"]}`})
	if err != nil {
		t.Fatal(err)
	}
	if !fs.Match([]byte(`{"eventName":"REMOVE"}`)) || fs.Match([]byte(`{"eventName":"MODIFY"}`)) {
		t.Error("filters are not ORed")
	}
	if !Filters(nil).Match([]byte(`{"eventName":"MODIFY"}`)) {
		t.Error("no filters must pass everything")
	}
}
