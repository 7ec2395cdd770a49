package main

import (
	"bytes"
	"context"
	"slices"
	"time"

	benchpkg "github.com/partner-admin-center/pac/local/bench"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/partner-admin-center/pac/local/console"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/local/testenv/builds"
)

// TestMain doubles as the command that TestEnvRunsTheCommandWithTheEmulators runs under env.
func TestMain(m *testing.M) {
	if os.Getenv("PAC_LOCAL_ENV_PROBE") == "1" {
		os.Exit(probe())
	}
	testenv.Main(m)
}

// probe checks the environment `pac-local env` gives its command: 7 when all is well.
func probe() int {
	if os.Getenv("AWS_REGION") != "us-east-1" || os.Getenv("AWS_ACCESS_KEY_ID") != "local" || os.Getenv("AWS_SECRET_ACCESS_KEY") != "local" {
		return 3
	}
	ses, dynamo := os.Getenv("PAC_TEST_SES_ENDPOINT"), os.Getenv("PAC_TEST_DYNAMODB_ENDPOINT")
	if resp, err := http.Get(ses + "/health-check"); err != nil || resp.StatusCode != 200 {
		return 4
	}
	if _, err := http.Post(dynamo, "application/x-amz-json-1.0", strings.NewReader("{}")); err != nil {
		return 5
	}
	return 7
}

// TestEnvRunsTheCommandWithTheEmulators checks `pac-local env -- CMD`: the variables are set,
// the emulators answer while CMD runs, and CMD's exit status is passed on.
func TestEnvRunsTheCommandWithTheEmulators(t *testing.T) {
	if err := os.Chdir(testenv.RepoRoot(t)); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PAC_LOCAL_ENV_PROBE", "1")
	if code := env([]string{"--", self}); code != 7 {
		t.Errorf("env exit status %d, want 7 (the probe's: all is well)", code)
	}
	if code := env([]string{"--", "true"}); code != 0 {
		t.Errorf("env exit status %d, want 0", code)
	}
	if code := env([]string{"--", "/no/such/command"}); code != 127 {
		t.Errorf("env with a missing command: %d, want 127", code)
	}
	if code := env(nil); code != 2 {
		t.Errorf("env without a command: %d", code)
	}
}

// TestBench runs the real benchmark with small counts against the test emulators and checks that
// every table is there with every route and function.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("bench builds and runs every function (run without -short)")
	}
	var out bytes.Buffer
	// The functions come from the builds the other suites share (local/testenv/builds): for this
	// machine (e2e, browser) and for arm64, for their sizes (deploycheck).
	rep, err := benchpkg.Run(context.Background(), benchpkg.Options{RepoRoot: testenv.RepoRoot(t), ColdRuns: 1, WarmRuns: 5, Out: &out, DirectorySizes: []int{20, 60}, NotifyChanges: 20, ClockSize: 20, OutboxEmails: 3,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t), Bootstraps: builds.All(t), ArmBootstraps: builds.ForArch(t, "arm64")})
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"no I/O p50", "request p50", "init p50", "GET /company", "POST /users", "round trips", "hello (reference)", "PUT /operator/partners/{partnerId}/authorizations",
		"PATCH /customers/{customerId}/subscriptions/{subscriptionId}"} {
		if !strings.Contains(text, want) {
			t.Errorf("bench output lacks %q:\n%s", want, text)
		}
	}
	if len(rep.Functions) != 25 || len(rep.Trips) != 25 || len(rep.Bare) != 25 {
		t.Errorf("bench measured %d functions and %d routes, want 25 and 25", len(rep.Functions), len(rep.Trips))
	}
	if len(rep.Outbox.Samples) != 3 {
		t.Errorf("bench lacks the outbox → SES figure: %+v", rep.Outbox)
	}
	if len(rep.Notify.Samples) != 20 || !strings.Contains(text, "Partner of Record's inbox") {
		t.Errorf("bench lacks the stream → inbox figure: %+v", rep.Notify)
	}
	// WarmRuns/2 redemptions: one for an existing customer, one for a new organization.
	if r := rep.Redeem; len(r.Existing) != 1 || len(r.New) != 1 || !strings.Contains(text, "Product key redemption") {
		t.Errorf("bench lacks the redemption figures: %+v", r)
	}
	for _, s := range append(slices.Clone(rep.Redeem.Existing), rep.Redeem.New...) {
		if s.M.Sequential == 0 || s.M.Sequential > s.M.Trips {
			t.Errorf("redemption: %d DynamoDB calls at %d round trips of latency recorded", s.M.Trips, s.M.Sequential)
		}
	}
	if d := rep.Directory; d == nil || len(d.Seeding) != 2 || len(d.Trips) != 5 || !strings.Contains(text, "Customer directory") {
		t.Errorf("bench lacks the directory figures: %+v", d)
	}
	if runs := rep.Clock.Runs; len(runs) != 2 || !strings.Contains(text, "The clock at scale") {
		t.Errorf("bench lacks the clock's figures: %+v", runs)
	}
	for route, m := range rep.Trips {
		if m.Trips == 0 || m.Sequential == 0 || m.Sequential > m.Trips {
			t.Errorf("%s: %d DynamoDB calls at %d round trips of latency recorded", route, m.Trips, m.Sequential)
		}
	}
	// Every measured function has its arm64 size (a bench that lists no build targets prints
	// 0.00 MiB and passes its size check vacuously).
	for _, f := range append(slices.Clone(rep.Functions), "hello (reference)") {
		if rep.Sizes[f] < 1<<20 {
			t.Errorf("%s: arm64 size %d bytes, want a real binary", f, rep.Sizes[f])
		}
	}
	if len(rep.Sizes) < 44 {
		t.Errorf("bench sized %d binaries, want every function of template.yaml and the reference", len(rep.Sizes))
	}
}

// TestBannerPrintsTheConsole: the console's URL next to the API's, above the demo users, and a
// hint while it is not built.
func TestBannerPrintsTheConsole(t *testing.T) {
	dir := t.TempDir()
	rt := &localrun.Runtime{APIURL: "http://127.0.0.1:3000", ConsoleURL: "http://127.0.0.1:3000/console/",
		Console: console.New(dir, console.Headers{}, nil), InboxURL: "http://127.0.0.1:4000", DataDir: dir, CredentialsFile: dir + "/demo-credentials.json"}
	rt.Credentials.Partners = []seed.PartnerCredentials{{Name: "Contoso", PartnerID: "ptn_1", Cloud: "global",
		Users: []seed.UserCredential{{Email: "admin@contoso.example", CompanyRole: "global_admin", CustomerAccess: "full"}}}}
	var out bytes.Buffer
	banner(&out, rt, time.Second)
	text := out.String()
	api := strings.Index(text, "  API          http://127.0.0.1:3000\n")
	con := strings.Index(text, "  Console      http://127.0.0.1:3000/console/  (not built: run make console)\n")
	users := strings.Index(text, "Demo users")
	if api < 0 || con < 0 || users < 0 || !(api < con && con < users) {
		t.Errorf("banner: the console's URL is not between the API's and the demo users:\n%s", text)
	}
	if err := os.WriteFile(dir+"/index.html", []byte("<!doctype html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	banner(&out, rt, time.Second)
	if !strings.Contains(out.String(), "  Console      http://127.0.0.1:3000/console/\n") {
		t.Errorf("banner with a built console:\n%s", out.String())
	}
	out.Reset()
	rt.Console, rt.ConsoleURL = nil, ""
	banner(&out, rt, time.Second)
	if strings.Contains(out.String(), "  Console  ") {
		t.Errorf("banner without a console:\n%s", out.String())
	}
}
