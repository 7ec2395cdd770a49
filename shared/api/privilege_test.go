package api_test

import (
	"path/filepath"
	"strings"

	"github.com/partner-admin-center/pac/local/deploycheck"
)

// observed collects what every function did in this test binary (from its EMF lines).
var observed = deploycheck.NewAccessLog()

// checkLeastPrivilege compares what every HTTP function did during the tests with what
// template.yaml grants it, both ways (deploycheck.LeastPrivilege).
func checkLeastPrivilege(root string) []string {
	functions := map[string]string{}
	for _, r := range allRoutes() {
		functions[logicalID(r.Function)] = r.Function
	}
	return deploycheck.LeastPrivilege(filepath.Join(root, "template.yaml"), functions, observed)
}

// logicalID is the template's logical ID of a function directory (get-company → GetCompanyFunction).
func logicalID(dir string) string {
	out := ""
	for _, part := range strings.Split(dir, "-") {
		out += strings.ToUpper(part[:1]) + part[1:]
	}
	return out + "Function"
}
