// Package bench measures the figures of the README's Figures section and prints them as tables:
// per function the binary size (linux/arm64, as deployed) and the cold start (process start →
// first response, median of several) against a minimal aws-lambda-go reference built the same way
// in the same run; warm latency percentiles of chosen routes through the local HTTP API; and
// DynamoDB round trips and consumed capacity per route, read from the EMF line every invocation
// writes.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/partner-admin-center/pac/local/lambda"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/template"
)

// Options configure Run.
type Options struct {
	RepoRoot string
	// DynamoDBEndpoint and SESEndpoint: running emulators to use (default: start them).
	DynamoDBEndpoint, SESEndpoint string
	ColdRuns                      int // cold starts per function (default 15)
	WarmRuns                      int // warm requests per measured route (default 200)
	Out                           io.Writer
	// Bootstraps gives prebuilt functions for this machine by logical ID, as
	// localrun.Options.Bootstraps (tests share one build; default: the runtime builds them).
	Bootstraps map[string]string
	// ArmBootstraps gives prebuilt linux/arm64 functions by logical ID, for their sizes (tests
	// share one build; default: the bench builds them).
	ArmBootstraps map[string]string
	// DirectorySizes are the customer counts of the directory figures (default
	// DefaultDirectorySizes; the bench's test uses small ones).
	DirectorySizes []int
	// NotifyChanges is the number of subscription changes of the stream → inbox figure
	// (default 500).
	NotifyChanges int
	// OutboxEmails is the number of emails of the outbox → SES figure (default 10; each waits
	// for the mailer's batching window, about a second).
	OutboxEmails int
	// ClockSize is the number of delegated administrations and of trials ending at once in
	// the clock's figures (default DefaultClockSize).
	ClockSize int
	// Console, if set, serves the built console (console/dist) and measures it with Lighthouse
	// (console.go) first, while the machine is quiet and the data is the demo's.
	Console *ConsoleOptions
}

// warmRoutes are the routes whose warm latency is measured (files of other routes add theirs).
var warmRoutes = []string{"GET /company", "GET /users", "POST /users", "PATCH /customers/{customerId}/subscriptions/{subscriptionId}"}

// Targets from the issue.
const (
	MaxBinaryBytes  = 12 << 20
	MaxColdRatio    = 1.5
	MaxReadTrips    = 2
	MaxWriteTrips   = 3
	referenceName   = "hello (reference)"
	buildFlagsLDFlg = "-s -w -buildid="
)

// Report is what Run measured.
type Report struct {
	Sizes     map[string]int64           // logical ID (or reference) → arm64 bytes
	Cold      map[string][]time.Duration // logical ID (or reference) → process start → first response
	Init      map[string][]time.Duration // logical ID (or reference) → process start → ready (Lambda's Init Duration)
	Bare      map[string][]time.Duration // logical ID → process start → first response to a request answered without I/O
	Warm      map[string][]time.Duration // route → warm latencies
	Trips     map[string]Measurement     // route → last EMF measurement
	Accept    AcceptFigures
	Redeem    RedeemFigures
	Outbox    OutboxDelay // outbox item written → email in the SES emulator (outbox.go)
	Notify    NotifyDelay // subscription change written → notification in the inbox (notify.go)
	Directory *DirectoryFigures
	Clock     ClockFigures // the clock at scale (clock.go)
	Console   *ConsoleFigures
	Functions []string
	Failures  []string
}

// Measurement is what one invocation's EMF line says.
type Measurement struct {
	Function string `json:"Function"`
	Route    string `json:"route"`
	Status   int    `json:"status"`
	Trips    int    `json:"DynamoDBRoundTrips"`
	// Sequential is the round trips of latency (telemetry.Meter.Sequential).
	Sequential int            `json:"DynamoDBSequentialRoundTrips"`
	Read       float64        `json:"DynamoDBReadUnits"`
	Write      float64        `json:"DynamoDBWriteUnits"`
	Duration   float64        `json:"Duration"`
	Ops        map[string]int `json:"dynamodbOps"`
}

