package localrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/lambda"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type observed struct {
	mu    sync.Mutex
	lines []lambda.LogLine
}

func (o *observed) add(l lambda.LogLine) { o.mu.Lock(); o.lines = append(o.lines, l); o.mu.Unlock() }

func (o *observed) has(pred func(lambda.LogLine) bool) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, l := range o.lines {
		if pred(l) {
			return true
		}
	}
	return false
}

func start(t *testing.T, dataDir, table string, obs *observed) *localrun.Runtime {
	t.Helper()
	echo := testenv.BuildEcho(t)
	opts := localrun.Options{
		RepoRoot: testenv.RepoRoot(t), TemplatePath: "testdata/template.yaml", DataDir: dataDir,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t), TableName: table,
		Bootstraps: map[string]string{"EchoFunction": echo, "OperatorEchoFunction": echo},
	}
	if obs != nil {
		opts.Observer = obs.add
	}
	// A bound, not a wait: Start returns as soon as it is ready. The demo seed writes 162 customers
	// with their users and service requests, which on a loaded machine takes well over a minute.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return startWith(ctx, t, opts)
}

// startFunctions starts the real functions named, built with their Makefile targets, over a
// new table of template.yaml without the demo seed (data in dataDir).
func startFunctions(ctx context.Context, t *testing.T, dataDir, tablePrefix string, functions ...string) *localrun.Runtime {
	t.Helper()
	return startWith(ctx, t, localrun.Options{
		RepoRoot: testenv.RepoRoot(t), DataDir: dataDir, NoSeed: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t), TableName: testenv.UniqueName(tablePrefix),
		Functions: functions,
	})
}

// startWith starts the runtime with opts, its log kept, and closes it when the test ends, with
// the log if the test failed.
func startWith(ctx context.Context, t *testing.T, opts localrun.Options) *localrun.Runtime {
	t.Helper()
	log := &lockedBuffer{}
	opts.Log = log
	rt, err := localrun.Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		_ = rt.Close()
		if t.Failed() {
			t.Logf("runtime log:\n%s", log.String())
		}
	})
	return rt
}

