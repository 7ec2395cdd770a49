// Package localrun composes the whole product on one machine, the way `make run` shows it:
// DynamoDB Local and the SES emulator (or external endpoints), the table from template.yaml
// with its TTL, the demo seed, every function built with its Makefile target and run as Lambda
// Runtime API processes (started lazily, on the first request), and the HTTP API gateway on a
// loopback port, with the web console's build on the same origin (Options.ConsoleDir). Start
// returns a Runtime that end-to-end tests and benchmarks drive over real HTTP; Close stops every
// process it started.
package localrun

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/partner-admin-center/pac/local/console"
	"github.com/partner-admin-center/pac/local/emulators"
	"github.com/partner-admin-center/pac/local/gateway"
	"github.com/partner-admin-center/pac/local/lambda"
	"github.com/partner-admin-center/pac/local/schedule"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/streams"
	"github.com/partner-admin-center/pac/local/template"
	"github.com/partner-admin-center/pac/shared/auth"
)

// Local AWS settings: region, account and the dummy credentials every local process uses
// (DynamoDB Local 2+ wants an alphanumeric access key).
const (
	Region          = "us-east-1"
	AccountID       = "000000000000"
	AccessKeyID     = "local"
	SecretAccessKey = "local"
	// DefaultTableName is the local name of the template's table.
	DefaultTableName = "pac-local"
	// DefaultSenderAddress is the local SenderAddress parameter (the SES emulator accepts any).
	DefaultSenderAddress = "no-reply@partner-admin-center.example"
)

// Options configure Start. The zero value runs the product from the repository containing the
// working directory, with its data in .local, on a free port.
type Options struct {
	// RepoRoot is the repository (default: the go.mod directory above the working directory).
	RepoRoot string
	// TemplatePath (default RepoRoot/template.yaml).
	TemplatePath string
	// DataDir holds keys, credentials, logs, builds and DynamoDB Local's files
	// (default RepoRoot/.local). `make reset` deletes it.
	DataDir string
	// Port of the gateway on 127.0.0.1; 0 picks a free port.
	Port int
	// DynamoDBEndpoint and SESEndpoint use running emulators (e.g. those of `pac-local env`)
	// instead of starting them.
	DynamoDBEndpoint string
	SESEndpoint      string
	// InMemory keeps a started DynamoDB Local's data in memory instead of DataDir/dynamodb.
	InMemory bool
	// TableName is the local table name (default DefaultTableName).
	TableName string
	// Parameters override template parameters (after the local defaults: Stage=local,
	// PublicBaseUrl, the generated token keys, SenderAddress).
	Parameters map[string]string
	// Functions restricts the functions run to these logical IDs (default: all).
	Functions []string
	// Bootstraps gives prebuilt executables by logical ID; the others are built with
	// `make build-<LogicalId>`.
	Bootstraps map[string]string
	// BuildDir receives the builds, one directory per function (default DataDir/build).
	BuildDir string
	// BuildParallelism bounds concurrent builds (default 2).
	BuildParallelism int
	// NoSeed skips the demo seed.
	NoSeed bool
	// OperatorToken overrides the operator token kept in DataDir.
	OperatorToken string
	// MaxInstances caps each function's instances (default lambda.DefaultMaxInstances).
	MaxInstances int
	// Log receives the runtime's output: function logs, gateway access log, progress
	// (default os.Stderr; io.Discard to silence).
	Log io.Writer
	// Observer receives every function log line (see lambda.Options.Observer).
	Observer func(lambda.LogLine)
	// ScheduleSpeedup divides the intervals of the template's schedules (60: rate(1 minute)
	// fires every second). 0 reads PAC_LOCAL_SCHEDULE_SPEEDUP, else 1.
	ScheduleSpeedup float64
	// NoEventSources starts neither the stream poller nor the scheduler.
	NoEventSources bool
	// StreamsFromNow starts the stream pollers at the streams' ends (LATEST) instead of the
	// template's StartingPosition, so the demo seed's records are not played: no notifications
	// and emails about the demo's own subscriptions. Tests that do not need them spare the
	// emulator that burst of work (hundreds of writes in the first minute).
	StreamsFromNow bool
	// ConsoleDir, if set, is the web console's build (console/dist; relative to RepoRoot) to
	// serve on the API's origin under /console/ as the template's CloudFront distribution does,
	// with its security headers (local/console). The API's routes keep priority. A directory
	// without index.html answers 503 until it is built.
	ConsoleDir string
}

