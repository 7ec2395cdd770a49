package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/partner-admin-center/pac/local/testenv"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// findChromium returns the browser or fails the test: a browser test that silently skips when
// the browser is missing would pass on a machine that never ran it.
func findChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("%s not found: install chromium (apt-get install chromium) — .ci/run does", chromiumPath)
	return ""
}

// newBrowser starts headless Chromium with the flags this closed network needs (without the
// background-networking ones Chromium keeps dialling Google's hosts) and a fresh profile. The
// browser lives until the test ends; its output is logged if the test fails.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "pac-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	out := &testenv.LogBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(f string, a ...any) { fmt.Fprintf(out, "chromedp: "+f+"\n", a...) }))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		if t.Failed() && out.Len() > 0 {
			t.Logf("chromium output:\n%s", out.String())
		}
		// Chromium's helpers can still write into the profile for a moment after it stops.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// The first Run starts the browser and binds it to this context (no timeout on it: the
	// steps get their own).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v\n%s", exe, err, out.String())
	}
	return ctx
}

// stepTimeout bounds one browser step. A step takes well under a second on an idle machine; the
// limit is generous because Chromium on a loaded 2-core machine can be many times slower, and a
// step that succeeds never waits for it.
const stepTimeout = 60 * time.Second

// step runs browser actions with a time limit; on failure it keeps a screenshot of what the
// browser showed and fails the test.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v%s", what, err, failureEvidence(t, ctx, what))
	}
}

// value runs one browser action that returns a value, with a time limit.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v%s", what, err, failureEvidence(t, ctx, what))
	}
	return v
}

// failureEvidence saves a screenshot of the page and returns its path and visible text, to be
// appended to a failure message.
func failureEvidence(t *testing.T, ctx context.Context, what string) string {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var b strings.Builder
	if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
		name := "failed-" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return '-'
		}, strings.ToLower(what)) + ".png"
		fmt.Fprintf(&b, "\nscreenshot: %s", saveArtifact(t, name, png))
	}
	if loc, err := chromedp.Run(sctx, chromedp.Location()); err == nil {
		fmt.Fprintf(&b, "\nlocation: %s", loc)
	}
	if text, err := chromedp.Run(sctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil {
		fmt.Fprintf(&b, "\npage text:\n%s", text)
	}
	return b.String()
}

// artifactDir is where the screenshots go: test-artifacts/browser/ at the repository root
// (gitignored).
func artifactDir(t *testing.T) string {
	return filepath.Join(testenv.RepoRoot(t), "test-artifacts", "browser")
}

// clearArtifacts removes the screenshots of an earlier run, so a stale failure screenshot is
// not taken for this run's.
func clearArtifacts(t *testing.T) {
	t.Helper()
	if err := os.RemoveAll(artifactDir(t)); err != nil {
		t.Fatal(err)
	}
}

// saveArtifact writes a test artifact under test-artifacts/browser/ at the repository root
// (gitignored; name may have a directory) and returns its path.
func saveArtifact(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(artifactDir(t), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sentEmail is one email in the SES emulator's store (GET <inbox>/store).
type sentEmail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	At int64 `json:"at"`
}

func readInbox(inboxURL string) ([]sentEmail, error) {
	resp, err := http.Get(inboxURL + "/store")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/store: %d %s", inboxURL, resp.StatusCode, raw)
	}
	var store struct {
		Emails []sentEmail `json:"emails"`
	}
	if err := json.Unmarshal(raw, &store); err != nil {
		return nil, fmt.Errorf("GET %s/store: %v", inboxURL, err)
	}
	return store.Emails, nil
}