// Run measures and prints the tables; missed targets are listed in the report (Failures), not
// turned into an error: the bench measures, the tests gate.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.ColdRuns <= 0 {
		o.ColdRuns = 15
	}
	if o.WarmRuns <= 0 {
		o.WarmRuns = 200
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	data, err := os.MkdirTemp("", "pac-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(data)
	rep := &Report{Sizes: map[string]int64{}, Cold: map[string][]time.Duration{}, Init: map[string][]time.Duration{}, Bare: map[string][]time.Duration{}, Warm: map[string][]time.Duration{}, Trips: map[string]Measurement{}}

	fmt.Fprintln(o.Out, "bench: building the functions for linux/arm64 (sizes) and for this machine (runs)…")
	if err := armSizes(ctx, o.RepoRoot, data, o.ArmBootstraps, rep); err != nil {
		return nil, err
	}
	hello, err := buildReference(o.RepoRoot, filepath.Join(data, "hello"), runtime.GOARCH)
	if err != nil {
		return nil, err
	}
	obs := &observer{lines: map[string][]Measurement{}}
	rt, err := localrun.Start(ctx, localrun.Options{RepoRoot: o.RepoRoot, DataDir: filepath.Join(data, "run"), Port: 0, InMemory: true,
		DynamoDBEndpoint: o.DynamoDBEndpoint, SESEndpoint: o.SESEndpoint, Log: io.Discard, Observer: obs.observe,
		TableName: fmt.Sprintf("bench-%d", time.Now().UnixNano()), Bootstraps: o.Bootstraps, ConsoleDir: consoleDir(o),
		// The seed's own notifications and emails would run through the stream while the first
		// figures are taken: measure on a quiet emulator.
		StreamsFromNow: true})
	if err != nil {
		return nil, fmt.Errorf("bench: start the local runtime: %w", err)
	}
	defer rt.Close()
	if o.Console != nil {
		c := *o.Console
		c.RepoRoot, c.Out = o.RepoRoot, o.Out
		if rep.Console, err = measureConsole(ctx, rt, c); err != nil {
			return nil, err
		}
		rep.Failures = append(rep.Failures, rep.Console.Failures...)
	}
	d := &driver{rt: rt, obs: obs}
	if err := d.signIn(); err != nil {
		return nil, err
	}

	// DynamoDB round trips and capacity: one representative request per route, warm.
	fmt.Fprintln(o.Out, "bench: round trips per route…")
	for _, sc := range scenarios {
		for range 2 { // the second call is warm
			m, err := d.measure(sc)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", sc.route, err)
			}
			rep.Trips[sc.route] = m
		}
	}

	// Cold starts, interleaved across functions and the reference, in a new random order every
	// round, so machine noise and position effects spread evenly.
	fmt.Fprintf(o.Out, "bench: %d cold starts per function…\n", o.ColdRuns)
	for run := 0; run < o.ColdRuns; run++ {
		for _, k := range rand.Perm(len(scenarios) + 1) {
			if k == len(scenarios) {
				dur, init, err := coldStart(ctx, lambda.FunctionConfig{Name: "Hello", Bootstrap: hello, Timeout: 10 * time.Second}, lambda.Options{}, helloEvent())
				if err != nil {
					return nil, fmt.Errorf("bench: reference cold start: %w", err)
				}
				rep.Cold[referenceName] = append(rep.Cold[referenceName], dur)
				rep.Init[referenceName] = append(rep.Init[referenceName], init)
				continue
			}
			sc := scenarios[k]
			req, err := sc.prepare(d)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", sc.route, err)
			}
			fn, payload, err := rt.Gateway.Event(req)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", sc.route, err)
			}
			cfg, _ := rt.Functions.Config(fn)
			dur, init, err := coldStart(ctx, cfg, lambda.Options{Env: rt.FunctionEnv}, payload)
			if err != nil {
				return nil, fmt.Errorf("bench: %s cold start: %w", fn, err)
			}
			rep.Cold[fn] = append(rep.Cold[fn], dur)
			rep.Init[fn] = append(rep.Init[fn], init)
			// The same function, cold, answering a request it refuses before any I/O: the
			// binary's own cold start, comparable with the reference, which does no I/O either.
			bareReq := sc.bare(d)
			_, barePayload, err := rt.Gateway.Event(bareReq)
			if err != nil {
				return nil, fmt.Errorf("bench: %s (no I/O): %w", sc.route, err)
			}
			bare, _, err := coldStartAny(ctx, cfg, lambda.Options{Env: rt.FunctionEnv}, barePayload)
			if err != nil {
				return nil, fmt.Errorf("bench: %s cold start (no I/O): %w", fn, err)
			}
			rep.Bare[fn] = append(rep.Bare[fn], bare)
			if !slices.Contains(rep.Functions, fn) {
				rep.Functions = append(rep.Functions, fn)
			}
		}
	}

	// Warm latency through the HTTP API.
	fmt.Fprintf(o.Out, "bench: %d warm requests per measured route…\n", o.WarmRuns)
	for _, route := range warmRoutes {
		sc := scenarioOf(route)
		for i := 0; i < o.WarmRuns+20; i++ {
			req, err := sc.prepare(d)
			if err != nil {
				return nil, err
			}
			start := time.Now()
			status, _, err := d.send(req)
			took := time.Since(start)
			if err != nil || status >= 300 {
				return nil, fmt.Errorf("bench: %s: status %d: %v", route, status, err)
			}
			if i >= 20 {
				rep.Warm[route] = append(rep.Warm[route], took)
			}
		}
	}
	// On a table with a stream, DynamoDB Local spends most of each request in its stream
	// bookkeeping, more as the stream grows (local/testenv.NewTable says more): the clock works in a
	// table without one, and the directory's 110,100 customers come last (after them, in a table
	// with a stream, the clock's 20,000 steps had run past 25 minutes).
	if o.ClockSize <= 0 {
		o.ClockSize = DefaultClockSize
	}
	fmt.Fprintf(o.Out, "bench: the clock at scale (%d delegated administrations and %d trials due)…\n", o.ClockSize, o.ClockSize)
	if rep.Clock, err = MeasureClock(ctx, rt.DynamoDB, o.RepoRoot, o.ClockSize); err != nil {
		return nil, err
	}
	fmt.Fprintln(o.Out, "bench: accept flow…")
	if rep.Accept, err = measureAccept(d, o.WarmRuns/2); err != nil {
		return nil, fmt.Errorf("bench: accept flow: %w", err)
	}
	fmt.Fprintln(o.Out, "bench: product key redemptions…")
	if rep.Redeem, err = measureRedeem(d, o.WarmRuns/2); err != nil {
		return nil, fmt.Errorf("bench: product key redemptions: %w", err)
	}
	rep.Failures = append(rep.Failures, rep.Redeem.misses()...)
	fmt.Fprintln(o.Out, "bench: outbox → SES delay…")
	if o.OutboxEmails <= 0 {
		o.OutboxEmails = 10
	}
	if rep.Outbox, err = MeasureOutboxDelay(ctx, rt, o.OutboxEmails); err != nil {
		return nil, err
	}
	if o.NotifyChanges <= 0 {
		o.NotifyChanges = 500
	}
	fmt.Fprintf(o.Out, "bench: stream → inbox delay over %d subscription changes…\n", o.NotifyChanges)
	if rep.Notify, err = MeasureNotifyDelay(ctx, rt, o.NotifyChanges); err != nil {
		return nil, err
	}
	if rep.Notify.P99 >= NotifyTarget {
		rep.Failures = append(rep.Failures, fmt.Sprintf("stream → inbox p99 %s, target < %s", rep.Notify.P99.Round(time.Millisecond), NotifyTarget))
	}
	if rep.Notify.HookP99 >= NotifyTarget {
		rep.Failures = append(rep.Failures, fmt.Sprintf("stream → webhook receiver p99 %s, target < %s", rep.Notify.HookP99.Round(time.Millisecond), NotifyTarget))
	}
	// Everything but the directory is printed now: its loading is the longest part.
	rep.print(o.Out)
	rep.Accept.print(o.Out)
	rep.Redeem.print(o.Out)
	fmt.Fprintf(o.Out, "\nOutbox → SES emulator delay: %s\n", rep.Outbox)
	fmt.Fprintf(o.Out, "Subscription change → Partner of Record's inbox and webhook: %s\n", rep.Notify)
	rep.Clock.print(o.Out)
	if rep.Console != nil {
		rep.Console.print(o.Out)
	}
	if len(o.DirectorySizes) == 0 {
		o.DirectorySizes = DefaultDirectorySizes
	}
	// Twice the warm runs: the ratio of two p99s needs more samples to hold still.
	if rep.Directory, err = measureDirectory(ctx, d, o.DirectorySizes, 2*o.WarmRuns, o.Out); err != nil {
		return nil, err
	}
	rep.Directory.print(o.Out, rep)
	rep.printTargets(o.Out)
	return rep, nil
}