// DemoCredentials is what `run` prints and writes to DataDir/demo-credentials.json.
type DemoCredentials struct {
	APIURL        string `json:"apiUrl"`
	ConsoleURL    string `json:"consoleUrl,omitempty"`
	InboxURL      string `json:"inboxUrl"`
	OperatorToken string `json:"operatorToken"`
	seed.Credentials
	// Links are demo links to try the customer journey in a browser.
	Links []seed.DemoLink `json:"links,omitempty"`
	// Customers are the demo partners' customers (every relationship state).
	Customers []seed.DemoCustomer `json:"customers,omitempty"`
	// ProductKeys are the demo partners' product keys, with their state at this start.
	ProductKeys []seed.DemoProductKey `json:"productKeys,omitempty"`
}

// Runtime is the running product.
type Runtime struct {
	// APIURL is the gateway's base URL, http://127.0.0.1:<port>.
	APIURL string
	// ConsoleURL is the console's URL on the same origin, APIURL+"/console/" (empty without
	// Options.ConsoleDir); Console serves it.
	ConsoleURL string
	Console    *console.Handler
	// InboxURL is the SES emulator's web inbox (its JSON store is InboxURL+"/store").
	InboxURL         string
	DynamoDBEndpoint string
	SESEndpoint      string
	TableName        string
	// OperatorToken unlocks the operator (AWS_IAM) routes: Authorization: Bearer <token>.
	OperatorToken string
	// Credentials are the demo credentials (also in CredentialsFile).
	Credentials     DemoCredentials
	CredentialsFile string
	// DataDir is the data directory in use (emulator logs in DataDir/logs).
	DataDir string
	// Template is template.yaml resolved for this run.
	Template *template.Template
	// Functions runs the function instances: InvokeResult for timings, Instances, Reset to
	// force cold starts, Config for a function's bootstrap and environment (StartInstance).
	Functions *lambda.Manager
	// Streams delivers the table stream to the stream functions (nil when none are mapped).
	Streams *streams.Poller
	// Scheduler invokes the Schedule functions (nil when there are none).
	Scheduler *schedule.Scheduler
	// Gateway is the HTTP API handler served at APIURL.
	Gateway *gateway.Gateway
	// DynamoDB is a client for the table's DynamoDB.
	DynamoDB *dynamodb.Client
	// Bootstraps maps logical IDs to the built executables.
	Bootstraps map[string]string
	// FunctionEnv is the environment shared by every function on top of its template
	// environment (credentials, emulator endpoints).
	FunctionEnv map[string]string

	log       io.Writer
	server    *http.Server
	emulators *emulators.Set
	done      chan struct{}
	closeOnce sync.Once
	failure   error
	mu        sync.Mutex
}

// Done is closed when the runtime stops on its own (an emulator died); Err then says why.
func (r *Runtime) Done() <-chan struct{} { return r.done }

// Err is the reason the runtime stopped on its own, if it did.
func (r *Runtime) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failure
}

// Close stops the gateway, every function instance and the emulators it started.
func (r *Runtime) Close() error {
	r.closeOnce.Do(func() {
		if r.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = r.server.Shutdown(ctx)
			cancel()
		}
		// Event sources first: they invoke functions.
		if r.Streams != nil {
			_ = r.Streams.Close()
		}
		if r.Scheduler != nil {
			_ = r.Scheduler.Close()
		}
		if r.Functions != nil {
			_ = r.Functions.Close()
		}
		_ = r.emulators.Stop()
	})
	return nil
}

func (r *Runtime) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "[pac-local] "+format+"\n", args...)
}

