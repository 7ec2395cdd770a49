// Package testenv gives tests the local AWS stand-ins. Under `make test` (which runs
// `pac-local env -- go test ./...`) the endpoints of the DynamoDB Local and SES emulators that
// pac-local started come from PAC_TEST_DYNAMODB_ENDPOINT and PAC_TEST_SES_ENDPOINT; a test binary
// run without them (plain `go test`) starts its own emulators once, on first use, provided
// `make deps` has installed them, and stops them in Main.
//
// Use it from a package's TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// and in tests:
//
//	db := testenv.DynamoDB(t)          // client for the emulator
//	table := testenv.NewTable(t, db)   // a fresh table from template.yaml, deleted afterwards
//	table = testenv.NewStreamTable(t, db) // the same with its stream, for tests that read it
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partner-admin-center/pac/local/emulators"
	"github.com/partner-admin-center/pac/local/template"
)

// The variables `pac-local env` sets for the command it runs.
const (
	EnvDynamoDB = "PAC_TEST_DYNAMODB_ENDPOINT"
	EnvSES      = "PAC_TEST_SES_ENDPOINT"
)

// Region and the dummy credentials of the local environment (DynamoDB Local 2+ wants an
// alphanumeric access key).
const (
	Region          = "us-east-1"
	AccessKeyID     = "local"
	SecretAccessKey = "local"
)

var (
	mu       sync.Mutex
	started  *emulators.Set
	startErr error
	tmpDirs  []string
)

// Main runs the tests and then stops any emulators and removes any files testenv created.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup stops the emulators started by this process and removes testenv's temporary files.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	_ = started.Stop()
	started = nil
	for _, d := range tmpDirs {
		_ = os.RemoveAll(d)
	}
	tmpDirs = nil
}

// RepoRoot is the repository root (the directory holding go.mod).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	root, err := emulators.RepoRoot(wd)
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

func ensureStarted(tb testing.TB) *emulators.Set {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if started != nil || startErr != nil {
		if startErr != nil {
			tb.Fatal(startErr)
		}
		return started
	}
	nm, err := emulators.FindNodeModules(RepoRoot(tb))
	if err != nil {
		startErr = fmt.Errorf("%s is not set and the emulators cannot be started here: %v\n"+
			"Run the tests through `make test` (it installs the emulators and exports %s and %s)", EnvDynamoDB, err, EnvDynamoDB, EnvSES)
		tb.Fatal(startErr)
	}
	logDir, err := os.MkdirTemp("", "pac-testenv-")
	if err != nil {
		tb.Fatal(err)
	}
	tmpDirs = append(tmpDirs, logDir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*emulators.StartTimeout)
	defer cancel()
	set, err := emulators.Start(ctx, emulators.Config{NodeModules: nm, LogDir: logDir})
	if err != nil {
		startErr = fmt.Errorf("%s is not set and starting the emulators failed: %v\nRun the tests through `make test`", EnvDynamoDB, err)
		tb.Fatal(startErr)
	}
	started = set
	return set
}

// DynamoDBEndpoint is the DynamoDB Local endpoint: $PAC_TEST_DYNAMODB_ENDPOINT, else one this
// test binary starts.
func DynamoDBEndpoint(tb testing.TB) string {
	tb.Helper()
	if e := os.Getenv(EnvDynamoDB); e != "" {
		return e
	}
	return ensureStarted(tb).DynamoDB.Endpoint
}

// SESEndpoint is the SES emulator endpoint: $PAC_TEST_SES_ENDPOINT, else one this test binary
// starts.
func SESEndpoint(tb testing.TB) string {
	tb.Helper()
	if e := os.Getenv(EnvSES); e != "" {
		return e
	}
	return ensureStarted(tb).SES.Endpoint
}

// AWSConfig is an SDK configuration for the emulators: region and static dummy credentials,
// nothing read from the environment or ~/.aws.
func AWSConfig() aws.Config {
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	}
}

