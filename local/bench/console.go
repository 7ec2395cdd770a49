package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
)

// The web console's budgets (issue 9), measured with Lighthouse in Debian's Chromium.
const (
	MaxInitialScriptBytes = 200 << 10 // the JavaScript a first render needs, compressed
	MinPerformance        = 90
	MinAccessibility      = 100
)

// ConsoleOptions configure RunConsole.
type ConsoleOptions struct {
	RepoRoot string
	// DynamoDBEndpoint and SESEndpoint: running emulators to use (default: start them).
	DynamoDBEndpoint, SESEndpoint string
	Bootstraps                    map[string]string
	// Runs is the Lighthouse runs per page and preset; medians are reported (default 3).
	Runs int
	// Chrome is the browser (default $CHROME_PATH, else /usr/bin/chromium).
	Chrome string
	Out    io.Writer
}

// LighthouseRun is one Lighthouse run of one page (what local/bench/lighthouse/run.mjs prints).
type LighthouseRun struct {
	FinalURL      string   `json:"finalUrl"`
	Performance   int      `json:"performance"`
	Accessibility int      `json:"accessibility"`
	FCPMs         float64  `json:"fcpMs"`
	LCPMs         float64  `json:"lcpMs"`
	TBTMs         float64  `json:"tbtMs"`
	CLS           float64  `json:"cls"`
	ScriptBytes   int64    `json:"scriptBytes"` // every script the page load fetched, as transferred
	Scripts       int      `json:"scripts"`
	Requests      []string `json:"requests"`
	A11yFailures  []string `json:"a11yFailures"`
}

// PageFigures are a page's runs in one preset and their medians.
type PageFigures struct {
	Page, Path, Preset string
	Runs               []LighthouseRun
	Median             LighthouseRun
}

// ConsoleFigures are the console's figures.
type ConsoleFigures struct {
	InitialScriptBytes int64 // the entry chunk and what index.html preloads, gzip
	Pages              []PageFigures
	ReportDir          string // Lighthouse's full reports
	Failures           []string
}

// consolePages are the pages the issue names: the overview, the customer list (the whole list,
// as "show all" gives it to a partner with 100 customers and more) and a customer's page.
var consolePages = []struct{ name, path string }{
	{"overview", "/console/"},
	{"customer list", "/console/customers?all=1"},
	{"customer page", "/console/customers/{customerId}"},
}

// lighthousePresets: Lighthouse's desktop preset (the budgets apply: the console is an admin
// center used at a desk) and its default mobile preset (simulated slow 4G and a 4× slower CPU),
// reported beside it.
var lighthousePresets = []string{"desktop", "mobile"}