// consoleDir is the console build the runtime serves when the console is measured.
func consoleDir(o Options) string {
	if o.Console == nil {
		return ""
	}
	return filepath.Join("console", "dist")
}

// coldStart starts a fresh instance, sends one invocation that must succeed (2xx) and returns
// process start → response and process start → ready (init).
func coldStart(ctx context.Context, cfg lambda.FunctionConfig, opts lambda.Options, payload []byte) (total, init time.Duration, err error) {
	return cold(ctx, cfg, opts, payload, false)
}

// coldStartAny is coldStart for a request the function refuses (4xx is expected, 5xx is not).
func coldStartAny(ctx context.Context, cfg lambda.FunctionConfig, opts lambda.Options, payload []byte) (total, init time.Duration, err error) {
	return cold(ctx, cfg, opts, payload, true)
}

func cold(ctx context.Context, cfg lambda.FunctionConfig, opts lambda.Options, payload []byte, refused bool) (total, init time.Duration, err error) {
	inst, err := lambda.StartInstance(cfg, opts)
	if err != nil {
		return 0, 0, err
	}
	defer inst.Close()
	res, err := inst.Invoke(ctx, payload)
	if err != nil {
		return 0, 0, err
	}
	if res.Err != nil {
		return 0, 0, res.Err
	}
	var resp struct {
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(res.Payload, &resp) != nil || resp.StatusCode >= 500 || (!refused && resp.StatusCode >= 300) || (refused && resp.StatusCode < 400) {
		return 0, 0, fmt.Errorf("response %s", res.Payload)
	}
	return res.SinceStart, res.Init, nil
}

func helloEvent() []byte {
	return []byte(`{"version":"2.0","routeKey":"GET /hello","rawPath":"/hello","headers":{},"requestContext":{"http":{"method":"GET","path":"/hello"}},"isBase64Encoded":false}`)
}

// armSizes sizes every function of template.yaml built for linux/arm64 with its Makefile target
// (the one sam build uses), building those prebuilt does not give, and the reference.
func armSizes(ctx context.Context, root, data string, prebuilt map[string]string, rep *Report) error {
	tpl, err := template.Load(filepath.Join(root, "template.yaml"), template.Options{AllowMissing: true})
	if err != nil {
		return fmt.Errorf("bench: read template.yaml: %w", err)
	}
	var ids []string
	for _, f := range tpl.Functions {
		ids = append(ids, f.LogicalID)
	}
	if len(ids) == 0 {
		return fmt.Errorf("bench: template.yaml has no functions")
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 2)
	sizes := make([]int64, len(ids))
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			path := prebuilt[id]
			if path == "" {
				if path, errs[i] = localrun.BuildFor(ctx, root, id, filepath.Join(data, "arm64", id), "arm64"); errs[i] != nil {
					errs[i] = fmt.Errorf("bench: %w", errs[i])
					return
				}
			}
			fi, err := os.Stat(path)
			if err != nil {
				errs[i] = err
				return
			}
			sizes[i] = fi.Size()
		})
	}
	wg.Wait()
	for i, id := range ids {
		if errs[i] != nil {
			return errs[i]
		}
		rep.Sizes[id] = sizes[i]
	}
	ref, err := buildReference(root, filepath.Join(data, "hello-arm64"), "arm64")
	if err != nil {
		return err
	}
	fi, err := os.Stat(ref)
	if err != nil {
		return err
	}
	rep.Sizes[referenceName] = fi.Size()
	return nil
}