// Start brings the product up. On error, whatever was started is stopped again.
func Start(ctx context.Context, opts Options) (_ *Runtime, err error) {
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	rt := &Runtime{log: opts.Log, done: make(chan struct{}), Bootstraps: map[string]string{}}
	defer func() {
		if err != nil {
			_ = rt.Close()
		}
	}()
	if opts.RepoRoot == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if opts.RepoRoot, err = emulators.RepoRoot(wd); err != nil {
			return nil, err
		}
	}
	if opts.RepoRoot, err = filepath.Abs(opts.RepoRoot); err != nil {
		return nil, err
	}
	if opts.TemplatePath == "" {
		opts.TemplatePath = filepath.Join(opts.RepoRoot, "template.yaml")
	}
	if opts.DataDir == "" {
		opts.DataDir = filepath.Join(opts.RepoRoot, ".local")
	}
	if opts.DataDir, err = filepath.Abs(opts.DataDir); err != nil {
		return nil, err
	}
	if opts.TableName == "" {
		opts.TableName = DefaultTableName
	}
	if opts.BuildDir == "" {
		opts.BuildDir = filepath.Join(opts.DataDir, "build")
	}
	if opts.BuildParallelism <= 0 {
		opts.BuildParallelism = 2
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	rt.DataDir = opts.DataDir
	if opts.DynamoDBEndpoint == "" || opts.SESEndpoint == "" {
		// Fail before building anything when the emulators are not installed.
		if _, err := emulators.FindNodeModules(opts.RepoRoot); err != nil {
			return nil, err
		}
	}

	// The listener first: the port is part of the configuration (PublicBaseUrl).
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on 127.0.0.1:%d (in use? choose another with -port): %w", opts.Port, err)
	}
	listenerOwned := true
	defer func() {
		if listenerOwned {
			ln.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	rt.APIURL = fmt.Sprintf("http://127.0.0.1:%d", port)

	sec, err := loadSecrets(filepath.Join(opts.DataDir, "secrets.json"))
	if err != nil {
		return nil, err
	}
	rt.OperatorToken = sec.OperatorToken
	if opts.OperatorToken != "" {
		rt.OperatorToken = opts.OperatorToken
	}

	tpl, err := loadTemplate(opts, sec, rt.APIURL)
	if err != nil {
		return nil, err
	}
	rt.Template = tpl
	rt.TableName = opts.TableName
	if opts.ConsoleDir != "" {
		dir := opts.ConsoleDir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(opts.RepoRoot, dir)
		}
		headers, err := console.HeadersFromTemplate(tpl)
		if err != nil {
			return nil, fmt.Errorf("serving the console: %s: %w", opts.TemplatePath, err)
		}
		rt.Console = console.New(dir, headers, opts.Log)
		rt.ConsoleURL = rt.APIURL + console.Prefix
	}
	functions, err := selectFunctions(tpl, opts.Functions)
	if err != nil {
		return nil, err
	}

	// Emulators and builds run concurrently: both take seconds.
	type buildResult struct {
		paths map[string]string
		err   error
	}
	buildDone := make(chan buildResult, 1)
	go func() {
		paths, err := buildFunctions(ctx, opts, functions, rt.log)
		buildDone <- buildResult{paths, err}
	}()
	emuErr := rt.startEmulators(ctx, opts)
	build := <-buildDone
	if err := errors.Join(emuErr, build.err); err != nil {
		return nil, err
	}
	rt.Bootstraps = build.paths

	// The table and the seed.
	rt.DynamoDB = dynamodb.NewFromConfig(AWSConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(rt.DynamoDBEndpoint) })
	if len(tpl.Tables) == 0 {
		return nil, fmt.Errorf("%s declares no AWS::DynamoDB::Table", opts.TemplatePath)
	}
	for _, tb := range tpl.Tables {
		created, err := tb.Ensure(ctx, rt.DynamoDB)
		if err != nil {
			return nil, err
		}
		if created {
			rt.logf("created table %s", tb.Name)
		}
	}
	rt.Credentials = DemoCredentials{APIURL: rt.APIURL, ConsoleURL: rt.ConsoleURL, InboxURL: rt.InboxURL, OperatorToken: rt.OperatorToken}
	if !opts.NoSeed {
		creds, err := seed.Run(ctx, rt.DynamoDB, rt.TableName, sec.LinkKey)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		rt.Credentials.Credentials = creds
		if rt.Credentials.Links, err = seed.Links(ctx, rt.DynamoDB, rt.TableName, sec.LinkKey, rt.APIURL, creds); err != nil {
			return nil, fmt.Errorf("seed links: %w", err)
		}
		if rt.Credentials.Customers, err = seed.Customers(ctx, rt.DynamoDB, rt.TableName, sec.LinkKey, creds); err != nil {
			return nil, fmt.Errorf("seed customers: %w", err)
		}
		if err := seed.Service(ctx, rt.DynamoDB, rt.TableName, sec.LinkKey, creds); err != nil {
			return nil, fmt.Errorf("seed service: %w", err)
		}
		if rt.Credentials.ProductKeys, err = seed.ProductKeys(ctx, rt.DynamoDB, rt.TableName, sec.LinkKey, creds); err != nil {
			return nil, fmt.Errorf("seed product keys: %w", err)
		}
	}
	rt.CredentialsFile = filepath.Join(opts.DataDir, "demo-credentials.json")
	if err := writeJSON(rt.CredentialsFile, rt.Credentials); err != nil {
		return nil, err
	}

	// Functions and the gateway.
	rt.FunctionEnv = map[string]string{
		"AWS_ACCESS_KEY_ID":         AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":     SecretAccessKey,
		"AWS_ENDPOINT_URL_DYNAMODB": rt.DynamoDBEndpoint,
		"AWS_ENDPOINT_URL_SESV2":    rt.SESEndpoint,
	}
	rt.Functions = lambda.NewManager(lambda.Options{Region: Region, AccountID: AccountID, Env: rt.FunctionEnv,
		Log: opts.Log, Observer: opts.Observer})
	for _, f := range functions {
		cfg := lambda.FunctionConfig{
			Name: f.LogicalID, Bootstrap: rt.Bootstraps[f.LogicalID], Handler: f.Handler, Env: f.Environment,
			Timeout: f.Timeout, MemorySize: f.MemorySize, MaxInstances: opts.MaxInstances,
			LogFormat: f.LogFormat, ApplicationLogLevel: f.ApplicationLogLevel, SystemLogLevel: f.SystemLogLevel,
			LogGroup: f.LogGroup,
		}
		if f.ReservedConcurrency > 0 && (cfg.MaxInstances == 0 || f.ReservedConcurrency < cfg.MaxInstances) {
			cfg.MaxInstances = f.ReservedConcurrency
		}
		if err := rt.Functions.Add(cfg); err != nil {
			return nil, err
		}
	}
	routes, cors, err := gateway.FromTemplate(tpl)
	if err != nil {
		return nil, err
	}
	if opts.Functions != nil {
		routes = keepRoutes(routes, functions)
	}
	rt.Gateway, err = gateway.New(gateway.Config{Routes: routes, CORS: cors, Invoker: rt.Functions,
		OperatorToken: rt.OperatorToken, AccountID: AccountID, Log: opts.Log})
	if err != nil {
		return nil, err
	}
	if !opts.NoEventSources {
		if err := rt.startEventSources(ctx, opts, tpl, functions); err != nil {
			return nil, err
		}
	}
	var site http.Handler = rt.Gateway
	if rt.Console != nil {
		site = console.Site(rt.Console, rt.Gateway, rt.Gateway.HasRoute)
	}
	rt.server = &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	listenerOwned = false
	go func() {
		if err := rt.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			rt.fail(fmt.Errorf("gateway: %w", err))
		}
	}()
	return rt, nil
}

