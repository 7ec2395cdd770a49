package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// TestActivityFieldsEncoding pins how the adapter stores each kind of before/after value: the
// values the domain passes today, and the fallbacks that keep any other value's Go field names
// out of the table.
func TestActivityFieldsEncoding(t *testing.T) {
	addr := admin.Address{Line1: "1 Main St", City: "Cork", Country: "IE"}
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	tests := []struct {
		name  string
		value any
		want  string // DynamoDB JSON
		read  any    // the value read back
	}{
		{"string", "x", `{"S":"x"}`, "x"},
		{"empty string", "", `{"S":""}`, ""},
		{"named string", admin.AccessLimited, `{"S":"limited"}`, "limited"},
		{"int", 3, `{"N":"3"}`, 3.0},
		{"negative int64", int64(-7), `{"N":"-7"}`, -7.0},
		{"float", 1.5, `{"N":"1.5"}`, 1.5},
		{"bool", true, `{"BOOL":true}`, true},
		{"nil", nil, `{"NULL":true}`, nil},
		{"nil address pointer", (*admin.Address)(nil), `{"NULL":true}`, nil},
		{"authorizations", []admin.Authorization{admin.AuthDelegatedAdmin, admin.AuthServiceProvider},
			`{"L":[{"S":"delegated_admin"},{"S":"service_provider"}]}`, []any{"delegated_admin", "service_provider"}},
		{"no authorizations", []admin.Authorization{}, `{"L":[]}`, []any{}},
		{"nil slice", []string(nil), `{"NULL":true}`, nil},
		{"address", addr,
			`{"M":{"City":{"S":"Cork"},"Country":{"S":"IE"},"Line1":{"S":"1 Main St"},"Line2":{"S":""},"PostalCode":{"S":""},"Region":{"S":""}}}`,
			map[string]any{"City": "Cork", "Country": "IE", "Line1": "1 Main St", "Line2": "", "PostalCode": "", "Region": ""}},
		{"address pointer", &addr,
			`{"M":{"City":{"S":"Cork"},"Country":{"S":"IE"},"Line1":{"S":"1 Main St"},"Line2":{"S":""},"PostalCode":{"S":""},"Region":{"S":""}}}`,
			map[string]any{"City": "Cork", "Country": "IE", "Line1": "1 Main St", "Line2": "", "PostalCode": "", "Region": ""}},
		{"time", at, `{"S":"2026-01-02T03:04:05.0000006Z"}`, "2026-01-02T03:04:05.0000006Z"},
		{"map of strings", map[string]string{"a": "b"}, `{"M":{"a":{"S":"b"}}}`, map[string]any{"a": "b"}},
		{"nested", map[string]any{"l": []any{1, "x"}}, `{"M":{"l":{"L":[{"N":"1"},{"S":"x"}]}}}`, map[string]any{"l": []any{1.0, "x"}}},
		{"other struct: no field names", admin.OfferLine{ProductID: "p", Licenses: 2}, `{"S":"{p 2}"}`, "{p 2}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := marshal(activityItem{Before: activityFields{"v": tt.value}})
			got, err := attributevalue.MarshalJSON(item["before"].(*types.AttributeValueMemberM).Value["v"])
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, []byte(tt.want)) {
				t.Errorf("stored as %s, want %s", got, tt.want)
			}
			var back activityItem
			if err := attributevalue.UnmarshalMap(item, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Before["v"], tt.read) {
				t.Errorf("read back as %#v, want %#v", back.Before["v"], tt.read)
			}
		})
	}

	// No before/after: no attribute; an empty map: an empty M.
	item := marshal(activityItem{After: activityFields{}})
	if _, ok := item["before"]; ok {
		t.Error("nil before was stored")
	}
	if m, ok := item["after"].(*types.AttributeValueMemberM); !ok || len(m.Value) != 0 {
		t.Errorf("empty after stored as %#v, want an empty M", item["after"])
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// TestOutboxItemCoversStoredAttributes decodes every outbox golden (new, and after each
// transition's update expression) into OutboxItem and marshals it again: nothing the outbox
// writes is lost on the way through the item struct the mailer gets.
func TestOutboxItemCoversStoredAttributes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*outbox*.json"))
	if err != nil || len(files) < 5 {
		t.Fatalf("outbox goldens: %v, %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		item, err := ParseItemJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		it, ok, err := DecodeOutboxImage(item)
		if err != nil || !ok {
			t.Fatalf("%s: %v, %v", f, ok, err)
		}
		again, err := ItemJSON(marshal(it))
		if err != nil {
			t.Fatal(err)
		}
		if diff, _ := DiffItemJSON(data, again); diff != "" {
			t.Errorf("%s through OutboxItem:\n%s", f, diff)
		}
	}
}