// DynamoDB returns a client for DynamoDB Local, with EmulatorRetryer.
func DynamoDB(tb testing.TB) *dynamodb.Client {
	tb.Helper()
	endpoint := DynamoDBEndpoint(tb)
	return dynamodb.NewFromConfig(AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.Retryer = EmulatorRetryer()
	})
}

// EmulatorRetryer is the retryer of the test clients of DynamoDB Local. The emulator serializes
// writes on a lock and answers a request that waited too long for it with a 500 ("This action
// timed out because it too long waiting for a lock. This request will succeed in actual DynamoDB
// API"). The SDK's default retryer tries 3 times and, under a burst, stops retrying on its
// client-side retry quota ("retry quota exceeded"): on a loaded machine tests that race many
// requests on one item (shared/api TestLinkRaces: 200 accepts at once) got 500s that real
// DynamoDB would not give. Against the emulator: 10 attempts, no client-side quota. Answers
// that are not retryable (conditional check failures, transaction cancellations) are
// unchanged, so the tests' assertions on them are too.
func EmulatorRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 10
		o.MaxBackoff = 2 * time.Second
		o.RateLimiter = ratelimit.None
	})
}

// SES returns an SES v2 client for the SES emulator.
func SES(tb testing.TB) *sesv2.Client {
	tb.Helper()
	endpoint := SESEndpoint(tb)
	return sesv2.NewFromConfig(AWSConfig(), func(o *sesv2.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// UniqueName returns prefix followed by a random suffix, usable as a table name.
func UniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// NewTable creates a table shaped like template.yaml's table (keys, GSIs, TTL) under a unique
// name, without its stream, deletes it when the test ends, and returns its name.
//
// Without the stream because DynamoDB Local runs every request on one SQLite thread and, on a
// table with a stream, spends most of it in its stream bookkeeping (profiled: getStreamDescription
// on every request), more as the stream grows. With streams on every test table, shared/api took
// 376 s instead of 106 s, and a 1,271-customer seeding late in `make test` 90 s instead of 7.
// Tests that read the stream use NewStreamTable.
func NewTable(tb testing.TB, db *dynamodb.Client) string {
	tb.Helper()
	return newTable(tb, db, false)
}

// NewStreamTable is NewTable with the template's stream, for the tests that read it.
func NewStreamTable(tb testing.TB, db *dynamodb.Client) string {
	tb.Helper()
	return newTable(tb, db, true)
}

func newTable(tb testing.TB, db *dynamodb.Client, stream bool) string {
	tb.Helper()
	name := UniqueName("test-")
	tpl, err := template.Load(filepath.Join(RepoRoot(tb), "template.yaml"), template.Options{TableName: name, AllowMissing: true})
	if err != nil {
		tb.Fatalf("template.yaml: %v", err)
	}
	if len(tpl.Tables) != 1 {
		tb.Fatalf("template.yaml has %d tables, want 1", len(tpl.Tables))
	}
	table := tpl.Tables[0]
	if !stream {
		table = table.WithoutStream()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := table.Ensure(ctx, db); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

var (
	echoOnce sync.Once
	echoPath string
	echoErr  error
)

// BuildEcho builds the local runtime's test function (local/lambda/testdata/echo: a real
// aws-lambda-go function) like the Makefile builds functions, once per test binary, and returns
// the path of its bootstrap.
func BuildEcho(tb testing.TB) string {
	tb.Helper()
	echoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pac-echo-")
		if err != nil {
			echoErr = err
			return
		}
		mu.Lock()
		tmpDirs = append(tmpDirs, dir)
		mu.Unlock()
		echoPath = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", echoPath, "./local/lambda/testdata/echo")
		cmd.Dir = RepoRoot(tb)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			echoErr = fmt.Errorf("build echo: %v\n%s", err, strings.TrimSpace(string(out)))
		}
	})
	if echoErr != nil {
		tb.Fatal(echoErr)
	}
	return echoPath
}