// StartInstance starts a fresh instance of a function with exactly the configuration and
// environment the runtime gives it (for benchmarks: cold start timings, warm invocations, log
// observation). The caller invokes it with Instance.Invoke and ends it with Close.
func (r *Runtime) StartInstance(logicalID string, observer func(lambda.LogLine)) (*lambda.Instance, error) {
	cfg, ok := r.Functions.Config(logicalID)
	if !ok {
		return nil, fmt.Errorf("no function %s", logicalID)
	}
	return lambda.StartInstance(cfg, lambda.Options{Region: Region, AccountID: AccountID, Env: r.FunctionEnv, Observer: observer})
}

// AWSConfig is an SDK configuration for the local emulators (region and dummy credentials).
func AWSConfig() aws.Config {
	return aws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")}
}

func (r *Runtime) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failure != nil {
		return
	}
	r.failure = err
	close(r.done)
}

func (r *Runtime) startEmulators(ctx context.Context, opts Options) error {
	r.DynamoDBEndpoint, r.SESEndpoint = opts.DynamoDBEndpoint, opts.SESEndpoint
	if r.DynamoDBEndpoint != "" && r.SESEndpoint != "" {
		r.InboxURL = r.SESEndpoint
		return nil
	}
	nm, err := emulators.FindNodeModules(opts.RepoRoot)
	if err != nil {
		return err
	}
	logDir := filepath.Join(opts.DataDir, "logs")
	set := &emulators.Set{}
	if r.DynamoDBEndpoint == "" {
		cfg := emulators.DynamoDBConfig{NodeModules: nm, LogDir: logDir}
		if !opts.InMemory {
			cfg.DBPath = filepath.Join(opts.DataDir, "dynamodb")
		}
		if set.DynamoDB, err = emulators.StartDynamoDB(ctx, cfg); err != nil {
			return err
		}
		r.DynamoDBEndpoint = set.DynamoDB.Endpoint
	}
	r.emulators = set
	if r.SESEndpoint == "" {
		if set.SES, err = emulators.StartSES(ctx, emulators.SESConfig{NodeModules: nm, LogDir: logDir}); err != nil {
			return err
		}
		r.SESEndpoint = set.SES.Endpoint
	}
	r.InboxURL = r.SESEndpoint
	for _, p := range []*emulators.Process{set.DynamoDB, set.SES} {
		if p == nil {
			continue
		}
		go func(p *emulators.Process) {
			<-p.Done()
			select {
			case <-r.done:
			default:
				r.fail(fmt.Errorf("%s stopped unexpectedly; see %s", p.Name, p.LogPath))
			}
		}(p)
	}
	return nil
}

