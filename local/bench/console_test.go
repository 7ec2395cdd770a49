package bench

import (
	"bytes"
	"strings"
	"testing"
)

// TestConsoleBudgets: medians are taken figure by figure, the budgets apply to the desktop
// preset (mobile is reported beside it), an accessibility failure in any run counts, and the
// table marks what missed.
func TestConsoleBudgets(t *testing.T) {
	runs := []LighthouseRun{
		{Performance: 97, Accessibility: 100, LCPMs: 900, TBTMs: 40, ScriptBytes: 250_000},
		{Performance: 88, Accessibility: 100, LCPMs: 700, TBTMs: 90, ScriptBytes: 250_000},
		{Performance: 92, Accessibility: 96, LCPMs: 800, TBTMs: 60, ScriptBytes: 250_000, A11yFailures: []string{"color-contrast"}},
	}
	m := medianRun(runs)
	if m.Performance != 92 || m.Accessibility != 100 || m.LCPMs != 800 || m.TBTMs != 60 || len(m.A11yFailures) != 1 {
		t.Fatalf("median %+v", m)
	}
	figs := &ConsoleFigures{InitialScriptBytes: 150 << 10, Pages: []PageFigures{
		{Page: "overview", Preset: "desktop", Runs: runs, Median: m},
		{Page: "overview", Preset: "mobile", Runs: runs[:1], Median: LighthouseRun{Performance: 60, Accessibility: 100}},
	}}
	figs.check()
	if len(figs.Failures) != 1 || !strings.Contains(figs.Failures[0], "accessibility 96 (color-contrast)") {
		t.Errorf("failures %q, want the one run's accessibility (the median performance 92 is met; mobile is not judged)", figs.Failures)
	}
	figs.Pages[0].Median.Performance = 89
	figs.InitialScriptBytes = 201 << 10
	figs.Failures = nil
	figs.check()
	if len(figs.Failures) != 3 {
		t.Errorf("failures %q, want the initial JavaScript, the performance and the accessibility", figs.Failures)
	}
	var out bytes.Buffer
	figs.print(&out)
	for _, want := range []string{"Initial JavaScript", "201.0 KB (budget 200.0 KB) ✗", "89 ✗", "Console budgets missed:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
}
