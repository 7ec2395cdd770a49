package deploycheck

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/local/schedule"
	"github.com/partner-admin-center/pac/local/streams"
	"github.com/partner-admin-center/pac/local/template"
)

// TestEventFunctions: every function has a trigger; functions without HTTP routes (stream
// consumers, scheduled functions) are exactly the rows of the "Stream and schedule functions"
// table of docs/architecture.md; every DynamoDB stream event is configured the way the
// architecture requires (the table's stream, partial batch responses, bisect, capped retries
// and record age, an on-failure destination the function may send to, filter criteria the local
// poller can apply), and every schedule is one the local scheduler plays.
func TestEventFunctions(t *testing.T) {
	tpl := loadTemplate(t)
	rows, err := ArchitectureEventFunctions(filepath.Join(root(t), "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]ArchEventFunction{}
	for _, r := range rows {
		documented[r.LogicalID] = r
		if DirOf(r.LogicalID) != r.Dir {
			t.Errorf("architecture.md row %s: dir %q, want %q", r.LogicalID, r.Dir, DirOf(r.LogicalID))
		}
		if tpl.Functions[r.LogicalID] == nil {
			t.Errorf("architecture.md lists %s, which template.yaml does not declare", r.LogicalID)
		}
	}
	for id, f := range tpl.Functions {
		events := f.Events()
		if r, manual := documented[id]; manual && strings.HasPrefix(r.Trigger, ManualTrigger) {
			// A maintenance function, invoked by hand: it must have no trigger at all.
			if len(events) > 0 {
				t.Errorf("%s: architecture.md says %q, but it has events", id, r.Trigger)
			}
			continue
		}
		if len(events) == 0 {
			t.Errorf("%s has no event: nothing would ever invoke it", id)
			continue
		}
		nonHTTP := false
		for _, e := range events {
			where := fmt.Sprintf("%s event %s", id, e.Name)
			switch e.Type {
			case "HttpApi":
			case "DynamoDB":
				nonHTTP = true
				checkStreamEvent(t, where, f, e)
				if r, ok := documented[id]; ok && !strings.HasPrefix(r.Trigger, "DynamoDB stream") {
					t.Errorf("%s: architecture.md says %q", where, r.Trigger)
				}
			case "Schedule", "ScheduleV2":
				nonHTTP = true
				key := "Schedule"
				if e.Type == "ScheduleV2" {
					key = "ScheduleExpression"
				}
				expr, _ := e.Props[key].(string)
				if _, err := schedule.Parse(expr, ""); err != nil {
					t.Errorf("%s: %v", where, err)
				}
				if r, ok := documented[id]; ok && r.Trigger != "Schedule "+expr {
					t.Errorf("%s: architecture.md says %q, want %q", where, r.Trigger, "Schedule "+expr)
				}
			default:
				t.Errorf("%s: event type %s is not played by the local runtime", where, e.Type)
			}
		}
		if _, ok := documented[id]; nonHTTP != ok {
			t.Errorf("%s: stream/schedule function = %v, listed in architecture.md's stream and schedule table = %v", id, nonHTTP, ok)
		}
	}
	// The local runtime reads the same events.
	local, err := template.Load(filepath.Join(root(t), "template.yaml"), template.Options{Parameters: LocalParameters, AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	for id, r := range documented {
		if strings.HasPrefix(r.Trigger, ManualTrigger) {
			continue
		}
		f := local.Function(id)
		if f == nil || len(f.StreamEvents)+len(f.ScheduleEvents) == 0 || len(f.OtherEvents) > 0 {
			t.Errorf("local/template reads %s's events as %+v", id, f)
		}
	}
}

func checkStreamEvent(t *testing.T, where string, f *Function, e Event) {
	t.Helper()
	p := e.Props
	if !reflect.DeepEqual(p["Stream"], map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}) {
		t.Errorf("%s: Stream = %v, want !GetAtt Table.StreamArn", where, p["Stream"])
	}
	if types, _ := p["FunctionResponseTypes"].([]any); !slices.Contains(types, any("ReportBatchItemFailures")) {
		t.Errorf("%s: FunctionResponseTypes must include ReportBatchItemFailures", where)
	}
	if p["BisectBatchOnFunctionError"] != true {
		t.Errorf("%s: BisectBatchOnFunctionError must be true", where)
	}
	if n, ok := p["MaximumRetryAttempts"].(int); !ok || n < 0 || n > 10 {
		t.Errorf("%s: MaximumRetryAttempts = %v: cap the retries (0-10; the default -1 retries a poison record for 24 h)", where, p["MaximumRetryAttempts"])
	}
	if n, ok := p["MaximumRecordAgeInSeconds"].(int); !ok || n < 60 {
		t.Errorf("%s: MaximumRecordAgeInSeconds = %v: set it (≥ 60)", where, p["MaximumRecordAgeInSeconds"])
	}
	dc, _ := p["DestinationConfig"].(map[string]any)
	onFailure, _ := dc["OnFailure"].(map[string]any)
	dest := onFailure["Destination"]
	if dest == nil {
		t.Errorf("%s: DestinationConfig.OnFailure.Destination is missing", where)
	} else {
		stmts, err := f.Statements()
		if err != nil {
			t.Fatal(err)
		}
		granted := false
		for _, st := range stmts {
			if slices.Contains(st.Actions, "sqs:SendMessage") && slices.ContainsFunc(st.Resources, func(r any) bool { return reflect.DeepEqual(r, dest) }) {
				granted = true
			}
		}
		if !granted {
			t.Errorf("%s: the function's policy does not grant sqs:SendMessage on its on-failure destination %v", where, dest)
		}
	}
	fc, _ := p["FilterCriteria"].(map[string]any)
	filters, _ := fc["Filters"].([]any)
	if len(filters) == 0 {
		t.Errorf("%s: FilterCriteria: filter the stream (the function would be invoked for every change of the table)", where)
	}
	for i, fl := range filters {
		m, _ := fl.(map[string]any)
		pat, _ := m["Pattern"].(string)
		if _, err := streams.CompileFilter(pat); err != nil {
			t.Errorf("%s: FilterCriteria.Filters[%d]: %v", where, i, err)
		}
	}
}
