package deploycheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// AccessLog collects, from the EMF lines functions write (shared/telemetry), which DynamoDB
// actions each function performed on which item families ("PutItem PARTNER"). Tests install it
// as the functions' metrics writer and compare it with template.yaml (LeastPrivilege).
type AccessLog struct {
	mu   sync.Mutex
	seen map[string]map[string]bool // function name → "Action FAMILY"
	buf  []byte
}

// NewAccessLog returns an empty log.
func NewAccessLog() *AccessLog { return &AccessLog{seen: map[string]map[string]bool{}} }

// Write takes EMF lines (possibly split across calls).
func (a *AccessLog) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buf = append(a.buf, p...)
	for {
		i := bytes.IndexByte(a.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		var line struct {
			Function string   `json:"Function"`
			Access   []string `json:"dynamodbAccess"`
		}
		if json.Unmarshal(a.buf[:i], &line) == nil && line.Function != "" {
			if a.seen[line.Function] == nil {
				a.seen[line.Function] = map[string]bool{}
			}
			for _, x := range line.Access {
				a.seen[line.Function][x] = true
			}
		}
		a.buf = a.buf[i+1:]
	}
}

// LeastPrivilege compares what each function did (functions maps logical IDs to the names the
// functions report) with its DynamoDB grants in the template, both ways: an action performed
// but not granted would fail in AWS; a grant never used is more privilege than needed, or a path
// the tests never take. Every DynamoDB grant must carry a dynamodb:LeadingKeys condition.
func LeastPrivilege(templatePath string, functions map[string]string, log *AccessLog) []string {
	tpl, err := LoadTemplate(templatePath)
	if err != nil {
		return []string{err.Error()}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	var problems []string
	for id, name := range functions {
		f := tpl.Functions[id]
		if f == nil {
			problems = append(problems, "template.yaml has no "+id)
			continue
		}
		stmts, err := f.Statements()
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		granted := map[string]bool{}
		for _, st := range stmts {
			for _, a := range st.Actions {
				if !strings.HasPrefix(a, "dynamodb:") {
					continue
				}
				if st.LeadingKeys == nil {
					problems = append(problems, fmt.Sprintf("%s: %s has no dynamodb:LeadingKeys condition", id, a))
				}
				for _, k := range st.LeadingKeys {
					granted[strings.TrimPrefix(a, "dynamodb:")+" "+strings.TrimSuffix(k, "#*")] = true
				}
			}
		}
		did := log.seen[name]
		for x := range did {
			if !granted[x] {
				problems = append(problems, fmt.Sprintf("%s performs %s# items but template.yaml does not grant it", id, strings.Replace(x, " ", " on ", 1)))
			}
		}
		for g := range granted {
			if !did[g] {
				problems = append(problems, fmt.Sprintf("%s is granted %s# but the tests never saw it used", id, strings.Replace(g, " ", " on ", 1)))
			}
		}
	}
	sort.Strings(problems)
	return problems
}