// awaitEmail polls the SES emulator's store until an email to recipient matching match
// arrives, or the time is up. The store is shared by every test package that `make test` runs
// against the same emulator, hence the unique recipients and the match.
func awaitEmail(inboxURL, recipient string, within time.Duration, match func(sentEmail) bool) (sentEmail, error) {
	deadline := time.Now().Add(within)
	var lastErr error
	seen := 0
	for {
		emails, err := readInbox(inboxURL)
		if err != nil {
			lastErr = err
		} else {
			seen = len(emails)
			for _, e := range emails {
				if slices.ContainsFunc(e.Destination.To, func(to string) bool { return strings.EqualFold(to, recipient) }) && (match == nil || match(e)) {
					return e, nil
				}
			}
		}
		if time.Now().After(deadline) {
			return sentEmail{}, errors.Join(fmt.Errorf("no matching email to %s reached the SES emulator's inbox (%s/store, %d emails in it) within %v", recipient, inboxURL, seen, within), lastErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// linkIn finds the link page URL (<public base URL>/trial/<26 lower-case base32 chars>) in an
// email's text or HTML body.
func linkIn(e sentEmail, publicBaseURL, kindPath string) string {
	re := regexp.MustCompile(regexp.QuoteMeta(strings.TrimRight(publicBaseURL, "/")+kindPath) + `[a-z2-7]{26}\b`)
	if m := re.FindString(e.Body.Text); m != "" {
		return m
	}
	return re.FindString(e.Body.HTML)
}

// submit runs an action that submits a form and waits for the page it loads.
func submit(t *testing.T, ctx context.Context, a chromedp.Action[chromedp.Void]) *network.Response {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, a)
	if err != nil {
		t.Fatalf("submit the form: %v%s", err, failureEvidence(t, ctx, "submit"))
	}
	return resp
}

// header is a response header as the browser received it (names case-insensitive).
func header(resp *network.Response, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// axeScript is axe-core's browser build, installed by `make deps` from local/package-lock.json
// (axe-core is pinned in local/package.json).
func axeScript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(testenv.RepoRoot(t), "local", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run make deps", err)
	}
	return string(src)
}

// axeViolation is one rule that failed, with the elements that failed it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeRun runs every rule axe-core enables by default (WCAG 2.x A and AA, best practices) on
// the document and returns the violations.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary || ""}))})))`

// checkPage checks the link page the browser shows: axe-core finds no violation (each is
// printed), and it has exactly one h1. The script is injected over the DevTools protocol, which
// the pages' Content-Security-Policy (no scripts) does not govern.
func checkPage(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if loaded := value(t, ctx, "is axe-core in the "+page, chromedp.Evaluate[bool](`typeof axe === "object"`)); !loaded {
		step(t, ctx, "inject axe-core into the "+page, chromedp.Evaluate[chromedp.Void](axeScript(t)))
	}
	violations := value(t, ctx, "run axe-core on the "+page, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if len(violations) > 0 {
		var b strings.Builder
		for _, v := range violations {
			fmt.Fprintf(&b, "\n  %s (%s): %s — %s", v.ID, v.Impact, v.Help, v.HelpURL)
			for _, n := range v.Nodes {
				fmt.Fprintf(&b, "\n    %s: %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
		t.Errorf("axe-core: %d violations on the %s:%s", len(violations), page, b.String())
	}
	h1s := value(t, ctx, "read the h1s of the "+page, chromedp.Evaluate[[]string](`[...document.querySelectorAll("h1")].map(h => h.textContent.trim())`))
	if len(h1s) != 1 {
		t.Errorf("the %s has %d h1 elements %q, want exactly one", page, len(h1s), h1s)
	}
}

// signUp is what a new customer enters on a link page's sign-up form.
type signUp struct{ Organization, DomainPrefix, Country, AdminName, Email, Password string }

// fillSignUp fills in the sign-up form of the link page the browser shows and accepts the
// delegated-admin offer.
func fillSignUp(t *testing.T, ctx context.Context, s signUp) {
	t.Helper()
	step(t, ctx, "fill in the sign-up form",
		chromedp.SendKeys(chromedp.ID("organization"), s.Organization),
		chromedp.SendKeys(chromedp.ID("domainPrefix"), s.DomainPrefix),
		chromedp.SendKeys(chromedp.ID("country"), s.Country),
		chromedp.SendKeys(chromedp.ID("adminName"), s.AdminName),
		chromedp.SendKeys(chromedp.ID("email"), s.Email),
		chromedp.SendKeys(chromedp.ID("password"), s.Password),
		chromedp.Click(chromedp.ID("da-accept-up")),
	)
}

// acceptOnLinkPage opens a trial invitation's link as a new customer, signs up, accepts the
// trial and delegated administration and waits for the confirmation.
func acceptOnLinkPage(t *testing.T, ctx context.Context, link string, s signUp) {
	t.Helper()
	if r := value(t, ctx, "open the link", chromedp.NavigateResponse(link)); r.Status != 200 {
		t.Fatalf("GET %s: status %d", link, r.Status)
	}
	fillSignUp(t, ctx, s)
	if r := submit(t, ctx, chromedp.Click(chromedp.ID("signup-accept"))); r.Status != 200 {
		t.Fatalf("POST %s: status %d%s", link, r.Status, failureEvidence(t, ctx, "accept"))
	}
	step(t, ctx, "wait for the confirmation", chromedp.WaitVisible(chromedp.ID("done")))
	if done := value(t, ctx, "read the confirmation", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(done, s.Organization) ||
		!strings.Contains(done, "Delegated administration for") {
		t.Errorf("the confirmation does not confirm %s and delegated administration:\n%s", s.Organization, done)
	}
}