func call(t *testing.T, method, url, auth, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type echoBody struct {
	PID   int                            `json:"pid"`
	Env   map[string]string              `json:"env"`
	Event events.APIGatewayV2HTTPRequest `json:"event"`
}

func TestRunServesTheTemplateOverHTTP(t *testing.T) {
	dataDir := t.TempDir()
	table := testenv.UniqueName("run-")
	obs := &observed{}
	rt := start(t, dataDir, table, obs)
	t.Cleanup(func() {
		_, _ = rt.DynamoDB.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
	if !strings.HasPrefix(rt.APIURL, "http://127.0.0.1:") || rt.TableName != table {
		t.Fatalf("APIURL %q table %q", rt.APIURL, rt.TableName)
	}
	if s := rt.Functions.Stats("EchoFunction"); s.Instances != 0 {
		t.Errorf("functions must start lazily: %+v", s)
	}

	// The table, with TTL.
	ctx := context.Background()
	ttl, err := rt.DynamoDB.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "expiresAt" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL %+v", ttl.TimeToLiveDescription)
	}

	// A route, through gateway, Runtime API and a real process.
	resp, body := call(t, "GET", rt.APIURL+"/echo/42?x=1", "", "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Echo") != "1" || resp.Header.Get("Set-Cookie") != "echo=1; Path=/" {
		t.Fatalf("GET /echo/42: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	var eb echoBody
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Fatal(err)
	}
	var sec struct {
		TokenPublicKey string `json:"tokenPublicKey"`
		OperatorToken  string `json:"operatorToken"`
	}
	secBytes, err := os.ReadFile(filepath.Join(dataDir, "secrets.json"))
	if err != nil || json.Unmarshal(secBytes, &sec) != nil || sec.OperatorToken != rt.OperatorToken {
		t.Fatalf("secrets.json: %v %s", err, secBytes)
	}
	want := map[string]string{
		"TABLE_NAME":                table,
		"STAGE":                     "local",
		"ECHO_VAR":                  rt.APIURL + "|" + sec.TokenPublicKey + "|" + localrun.DefaultSenderAddress,
		"AWS_ENDPOINT_URL_DYNAMODB": rt.DynamoDBEndpoint,
		"AWS_ENDPOINT_URL_SESV2":    rt.SESEndpoint,
		"AWS_LAMBDA_FUNCTION_NAME":  "EchoFunction",
		"AWS_LAMBDA_LOG_FORMAT":     "JSON",
		"AWS_ACCESS_KEY_ID":         localrun.AccessKeyID,
	}
	for k, v := range want {
		if eb.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, eb.Env[k], v)
		}
	}
	if eb.Event.RouteKey != "GET /echo/{id}" || eb.Event.PathParameters["id"] != "42" || eb.Event.QueryStringParameters["x"] != "1" {
		t.Errorf("event %+v", eb.Event)
	}
	if !obs.has(func(l lambda.LogLine) bool {
		return l.Function == "EchoFunction" && l.Stream == lambda.Platform && strings.Contains(l.Text, `"platform.report"`)
	}) {
		t.Error("the observer got no platform.report line")
	}

	// The operator route: the token stands in for SigV4.
	if resp, body := call(t, "POST", rt.APIURL+"/operator/echo", "", `{}`); resp.StatusCode != 403 || string(body) != `{"message":"Forbidden"}` {
		t.Errorf("operator route without token: %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, "POST", rt.APIURL+"/operator/echo", "Bearer "+rt.OperatorToken, `{}`)
	if err := json.Unmarshal(body, &eb); err != nil || resp.StatusCode != 200 {
		t.Fatalf("operator route: %d %s", resp.StatusCode, body)
	}
	if a := eb.Event.RequestContext.Authorizer; a == nil || a.IAM == nil || a.IAM.UserARN != "arn:aws:iam::000000000000:user/local-operator" {
		t.Errorf("authorizer %+v", a)
	}
	// Its function times out after 1 s: API Gateway answers 500. (It would sleep 20 s: far past
	// the timeout however loaded the machine, and the timeout kills it, so the test does not wait.)
	if resp, body := call(t, "POST", rt.APIURL+"/operator/echo", "Bearer "+rt.OperatorToken, `{"sleepMs":20000}`); resp.StatusCode != 500 ||
		string(body) != `{"message":"Internal Server Error"}` {
		t.Errorf("function timeout: %d %s", resp.StatusCode, body)
	}

	// The bench's building blocks: a fresh instance with the runtime's configuration, fed the
	// event the gateway would send, timed from process start to first response.
	req, _ := http.NewRequest("GET", rt.APIURL+"/echo/7", nil)
	fn, payload, err := rt.Gateway.Event(req)
	if err != nil || fn != "EchoFunction" {
		t.Fatalf("Gateway.Event: %q %v", fn, err)
	}
	inst, err := rt.StartInstance(fn, obs.add)
	if err != nil {
		t.Fatal(err)
	}
	res, err := inst.Invoke(ctx, payload)
	_ = inst.Close()
	if err != nil || res.Err != nil || !res.ColdStart || res.SinceStart <= 0 || !strings.Contains(string(res.Payload), `"statusCode":200`) {
		t.Errorf("cold start through StartInstance: %v %+v", err, res)
	}

	// The credentials file.
	info, err := os.Stat(rt.CredentialsFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", err, info)
	}
	var creds localrun.DemoCredentials
	b, _ := os.ReadFile(rt.CredentialsFile)
	if err := json.Unmarshal(b, &creds); err != nil || creds.OperatorToken != rt.OperatorToken || creds.APIURL != rt.APIURL ||
		len(creds.Partners) == 0 || len(creds.Partners[0].Users) == 0 {
		t.Errorf("demo-credentials.json: %v %s", err, b)
	}

	// Close stops every process.
	var pids []int
	for _, fn := range rt.Functions.Functions() {
		for _, i := range rt.Functions.Instances(fn) {
			pids = append(pids, i.PID())
		}
	}
	if len(pids) == 0 {
		t.Fatal("no instances running")
	}
	_ = rt.Close()
	for _, pid := range pids {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("process %d survived Close", pid)
		}
	}

	// A second run on the same data keeps the keys, the token and the table.
	rt2 := start(t, dataDir, table, nil)
	if rt2.OperatorToken != rt.OperatorToken {
		t.Error("the operator token changed between runs")
	}
	resp, body = call(t, "GET", rt2.APIURL+"/echo/1", "", "")
	if err := json.Unmarshal(body, &eb); err != nil || resp.StatusCode != 200 || !strings.Contains(eb.Env["ECHO_VAR"], sec.TokenPublicKey) {
		t.Errorf("second run: %d %s", resp.StatusCode, body)
	}
}

func TestStartReportsProblems(t *testing.T) {
	ctx := context.Background()
	_, err := localrun.Start(ctx, localrun.Options{RepoRoot: testenv.RepoRoot(t), TemplatePath: "testdata/template.yaml",
		DataDir: t.TempDir(), DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		Functions: []string{"NoSuchFunction"}, Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "NoSuchFunction") {
		t.Errorf("unknown function: %v", err)
	}
	_, err = localrun.Start(ctx, localrun.Options{RepoRoot: testenv.RepoRoot(t), TemplatePath: "testdata/template.yaml",
		DataDir: t.TempDir(), DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		Parameters: map[string]string{"Stage": "prod"}, Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "Stage") {
		t.Errorf("bad parameter: %v", err)
	}
}

// TestBuildUsesTheMakefileTarget builds one real function the way `run` does.
func TestBuildUsesTheMakefileTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a function")
	}
	root := testenv.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "functions", "get-me")); err != nil {
		t.Fatalf("functions/get-me is required: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, err := localrun.Build(ctx, root, "GetMeFunction", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(p); err != nil || info.Mode()&0o111 == 0 {
		t.Errorf("bootstrap %s: %v", p, err)
	}
}