// startEventSources starts the DynamoDB stream poller for the functions' DynamoDB events (on
// the template's tables; on-failure records go to DataDir/dead-letters/<LogicalId>.jsonl) and
// the scheduler for their Schedule events. Both invoke through Runtime.Functions, like the
// gateway. Other event types are listed as not played.
func (r *Runtime) startEventSources(ctx context.Context, opts Options, tpl *template.Template, functions []*template.Function) error {
	var mappings []streams.Mapping
	var targets []schedule.Target
	var other []string
	for _, f := range functions {
		for _, e := range f.StreamEvents {
			tb := tpl.Table(e.Table)
			if tb == nil {
				other = append(other, fmt.Sprintf("%s.%s (DynamoDB stream of a table outside the template)", f.LogicalID, e.Name))
				continue
			}
			if opts.StreamsFromNow {
				e.StartingPosition = "LATEST"
			}
			mappings = append(mappings, streams.Mapping{Function: f.LogicalID, Table: tb.Name, Event: e,
				FunctionARN: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", Region, AccountID, f.FunctionName)})
		}
		for _, e := range f.ScheduleEvents {
			targets = append(targets, schedule.Target{Function: f.LogicalID, Event: e})
		}
		for _, e := range f.OtherEvents {
			other = append(other, f.LogicalID+"."+e)
		}
	}
	if len(other) > 0 {
		r.logf("event sources not played locally: %s", strings.Join(other, ", "))
	}
	if len(mappings) > 0 {
		endpoint := r.DynamoDBEndpoint
		st := dynamodbstreams.NewFromConfig(AWSConfig(), func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) })
		p, err := streams.Start(ctx, streams.Config{DynamoDB: r.DynamoDB, Streams: st, Invoker: r.Functions, Region: Region,
			DeadLetterDir: filepath.Join(opts.DataDir, "dead-letters"), Log: r.log}, mappings...)
		if err != nil {
			return err
		}
		r.Streams = p
	}
	if len(targets) > 0 {
		speedup := opts.ScheduleSpeedup
		if speedup == 0 {
			if v := os.Getenv(schedule.EnvSpeedup); v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 1 {
					return fmt.Errorf("%s=%q: want a number ≥ 1", schedule.EnvSpeedup, v)
				}
				speedup = f
			}
		}
		sc, err := schedule.Start(schedule.Config{Invoker: r.Functions, Region: Region, AccountID: AccountID, Speedup: speedup, Log: r.log}, targets...)
		if err != nil {
			return err
		}
		r.Scheduler = sc
	}
	return nil
}

func selectFunctions(tpl *template.Template, only []string) ([]*template.Function, error) {
	if only == nil {
		return tpl.Functions, nil
	}
	var out []*template.Function
	for _, id := range only {
		f := tpl.Function(id)
		if f == nil {
			return nil, fmt.Errorf("no function %s in the template", id)
		}
		out = append(out, f)
	}
	return out, nil
}

func keepRoutes(routes []gateway.Route, functions []*template.Function) []gateway.Route {
	keep := map[string]bool{}
	for _, f := range functions {
		keep[f.LogicalID] = true
	}
	var out []gateway.Route
	for _, r := range routes {
		if keep[r.Function] {
			out = append(out, r)
		}
	}
	return out
}

