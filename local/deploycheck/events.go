package deploycheck

import (
	"os"
	"regexp"
	"sort"
	"strings"
)

// Event is one event source of a function in template.yaml, as written.
type Event struct {
	Name  string
	Type  string         // HttpApi, DynamoDB, Schedule, …
	Props map[string]any // intrinsics unevaluated
}

// Events returns the function's events, ordered by name.
func (f *Function) Events() []Event {
	events, _ := f.Props["Events"].(map[string]any)
	out := make([]Event, 0, len(events))
	for name, e := range events {
		ev, _ := e.(map[string]any)
		typ, _ := ev["Type"].(string)
		props, _ := ev["Properties"].(map[string]any)
		out = append(out, Event{Name: name, Type: typ, Props: props})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ArchEventFunction is one row of the "Stream and schedule functions" table of
// docs/architecture.md.
type ArchEventFunction struct {
	Dir, LogicalID, Trigger string
}

var archEventRow = regexp.MustCompile(`^\|\s*([a-z0-9-]+)\s*\|\s*([A-Za-z0-9]+Function)\s*\|\s*((?:DynamoDB stream|Schedule|Invoked by hand)[^|]*?)\s*\|`)

// ManualTrigger starts the trigger of a maintenance function that has no event: it is invoked by
// hand (the customer directory's backfill).
const ManualTrigger = "Invoked by hand"

// ArchitectureEventFunctions parses the rows of the stream and schedule functions table (rows
// whose trigger starts with "DynamoDB stream", "Schedule" or ManualTrigger).
func ArchitectureEventFunctions(path string) ([]ArchEventFunction, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []ArchEventFunction
	for _, line := range strings.Split(string(data), "\n") {
		if m := archEventRow.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out = append(out, ArchEventFunction{Dir: m[1], LogicalID: m[2], Trigger: m[3]})
		}
	}
	return out, nil
}
