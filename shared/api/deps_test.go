package api_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/shared/api"
)

// TestAPIFunctionsStayLean: the JSON API's functions must not link html/template (the link
// pages' renderer, ~3 MiB of binary and init work); it once crept in through a route table.
func TestAPIFunctionsStayLean(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}",
		"github.com/partner-admin-center/pac/functions/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		deps[strings.TrimPrefix(f[0], "github.com/partner-admin-center/pac/functions/")] = f[1:]
	}
	for _, r := range api.Routes() {
		d, ok := deps[r.Function]
		if !ok {
			t.Errorf("no function %s", r.Function)
		}
		for _, p := range d {
			if p == "html/template" {
				t.Errorf("%s links html/template", r.Function)
			}
		}
	}
}
