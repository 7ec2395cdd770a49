// Command pac-local is the local runtime of the Partner Admin Center (docs/architecture.md,
// "Local runtime"):
//
//	pac-local run [-port 3000] [-data .local]   the whole product and the console on 127.0.0.1 (make run)
//	pac-local env -- CMD ARGS...                CMD with DynamoDB Local and the SES emulator (make test)
//	pac-local bench                             the benchmark table (make bench)
//	pac-local keygen                            a token key pair for sam deploy
//	pac-local backfill [-data .local]           add the customer directory's and the clock's missing index items
//	pac-local totp EMAIL|SECRET                 the current two-factor code of a demo user (or of a secret)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	benchpkg "github.com/partner-admin-center/pac/local/bench"
	"github.com/partner-admin-center/pac/local/emulators"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/totp"
)

const usage = `usage:
  pac-local run [-port 3000] [-data .local] [flags]   run the product locally (make run)
  pac-local env -- CMD [ARGS...]                       run CMD with DynamoDB Local and the SES emulator (make test)
  pac-local bench [-cold 15] [-warm 200]               print the benchmark table (make bench)
  pac-local keygen                                     a token key pair for sam deploy
  pac-local backfill [-data .local] [-endpoint URL]    add the customer directory's and the clock's missing index items (idempotent)
  pac-local totp EMAIL|SECRET                          the current two-factor code of a demo user (or of a base32 secret)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var code int
	switch os.Args[1] {
	case "run":
		code = run(os.Args[2:])
	case "env":
		code = env(os.Args[2:])
	case "bench":
		code = bench(os.Args[2:])
	case "keygen":
		code = keygen()
	case "backfill":
		code = backfill(os.Args[2:])
	case "totp":
		code = totpCode(os.Args[2:])
	case "-h", "-help", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "pac-local: unknown command %q\n%s", os.Args[1], usage)
		code = 2
	}
	os.Exit(code)
}

type paramFlags map[string]string

func (p paramFlags) String() string { return "" }

func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return errors.New("want Name=value")
	}
	p[k] = v
	return nil
}

func run(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	port := fs.Int("port", 3000, "gateway port on 127.0.0.1")
	data := fs.String("data", ".local", "data directory (DynamoDB files, keys, credentials, logs, builds); the default is the repository's .local, which `make reset` deletes")
	tpl := fs.String("template", "", "SAM template (default: template.yaml of the repository)")
	table := fs.String("table", localrun.DefaultTableName, "local table name")
	inMemory := fs.Bool("in-memory", false, "keep DynamoDB Local's data in memory (lost on exit)")
	noSeed := fs.Bool("no-seed", false, "skip the demo seed")
	maxInstances := fs.Int("max-instances", 0, "instances per function (default 10)")
	quiet := fs.Bool("quiet", false, "do not print function logs and the access log")
	consoleDir := fs.String("console", "console/dist", "the web console's build, served under /console/ on the API's origin (relative to the repository; empty: not served)")
	params := paramFlags{}
	fs.Var(params, "param", "template parameter override Name=value (repeatable)")
	bootstraps := paramFlags{}
	fs.Var(bootstraps, "bootstrap", "prebuilt bootstrap LogicalId=path instead of make build-<LogicalId> (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "pac-local run: unexpected arguments %v\n", fs.Args())
		return 2
	}
	dataSet := false
	fs.Visit(func(f *flag.Flag) { dataSet = dataSet || f.Name == "data" })
	if !dataSet {
		*data = "" // the repository's .local, wherever pac-local is started from
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var logw io.Writer = os.Stderr
	if *quiet {
		logw = io.Discard
	}
	opts := localrun.Options{
		Port: *port, DataDir: *data, TemplatePath: *tpl, TableName: *table, InMemory: *inMemory,
		NoSeed: *noSeed, MaxInstances: *maxInstances, Parameters: params, Log: logw, ConsoleDir: *consoleDir,
	}
	if len(bootstraps) > 0 {
		opts.Bootstraps = bootstraps
	}
	start := time.Now()
	rt, err := localrun.Start(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "pac-local: interrupted")
			return 130
		}
		fmt.Fprintf(os.Stderr, "pac-local: %v\n", err)
		return 1
	}
	defer rt.Close()
	banner(os.Stdout, rt, time.Since(start))
	select {
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "\npac-local: stopping ...")
		rt.Close()
		return 0
	case <-rt.Done():
		fmt.Fprintf(os.Stderr, "pac-local: %v\n", rt.Err())
		rt.Close()
		return 1
	}
}

func banner(w io.Writer, rt *localrun.Runtime, took time.Duration) {
	creds := rt.Credentials
	rel := func(p string) string {
		if wd, err := os.Getwd(); err == nil {
			if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
				return r
			}
		}
		return p
	}
	fmt.Fprintf(w, "\nPartner Admin Center runs locally (ready in %.1fs).\n\n", took.Seconds())
	fmt.Fprintf(w, "  API          %s\n", rt.APIURL)
	if rt.Console != nil {
		note := ""
		if !rt.Console.Built() {
			note = "  (not built: run make console)"
		}
		fmt.Fprintf(w, "  Console      %s%s\n", rt.ConsoleURL, note)
	}
	fmt.Fprintf(w, "  Email inbox  %s  (JSON: %s/store)\n", rt.InboxURL, rt.InboxURL)
	fmt.Fprintf(w, "  DynamoDB     %s  table %s\n", rt.DynamoDBEndpoint, rt.TableName)
	fmt.Fprintf(w, "  Credentials  %s\n", rel(rt.CredentialsFile))
	fmt.Fprintf(w, "  Logs         %s  (functions and gateway: this terminal)\n\n", rel(filepath.Join(rt.DataDir, "logs")))
	var first, firstPartner string
	if len(creds.Partners) > 0 {
		fmt.Fprintf(w, "  Demo users (password %s; global admins and full customer access sign in with a second factor:\n"+
			"  add the secret of the credentials file to an authenticator app, or run .local/bin/pac-local totp EMAIL for the code):\n", seed.Password)
		for _, p := range creds.Partners {
			fmt.Fprintf(w, "    %s - cloud %s - %s\n", p.Name, p.Cloud, p.PartnerID)
			for _, u := range p.Users {
				role := u.CompanyRole
				if role == "" {
					role = "-"
				}
				tfa := ""
				if u.TOTPSecret != "" {
					tfa = "  two-factor: pac-local totp " + u.Email
				}
				fmt.Fprintf(w, "      %-40s role %-16s customers %-8s%s\n", u.Email, role, u.CustomerAccess, tfa)
				if first == "" && u.TOTPSecret == "" {
					first, firstPartner = u.Email, p.PartnerID
				}
			}
		}
		fmt.Fprintln(w)
	}
	if len(creds.Links) > 0 {
		fmt.Fprintf(w, "  Customer journey (open in a browser; the emails land in the inbox above):\n")
		for _, l := range creds.Links {
			fmt.Fprintf(w, "    %-24s %s\n      %s\n", l.Partner, l.Offer, l.URL)
		}
		fmt.Fprintln(w)
	}
	if len(creds.Customers) > 0 {
		fmt.Fprintf(w, "  Demo customers (their admins sign in with the password above; one per relationship state here, all in the credentials file):\n")
		for _, p := range creds.Partners {
			shown, n := map[string]bool{}, 0
			for _, c := range creds.Customers {
				if c.Partner != p.Name {
					continue
				}
				n++
				if key := c.State + c.Scope; !shown[key] {
					shown[key] = true
					fmt.Fprintf(w, "      %-30s %-17s %-38s %s\n", c.Name, strings.TrimSpace(c.State+" "+c.Scope), c.Admin, c.CustomerID)
				}
			}
			fmt.Fprintf(w, "    %s: %d customers\n\n", p.Name, n)
		}
	}
	if len(creds.ProductKeys) > 0 {
		fmt.Fprintf(w, "  Product keys (GET /product-keys as a partner user; one available key each here, all in the credentials file):\n")
		for _, p := range creds.Partners {
			for _, k := range creds.ProductKeys {
				if k.Partner == p.Name && k.State == "available" {
					fmt.Fprintf(w, "    %-24s %s  %d × %s\n", p.Name, k.Key, k.Licenses, k.Product)
					break
				}
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  Operator token (the AWS_IAM routes /operator/...):\n    %s\n\n", rt.OperatorToken)
	if first != "" {
		fmt.Fprintf(w, "  Try:\n")
		fmt.Fprintf(w, "    curl -s %s/auth/sign-in -H 'content-type: application/json' \\\n      -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n",
			rt.APIURL, first, seed.Password)
		fmt.Fprintf(w, "    curl -s %s/operator/partners/%s -H 'authorization: Bearer %s'\n\n", rt.APIURL, firstPartner, rt.OperatorToken)
	}
	fmt.Fprintf(w, "Functions start on their first request (a real cold start). Ctrl-C stops everything.\n\n")
}

// totpCode prints the current TOTP code of a demo user (the seed's secret of the email) or of a
// base32 secret: the authenticator app of the local demo.
func totpCode(args []string) int {
	if len(args) != 1 {
		fmt.Fprint(os.Stderr, "usage: pac-local totp EMAIL|SECRET\n")
		return 2
	}
	secret := args[0]
	if strings.Contains(secret, "@") {
		secret = seed.DemoTOTPSecret(strings.ToLower(secret))
	}
	now := time.Now()
	code, err := totp.Authenticator{}.Code(strings.ToUpper(strings.ReplaceAll(secret, " ", "")), now)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pac-local totp: %v\n", err)
		return 1
	}
	fmt.Printf("%s  (valid for %d s more)\n", code, 30-now.Unix()%30)
	return 0
}

// env runs a command with the emulators: DynamoDB Local in memory and the SES emulator on free
// loopback ports, their endpoints and dummy AWS settings in its environment. It exits with the
// command's status; on Ctrl-C the command gets the signal (it shares the terminal's process
// group) and the emulators are stopped after it ends.
func env(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	// From here on, signals are for the child; we stop once it has ended.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	wd, _ := os.Getwd()
	nm, err := emulators.FindNodeModules(wd)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pac-local env: %v\n", err)
		return 1
	}
	logDir, err := os.MkdirTemp("", "pac-local-env-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pac-local env: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	set, err := emulators.Start(ctx, emulators.Config{NodeModules: nm, LogDir: logDir})
	if err != nil {
		cancel()
		fmt.Fprintf(os.Stderr, "pac-local env: %v\n", err)
		return 1
	}
	cancel()
	keepLogs := false
	defer func() {
		_ = set.Stop()
		if keepLogs {
			fmt.Fprintf(os.Stderr, "pac-local env: emulator logs kept in %s\n", logDir)
		} else {
			_ = os.RemoveAll(logDir)
		}
	}()

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"PAC_TEST_DYNAMODB_ENDPOINT="+set.DynamoDB.Endpoint,
		"PAC_TEST_SES_ENDPOINT="+set.SES.Endpoint,
		"AWS_REGION="+localrun.Region,
		"AWS_DEFAULT_REGION="+localrun.Region,
		"AWS_ACCESS_KEY_ID="+localrun.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+localrun.SecretAccessKey,
	)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "pac-local env: %v\n", err)
		return 127
	}
	waitDone := make(chan error, 1)
	go func() { waitDone <- cmd.Wait() }()
	var waitErr error
	interrupted := false
	dynamoDone, sesDone := set.DynamoDB.Done(), set.SES.Done()
wait:
	for {
		select {
		case waitErr = <-waitDone:
			break wait
		case s := <-sigs:
			// The terminal sent it to the child too; forward it in case we were signalled alone.
			interrupted = true
			_ = cmd.Process.Signal(s)
		case <-dynamoDone:
			fmt.Fprintf(os.Stderr, "pac-local env: DynamoDB Local stopped unexpectedly; see %s\n", set.DynamoDB.LogPath)
			keepLogs, dynamoDone = true, nil
		case <-sesDone:
			fmt.Fprintf(os.Stderr, "pac-local env: the SES emulator stopped unexpectedly; see %s\n", set.SES.LogPath)
			keepLogs, sesDone = true, nil
		}
	}
	var exit *exec.ExitError
	switch {
	case waitErr == nil:
		return 0
	case errors.As(waitErr, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		if interrupted && exit.ExitCode() < 0 {
			return 130
		}
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "pac-local env: %v\n", waitErr)
		return 1
	}
}

// bench is filled in by the benchmark issue; localrun.Start, lambda.StartInstance and
// lambda.Options.Observer are its building blocks.
func bench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	cold := fs.Int("cold", 15, "cold starts per function (median reported)")
	warm := fs.Int("warm", 200, "warm requests per measured route")
	consoleOnly := fs.Bool("console-only", false, "measure only the web console (Lighthouse)")
	lhRuns := fs.Int("lighthouse-runs", 3, "Lighthouse runs per console page and preset (median reported)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	console := &benchpkg.ConsoleOptions{RepoRoot: root, Runs: *lhRuns, Out: os.Stdout}
	if *consoleOnly {
		_, err = benchpkg.RunConsole(ctx, *console)
	} else {
		_, err = benchpkg.Run(ctx, benchpkg.Options{RepoRoot: root, ColdRuns: *cold, WarmRuns: *warm, Out: os.Stdout, Console: console})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// keygen prints fresh keys for the TokenSigningKey, TokenPublicKey and LinkKey parameters.
func keygen() int {
	seed, pub, err := auth.EncodeKeyPair()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	link, err := auth.NewLinkKey()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("TokenSigningKey=%s\nTokenPublicKey=%s\nLinkKey=%s\n", seed, pub, link)
	return 0
}

// repoRoot is the directory of go.mod above the working directory.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return emulators.RepoRoot(wd)
}