// loadTemplate resolves template.yaml for this run: local values for the parameters the
// template declares, then the caller's overrides.
func loadTemplate(opts Options, sec *secrets, apiURL string) (*template.Template, error) {
	probe, err := template.Load(opts.TemplatePath, template.Options{AllowMissing: true})
	if err != nil {
		return nil, err
	}
	local := map[string]string{
		"Stage":           "local",
		"PublicBaseUrl":   apiURL,
		"TokenSigningKey": sec.TokenSigningKey,
		"TokenPublicKey":  sec.TokenPublicKey,
		"LinkKey":         sec.LinkKey,
		"SenderAddress":   DefaultSenderAddress,
		// The local runtime's webhook test receivers listen on http://127.0.0.1 (off in AWS).
		"WebhookAllowLoopback": "true",
	}
	params := map[string]string{}
	for k, v := range local {
		if probe.Parameter(k) != nil {
			params[k] = v
		}
	}
	for k, v := range opts.Parameters {
		params[k] = v
	}
	return template.Load(opts.TemplatePath, template.Options{Parameters: params, TableName: opts.TableName,
		Region: Region, AccountID: AccountID})
}

// secrets are generated on the first run and kept in DataDir.
type secrets struct {
	TokenSigningKey string `json:"tokenSigningKey"` // base64 of the 32-byte Ed25519 seed
	TokenPublicKey  string `json:"tokenPublicKey"`  // base64 of the 32-byte public key
	OperatorToken   string `json:"operatorToken"`
	LinkKey         string `json:"linkKey"` // base64 of 32 random bytes: makes link codes
}

func loadSecrets(path string) (*secrets, error) {
	var s secrets
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w (delete it, or run `make reset`)", path, err)
		}
		seedBytes, err1 := base64.StdEncoding.DecodeString(s.TokenSigningKey)
		pub, err2 := base64.StdEncoding.DecodeString(s.TokenPublicKey)
		if err1 != nil || err2 != nil || len(seedBytes) != ed25519.SeedSize || len(pub) != ed25519.PublicKeySize ||
			!ed25519.NewKeyFromSeed(seedBytes).Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(pub)) || len(s.OperatorToken) < 22 {
			return nil, fmt.Errorf("%s holds invalid keys (delete it, or run `make reset`)", path)
		}
		if s.LinkKey == "" { // kept from before link keys existed: add one
			if s.LinkKey, err = auth.NewLinkKey(); err != nil {
				return nil, err
			}
			return &s, writeJSON(path, s)
		}
		return &s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	token := make([]byte, 32) // 256 bits
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	linkKey, err := auth.NewLinkKey()
	if err != nil {
		return nil, err
	}
	s = secrets{
		LinkKey:         linkKey,
		TokenSigningKey: base64.StdEncoding.EncodeToString(priv.Seed()),
		TokenPublicKey:  base64.StdEncoding.EncodeToString(pub),
		OperatorToken:   "pacop_" + base64.RawURLEncoding.EncodeToString(token),
	}
	return &s, writeJSON(path, s)
}

// writeJSON writes v to path (mode 0600) atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// HostArch is the GOARCH functions are built for locally.
var HostArch = runtime.GOARCH

// buildFunctions builds every function without a prebuilt bootstrap with the same Makefile
// target `sam build` uses, for the host architecture, at most opts.BuildParallelism at a time.
func buildFunctions(ctx context.Context, opts Options, functions []*template.Function, log io.Writer) (map[string]string, error) {
	paths := map[string]string{}
	var todo []*template.Function
	for _, f := range functions {
		if p, ok := opts.Bootstraps[f.LogicalID]; ok {
			paths[f.LogicalID] = p
			continue
		}
		if f.BuildMethod != "makefile" {
			return nil, fmt.Errorf("%s: BuildMethod %q: the local runtime builds functions with `make build-<LogicalId>` (BuildMethod: makefile) or takes a prebuilt bootstrap", f.LogicalID, f.BuildMethod)
		}
		todo = append(todo, f)
	}
	if len(todo) == 0 {
		return paths, nil
	}
	start := time.Now()
	fmt.Fprintf(log, "[pac-local] building %d functions for linux/%s ...\n", len(todo), HostArch)
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, opts.BuildParallelism)
	var wg sync.WaitGroup
	for _, f := range todo {
		wg.Add(1)
		go func(f *template.Function) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			dir := filepath.Join(opts.BuildDir, f.LogicalID)
			p, err := Build(ctx, opts.RepoRoot, f.LogicalID, dir)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			paths[f.LogicalID] = p
		}(f)
	}
	wg.Wait()
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, errors.Join(errs...)
	}
	fmt.Fprintf(log, "[pac-local] built %d functions in %.1fs\n", len(todo), time.Since(start).Seconds())
	return paths, nil
}
