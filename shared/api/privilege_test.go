package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/partner-admin-center/pac/local/deploycheck"
)

// accessLog collects, from the EMF line of every invocation in this test binary, which DynamoDB
// actions each function performed on which item families ("PutItem PARTNER").
type accessLog struct {
	mu   sync.Mutex
	seen map[string]map[string]bool // function dir → "Action FAMILY"
	buf  []byte
}

var observed = &accessLog{seen: map[string]map[string]bool{}}

func (a *accessLog) Write(p []byte) (int, error) {
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

// checkLeastPrivilege compares what every function did during the tests with what template.yaml
// grants it: an action the function performs but is not granted would fail in AWS (AccessDenied);
// a grant never used is more privilege than needed, or a path the tests never take.
func checkLeastPrivilege(root string) []string {
	tpl, err := deploycheck.LoadTemplate(root + "/template.yaml")
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, r := range allRoutes() {
		id := ""
		for lid := range tpl.Functions {
			if deploycheck.DirOf(lid) == r.Function {
				id = lid
			}
		}
		f := tpl.Functions[id]
		if f == nil {
			problems = append(problems, r.Function+": no function in template.yaml")
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
				for _, k := range st.LeadingKeys {
					granted[strings.TrimPrefix(a, "dynamodb:")+" "+strings.TrimSuffix(k, "#*")] = true
				}
				if st.LeadingKeys == nil {
					problems = append(problems, fmt.Sprintf("%s: %s has no dynamodb:LeadingKeys condition", id, a))
				}
			}
		}
		did := observed.seen[r.Function]
		for x := range did {
			action, family, _ := strings.Cut(x, " ")
			ok := false
			for g := range granted {
				ga, gf, _ := strings.Cut(g, " ")
				if m, _ := path.Match(gf, family); ga == action && m {
					ok = true
				}
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("%s performs %s on %s# items but template.yaml does not grant it", id, action, family))
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