// RunConsole serves the built console with the whole product and measures it (measureConsole).
func RunConsole(ctx context.Context, o ConsoleOptions) (*ConsoleFigures, error) {
	data, err := os.MkdirTemp("", "pac-bench-console-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(data)
	if o.Out == nil {
		o.Out = os.Stdout
	}
	fmt.Fprintln(o.Out, "bench: building the functions for this machine and starting the product with the console…")
	rt, err := localrun.Start(ctx, localrun.Options{RepoRoot: o.RepoRoot, DataDir: data, Port: 0, InMemory: true,
		DynamoDBEndpoint: o.DynamoDBEndpoint, SESEndpoint: o.SESEndpoint, Log: io.Discard, Bootstraps: o.Bootstraps,
		TableName: fmt.Sprintf("bench-console-%d", time.Now().UnixNano()), ConsoleDir: filepath.Join("console", "dist"), StreamsFromNow: true})
	if err != nil {
		return nil, fmt.Errorf("bench: start the local runtime: %w", err)
	}
	defer rt.Close()
	figs, err := measureConsole(ctx, rt, o)
	if err != nil {
		return nil, err
	}
	figs.print(o.Out)
	return figs, nil
}

// measureConsole measures the console rt serves with Lighthouse: each run in a fresh browser
// profile with a fresh session (a refresh cookie from a sign-in of the demo helpdesk agent, who
// has limited access to customers and no second factor), so every load is a cold one of a
// returning admin.
func measureConsole(ctx context.Context, rt *localrun.Runtime, o ConsoleOptions) (*ConsoleFigures, error) {
	if o.Runs <= 0 {
		o.Runs = 3
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Chrome == "" {
		o.Chrome = os.Getenv("CHROME_PATH")
	}
	if o.Chrome == "" {
		o.Chrome = "/usr/bin/chromium"
	}
	runner := filepath.Join(o.RepoRoot, "local", "bench", "lighthouse", "run.mjs")
	if _, err := os.Stat(filepath.Join(o.RepoRoot, "local", "bench", "lighthouse", "node_modules", "lighthouse")); err != nil {
		return nil, fmt.Errorf("bench: Lighthouse is not installed in local/bench/lighthouse (make bench installs it: npm ci there)")
	}
	if _, err := os.Stat(o.Chrome); err != nil {
		return nil, fmt.Errorf("bench: no browser at %s (install Debian's chromium, or set CHROME_PATH)", o.Chrome)
	}
	if rt.Console == nil || !rt.Console.Built() {
		return nil, fmt.Errorf("bench: the runtime serves no built console (make console)")
	}
	initial, err := initialScriptBytes(ctx, o.RepoRoot)
	if err != nil {
		return nil, fmt.Errorf("bench: the console's build (make console): %w", err)
	}
	const agent = "helpdesk@contoso-partners.example"
	customerID := ""
	for _, c := range rt.Credentials.Customers {
		if strings.HasPrefix(c.Partner, "Contoso") && c.State == "active" {
			customerID = c.CustomerID
			break
		}
	}
	if customerID == "" {
		return nil, fmt.Errorf("bench: no demo customer of Contoso with active delegated administration")
	}
	// Each run's full report (the last run's stays), to see where a page's time goes.
	reports := filepath.Join(o.RepoRoot, "test-artifacts", "bench", "lighthouse")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		return nil, err
	}
	figs := &ConsoleFigures{InitialScriptBytes: initial, ReportDir: reports}
	for _, preset := range lighthousePresets {
		for _, p := range consolePages {
			path := strings.ReplaceAll(p.path, "{customerId}", customerID)
			fmt.Fprintf(o.Out, "bench: Lighthouse (%s) on the console's %s, %d runs…\n", preset, p.name, o.Runs)
			pf := PageFigures{Page: p.name, Path: path, Preset: preset}
			for range o.Runs {
				cookie, err := refreshCookie(rt.APIURL, agent, seed.Password)
				if err != nil {
					return nil, err
				}
				report := filepath.Join(reports, preset+"-"+strings.ReplaceAll(p.name, " ", "-"))
				run, err := lighthouse(ctx, runner, o.Chrome, rt.APIURL, path, cookie, preset, report)
				if err != nil {
					return nil, fmt.Errorf("bench: Lighthouse on %s: %w", path, err)
				}
				if want := rt.APIURL + path; run.FinalURL != want {
					return nil, fmt.Errorf("bench: Lighthouse on %s ended at %s", want, run.FinalURL)
				}
				pf.Runs = append(pf.Runs, run)
			}
			pf.Median = medianRun(pf.Runs)
			figs.Pages = append(figs.Pages, pf)
		}
	}
	figs.check()
	return figs, nil
}

// refreshCookie signs a user without a second factor in and returns the session's refresh token.
func refreshCookie(base, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(base+"/auth/sign-in", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == "pac_refresh" && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("bench: sign-in of %s: status %d and no refresh cookie", email, resp.StatusCode)
}

// lighthouse runs local/bench/lighthouse/run.mjs once.
// report is where its full report goes (report.html and report.json appended).
func lighthouse(ctx context.Context, runner, chrome, base, path, refresh, preset, report string) (LighthouseRun, error) {
	in, _ := json.Marshal(map[string]any{"chrome": chrome, "url": base + path, "preset": preset, "report": report,
		"cookie": map[string]string{"name": "pac_refresh", "value": refresh, "url": base + "/auth/refresh"}})
	cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, "node", runner, string(in))
	cmd.Env = append(os.Environ(), "PUPPETEER_SKIP_DOWNLOAD=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return LighthouseRun{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var r LighthouseRun
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return LighthouseRun{}, fmt.Errorf("read its result: %v: %s", err, stdout.String())
	}
	return r, nil
}

// medianRun is the median of each figure on its own; the accessibility failures are those of
// any run.
func medianRun(runs []LighthouseRun) LighthouseRun {
	med := func(f func(LighthouseRun) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	m := LighthouseRun{
		Performance:   int(med(func(r LighthouseRun) float64 { return float64(r.Performance) })),
		Accessibility: int(med(func(r LighthouseRun) float64 { return float64(r.Accessibility) })),
		FCPMs:         med(func(r LighthouseRun) float64 { return r.FCPMs }),
		LCPMs:         med(func(r LighthouseRun) float64 { return r.LCPMs }),
		TBTMs:         med(func(r LighthouseRun) float64 { return r.TBTMs }),
		CLS:           med(func(r LighthouseRun) float64 { return r.CLS }),
		ScriptBytes:   int64(med(func(r LighthouseRun) float64 { return float64(r.ScriptBytes) })),
	}
	for _, r := range runs {
		for _, f := range r.A11yFailures {
			if !slices.Contains(m.A11yFailures, f) {
				m.A11yFailures = append(m.A11yFailures, f)
			}
		}
	}
	return m
}

// check lists the budgets missed: the initial JavaScript, and per page in the desktop preset
// the performance and accessibility scores (medians; accessibility must be 100 in every run).
func (f *ConsoleFigures) check() {
	if f.InitialScriptBytes > MaxInitialScriptBytes {
		f.Failures = append(f.Failures, fmt.Sprintf("console: initial JavaScript %s, budget %s", kb(f.InitialScriptBytes), kb(MaxInitialScriptBytes)))
	}
	for _, p := range f.Pages {
		if p.Preset != "desktop" {
			continue
		}
		if p.Median.Performance < MinPerformance {
			f.Failures = append(f.Failures, fmt.Sprintf("console %s: Lighthouse performance %d, budget ≥ %d", p.Page, p.Median.Performance, MinPerformance))
		}
		for _, r := range p.Runs {
			if r.Accessibility < MinAccessibility {
				f.Failures = append(f.Failures, fmt.Sprintf("console %s: Lighthouse accessibility %d (%s), budget %d", p.Page, r.Accessibility, strings.Join(r.A11yFailures, ", "), MinAccessibility))
				break
			}
		}
	}
}

func (f *ConsoleFigures) print(w io.Writer) {
	fmt.Fprintf(w, "\nWeb console (Lighthouse 12, medians of %d runs; budgets apply to the desktop preset)\n", len(f.Pages[0].Runs))
	fmt.Fprintf(w, "Initial JavaScript (the entry chunk and its preloads, gzip): %s (budget %s) %s\n", kb(f.InitialScriptBytes), kb(MaxInitialScriptBytes), mark(f.InitialScriptBytes <= MaxInitialScriptBytes))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "page\tpreset\tperformance\taccessibility\tFCP\tLCP\tTBT\tCLS\tJS of the load\t")
	for _, p := range f.Pages {
		m := p.Median
		perf, a11y := fmt.Sprint(m.Performance), fmt.Sprint(m.Accessibility)
		if p.Preset == "desktop" {
			perf += " " + mark(m.Performance >= MinPerformance)
			a11y += " " + mark(m.Accessibility >= MinAccessibility && len(m.A11yFailures) == 0)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f ms\t%.0f ms\t%.0f ms\t%.3f\t%s\t\n", p.Page, p.Preset, perf, a11y, m.FCPMs, m.LCPMs, m.TBTMs, m.CLS, kb(m.ScriptBytes))
	}
	tw.Flush()
	fmt.Fprintln(w, "(JS of the load: every script the page's load fetched, as transferred — the entry chunk and the page's lazy chunks.)")
	if f.ReportDir != "" {
		fmt.Fprintf(w, "Lighthouse's reports (the last run of each page and preset): %s\n", f.ReportDir)
	}
	if len(f.Failures) == 0 {
		fmt.Fprintln(w, "Console budgets: all met.")
	} else {
		fmt.Fprintf(w, "Console budgets missed:\n  %s\n", strings.Join(f.Failures, "\n  "))
	}
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

// initialScriptBytes is the gzip size of the JavaScript index.html loads before the first
// render (its module scripts and modulepreloads and what they import statically), as the
// console's own size script measures it (console/scripts/size.mjs, `npm run size`).
func initialScriptBytes(ctx context.Context, root string) (int64, error) {
	out, err := exec.CommandContext(ctx, "node", filepath.Join(root, "console", "scripts", "size.mjs"), "--json").Output()
	var size struct {
		GzipBytes int64 `json:"gzipBytes"`
	}
	if jerr := json.Unmarshal(out, &size); jerr != nil || size.GzipBytes == 0 {
		return 0, fmt.Errorf("node console/scripts/size.mjs --json: %v %v: %s", err, jerr, out)
	}
	return size.GzipBytes, nil // over the budget it exits 1: check reports that
}