// buildReference builds local/bench/hello with the Makefile's flags (CGO off, lambda.norpc,
// -trimpath, stripped) and returns the bootstrap's path.
func buildReference(root, dir, arch string) (string, error) {
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags="+buildFlagsLDFlg, "-o", out, "./local/bench/hello")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bench: build the reference: %v\n%s", err, b)
	}
	return out, nil
}

// observer collects the EMF lines of the functions.
type observer struct {
	mu    sync.Mutex
	lines map[string][]Measurement // function dir name → lines in order
}

func (o *observer) observe(l lambda.LogLine) {
	if l.Stream != lambda.Stdout || !strings.Contains(l.Text, `"DynamoDBRoundTrips"`) {
		return
	}
	var m Measurement
	if json.Unmarshal([]byte(l.Text), &m) != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lines[m.Route] = append(o.lines[m.Route], m)
}

func (o *observer) count(route string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.lines[route])
}

// after waits for the EMF line of route numbered n (0-based) and returns it. The line travels
// through the function's stdout pipe and may arrive after the response; it comes within
// milliseconds, and the limit is generous so that a loaded machine (TestBench under make test)
// does not fail on a line that is merely late.
func (o *observer) after(route string, n int) (Measurement, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		o.mu.Lock()
		ls := o.lines[route]
		o.mu.Unlock()
		if len(ls) > n {
			return ls[n], nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return Measurement{}, fmt.Errorf("no metrics line from %s", route)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r *Report) print(w io.Writer) {
	fail := func(format string, args ...any) string {
		r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
		return "MISS"
	}
	refCold := percentile(r.Cold[referenceName], 0.5)
	refInit := percentile(r.Init[referenceName], 0.5)
	fmt.Fprintf(w, "\nFunctions: size of the linux/arm64 bootstrap as deployed. Cold starts are process start → first response,\n"+
		"medians of %d interleaved runs on %s/%s, against the reference built the same way in this run:\n"+
		"  no I/O: a request the function answers without I/O (no token → 401, empty body → 422) — the binary's own\n"+
		"          cold start, like the reference's, which does no I/O either; the 1.5x target is checked on this\n"+
		"  request: a representative valid request, including its DynamoDB Local calls (about 2 ms each, 4 ms on a\n"+
		"          fresh connection) and, for sign-in, password change and user/partner creation, argon2id by design\n"+
		"  init: process start → ready for the first event (Lambda's Init Duration)\n", len(r.Cold[referenceName]), runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "function\tsize\t< 12 MiB\tno I/O p50\tratio\t≤ 1.5x\trequest p50\tratio\tinit p50\tratio")
	names := append(slices.Clone(r.Functions), referenceName)
	for _, n := range names {
		bare, cold, init := percentile(r.Bare[n], 0.5), percentile(r.Cold[n], 0.5), percentile(r.Init[n], 0.5)
		if n == referenceName {
			bare = cold
		}
		sizeMark, bareMark := "ok", "ok"
		if r.Sizes[n] >= MaxBinaryBytes {
			sizeMark = fail("%s: binary %d bytes ≥ 12 MiB", n, r.Sizes[n])
		}
		ratio := float64(bare) / float64(refCold)
		if n != referenceName && ratio > MaxColdRatio {
			bareMark = fail("%s: cold start (no I/O) %.2fx the reference", n, ratio)
		}
		fmt.Fprintf(tw, "%s\t%.2f MiB\t%s\t%s\t%.2fx\t%s\t%s\t%.2fx\t%s\t%.2fx\n", n, float64(r.Sizes[n])/(1<<20), sizeMark,
			ms(bare), ratio, bareMark, ms(cold), float64(cold)/float64(refCold), ms(init), float64(init)/float64(refInit))
	}
	tw.Flush()

	fmt.Fprintf(w, "\nWarm latency through the local HTTP API against DynamoDB Local (%d requests each, after 20 warm-ups)\n", len(r.Warm["GET /company"]))
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "route\tp50\tp90\tp99\tmax")
	for _, route := range warmRoutes {
		ds := r.Warm[route]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", route, ms(percentile(ds, 0.5)), ms(percentile(ds, 0.9)), ms(percentile(ds, 0.99)), ms(percentile(ds, 1)))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nDynamoDB per request (warm; from each invocation's EMF line; capacity as DynamoDB Local reports it). round trips =\n"+
		"round trips of latency, the budget's measure (the longest chain of calls each sent after the one before it answered: the\n"+
		"customer routes read alongside the caller's authentication); requests = every call")
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "route\tround trips\trequests\tread units\twrite units\tbudget\ttarget")
	routes := make([]string, 0, len(r.Trips))
	for k := range r.Trips {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, route := range routes {
		m := r.Trips[route]
		budget := MaxWriteTrips
		if strings.HasPrefix(route, "GET ") {
			budget = MaxReadTrips
		}
		mark := "ok"
		if m.Sequential > budget {
			mark = fail("%s: %d round trips > %d", route, m.Sequential, budget)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t≤ %d\t%s\n", route, m.Sequential, m.Trips, m.Read, m.Write, budget, mark)
	}
	tw.Flush()
}

// printTargets says whether every target was met, or lists those missed.
func (r *Report) printTargets(w io.Writer) {
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "\nEvery target met.")
	} else {
		fmt.Fprintf(w, "\nTargets missed:\n  %s\n", strings.Join(r.Failures, "\n  "))
	}
}
