package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/lambda"
	"github.com/partner-admin-center/pac/local/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type echoAnswer struct {
	PID         int               `json:"pid"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineMs  int64             `json:"deadlineMs"`
	Env         map[string]string `json:"env"`
	Payload     json.RawMessage   `json:"payload"`
}

type logSink struct {
	mu    sync.Mutex
	lines []lambda.LogLine
}

func (s *logSink) observe(l lambda.LogLine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, l)
}

// find waits for a line matching pred (function output travels through a pipe and may arrive
// after the invocation returned). The limit is generous for a loaded machine: a line that is
// there is found at once.
func (s *logSink) find(pred func(lambda.LogLine) bool) (lambda.LogLine, bool) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mu.Lock()
		for _, l := range s.lines {
			if pred(l) {
				s.mu.Unlock()
				return l, true
			}
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			return lambda.LogLine{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newManager(t *testing.T, timeout time.Duration, sink *logSink) *lambda.Manager {
	t.Helper()
	var out bytes.Buffer
	opts := lambda.Options{
		Env: map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID": "local"},
		Log: &syncBuffer{b: &out},
	}
	if sink != nil {
		opts.Observer = sink.observe
	}
	m := lambda.NewManager(opts)
	err := m.Add(lambda.FunctionConfig{
		Name: "Echo", Bootstrap: testenv.BuildEcho(t), Timeout: timeout, MemorySize: 256,
		Env: map[string]string{"ECHO_VAR": "from-template", "AWS_LAMBDA_FUNCTION_NAME": "overridden?"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

type syncBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func invoke(t *testing.T, m *lambda.Manager, payload string) (*lambda.Result, echoAnswer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := m.InvokeResult(ctx, "Echo", []byte(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	var a echoAnswer
	if res.Err == nil {
		if err := json.Unmarshal(res.Payload, &a); err != nil {
			t.Fatalf("answer %s: %v", res.Payload, err)
		}
	}
	return res, a
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// burst invokes Echo n times at once and holds every invocation (the echo's waitFile barrier)
// until n instances are busy, so the invocations overlap for certain however slowly a loaded
// machine starts processes; then it releases them and returns their answers. A manager that
// does not scale out never gets n instances busy, and the test fails.
func burst(t *testing.T, m *lambda.Manager, n int) []echoAnswer {
	t.Helper()
	gate := filepath.Join(t.TempDir(), "release")
	payload, _ := json.Marshal(map[string]string{"waitFile": gate})
	answers := make([]echoAnswer, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			res, err := m.InvokeResult(ctx, "Echo", payload)
			if err == nil && res.Err != nil {
				err = res.Err
			}
			if err == nil {
				err = json.Unmarshal(res.Payload, &answers[k])
			}
			if err != nil {
				t.Errorf("invocation %d of the burst: %v", k+1, err)
			}
		})
	}
	release := func() {
		if err := os.WriteFile(gate, nil, 0o600); err != nil {
			t.Error(err)
		}
		wg.Wait()
	}
	deadline := time.Now().Add(60 * time.Second)
	for s := m.Stats("Echo"); s.Instances < n || s.Idle > 0; s = m.Stats("Echo") {
		if time.Now().After(deadline) {
			release()
			t.Fatalf("%d concurrent invocations: never %d busy instances (last stats %+v)", n, n, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	release()
	return answers
}

func TestRoundTripThroughARealProcess(t *testing.T) {
	sink := &logSink{}
	m := newManager(t, 5*time.Second, sink)
	start := time.Now()
	res, a := invoke(t, m, `{"hello":"world","log":"hi from echo"}`)
	end := time.Now()
	if res.Err != nil {
		t.Fatalf("function error: %v", res.Err)
	}
	if !res.ColdStart || res.Init <= 0 || res.SinceStart < res.Init {
		t.Errorf("first invocation: ColdStart=%v Init=%v SinceStart=%v", res.ColdStart, res.Init, res.SinceStart)
	}
	if !strings.Contains(string(a.Payload), `"hello":"world"`) {
		t.Errorf("payload not echoed: %s", a.Payload)
	}
	if a.RequestID != res.RequestID || a.RequestID == "" {
		t.Errorf("request id: function saw %q, result %q", a.RequestID, res.RequestID)
	}
	if a.FunctionARN != "arn:aws:lambda:us-east-1:000000000000:function:Echo" {
		t.Errorf("function ARN %q", a.FunctionARN)
	}
	// The deadline is the 5 s timeout counted from when the runtime took the invocation, some
	// moment between start and end however long the cold start took (milliseconds in the header).
	if dl := time.UnixMilli(a.DeadlineMs); dl.Before(start.Add(5*time.Second).Truncate(time.Millisecond)) || dl.After(end.Add(5*time.Second)) {
		t.Errorf("deadline %v after start (invocation returned %v after start), want 5s after the invocation began", dl.Sub(start), end.Sub(start))
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "Echo",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/Echo",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"_HANDLER":                        "bootstrap",
		"ECHO_VAR":                        "from-template",
		"AWS_ENDPOINT_URL_DYNAMODB":       "http://127.0.0.1:1",
		"LAMBDA_TASK_ROOT":                filepath.Dir(testenv.BuildEcho(t)),
	}
	for k, v := range want {
		if a.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, a.Env[k], v)
		}
	}
	if !strings.HasPrefix(a.Env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", a.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !strings.Contains(a.Env["AWS_LAMBDA_LOG_STREAM_NAME"], "[$LATEST]") {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", a.Env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if _, ok := sink.find(func(l lambda.LogLine) bool {
		return l.Text == "hi from echo" && l.Stream == lambda.Stdout && l.RequestID == res.RequestID && l.Function == "Echo"
	}); !ok {
		t.Errorf("observer did not get the function's line with its request id")
	}
	if _, ok := sink.find(func(l lambda.LogLine) bool {
		return l.Stream == lambda.Platform && strings.HasPrefix(l.Text, "REPORT RequestId: "+res.RequestID) && strings.Contains(l.Text, "Init Duration")
	}); !ok {
		t.Errorf("no REPORT line with Init Duration")
	}

	res2, a2 := invoke(t, m, `{}`)
	if res2.ColdStart || a2.PID != a.PID {
		t.Errorf("second invocation: cold=%v pid %d, want warm on pid %d", res2.ColdStart, a2.PID, a.PID)
	}
}

func TestConcurrentInvocationsScaleOut(t *testing.T) {
	m := newManager(t, time.Minute, nil)
	const n = 5
	seen := map[int]bool{}
	for _, a := range burst(t, m, n) {
		seen[a.PID] = true
	}
	if len(seen) != n {
		t.Errorf("%d concurrent invocations ran on %d processes, want %d", n, len(seen), n)
	}
	if s := m.Stats("Echo"); s.Instances != n || s.ColdStarts != n || s.Idle != n {
		t.Errorf("stats %+v, want %d instances, all idle", s, n)
	}
	// Warm reuse afterwards: no new instance.
	invoke(t, m, `{}`)
	if s := m.Stats("Echo"); s.ColdStarts != n {
		t.Errorf("a sequential invocation after the burst cold-started: %+v", s)
	}
}

func TestTimeoutKillsAndReplacesTheInstance(t *testing.T) {
	m := newManager(t, 500*time.Millisecond, nil)
	_, first := invoke(t, m, `{}`)
	start := time.Now()
	res, _ := invoke(t, m, `{"sleepMs":40000}`)
	if res.Err == nil || !res.Err.Timeout || res.Err.Type != "Sandbox.Timedout" {
		t.Fatalf("want a timeout function error, got %+v", res.Err)
	}
	if !strings.Contains(res.Err.Message, "Task timed out after 0.50 seconds") {
		t.Errorf("message %q", res.Err.Message)
	}
	// The function would sleep 40 s: an answer long before that is the timeout's. Not before
	// the 0.5 s timeout (exact), and within 20 s (loose: a loaded machine may be slow to kill
	// and report, but the function's own 40 s are far off).
	if el := time.Since(start); el < 500*time.Millisecond || res.Duration < 500*time.Millisecond || el > 20*time.Second {
		t.Errorf("timeout took %v (duration %v), want the 0.5 s timeout", el, res.Duration)
	}
	waitGone(t, first.PID)
	res2, second := invoke(t, m, `{}`)
	if res2.Err != nil || !res2.ColdStart || second.PID == first.PID {
		t.Errorf("after a timeout: err=%v cold=%v pid=%d (old %d)", res2.Err, res2.ColdStart, second.PID, first.PID)
	}
}

func TestCrashIsAnErrorAndTheNextRequestGetsANewInstance(t *testing.T) {
	m := newManager(t, 5*time.Second, nil)
	_, first := invoke(t, m, `{}`)
	res, _ := invoke(t, m, `{"crash":true}`)
	if res.Err == nil || res.Err.Type != "Runtime.ExitError" || !strings.Contains(res.Err.Message, "exit status 3") {
		t.Fatalf("want Runtime.ExitError (exit status 3), got %+v", res.Err)
	}
	var doc map[string]string
	if err := json.Unmarshal(res.Payload, &doc); err != nil || doc["errorType"] != "Runtime.ExitError" {
		t.Errorf("error document %s", res.Payload)
	}
	waitGone(t, first.PID)
	res2, second := invoke(t, m, `{}`)
	if res2.Err != nil || !res2.ColdStart || second.PID == first.PID {
		t.Errorf("after a crash: err=%v cold=%v pid=%d (old %d)", res2.Err, res2.ColdStart, second.PID, first.PID)
	}
}

func TestFunctionErrorKeepsTheInstanceAndPanicReplacesIt(t *testing.T) {
	m := newManager(t, 5*time.Second, nil)
	_, first := invoke(t, m, `{}`)
	ctx := context.Background()
	payload, err := m.Invoke(ctx, "Echo", []byte(`{"fail":"boom"}`))
	var fe *lambda.FunctionError
	if !errors.As(err, &fe) || fe.Message != "boom" || fe.Type != "errorString" {
		t.Fatalf("want function error boom/errorString, got %v", err)
	}
	if !strings.Contains(string(payload), `"errorMessage":"boom"`) {
		t.Errorf("error payload %s", payload)
	}
	res, again := invoke(t, m, `{}`)
	if res.ColdStart || again.PID != first.PID {
		t.Errorf("a returned error must not replace the instance: pid %d -> %d", first.PID, again.PID)
	}
	_, err = m.Invoke(ctx, "Echo", []byte(`{"panic":true}`))
	// aws-lambda-go reports a panic with the panic value's type as errorType, then exits.
	if !errors.As(err, &fe) || fe.Message != "echo: asked to panic" {
		t.Fatalf("want the panic reported, got %v", err)
	}
	waitGone(t, first.PID)
	res, after := invoke(t, m, `{}`)
	if res.Err != nil || after.PID == first.PID {
		t.Errorf("after a panic: err=%v pid %d", res.Err, after.PID)
	}
}

func TestInitFailureIsTheInvocationsError(t *testing.T) {
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bootstrap, []byte("#!/bin/sh\necho init failed >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := lambda.NewManager(lambda.Options{})
	defer m.Close()
	if err := m.Add(lambda.FunctionConfig{Name: "Broken", Bootstrap: bootstrap}); err != nil {
		t.Fatal(err)
	}
	_, err := m.Invoke(context.Background(), "Broken", []byte(`{}`))
	var fe *lambda.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ExitError" || !strings.Contains(fe.Message, "exit status 2") {
		t.Fatalf("want Runtime.ExitError, got %v", err)
	}
	if _, err := m.Invoke(context.Background(), "Nope", nil); !errors.Is(err, lambda.ErrUnknownFunction) {
		t.Errorf("unknown function: %v", err)
	}
}

func TestStartInstanceMeasuresColdStart(t *testing.T) {
	sink := &logSink{}
	inst, err := lambda.StartInstance(lambda.FunctionConfig{Name: "Echo", Bootstrap: testenv.BuildEcho(t), LogFormat: "JSON"},
		lambda.Options{Observer: sink.observe})
	if err != nil {
		t.Fatal(err)
	}
	pid := inst.PID()
	res, err := inst.Invoke(context.Background(), []byte(`{"x":1}`))
	if err != nil || res.Err != nil {
		t.Fatalf("invoke: %v %v", err, res.Err)
	}
	if !res.ColdStart || res.Init <= 0 || res.Duration <= 0 || res.SinceStart < res.Init+res.Duration/2 {
		t.Errorf("cold start timings: %+v", res)
	}
	t.Logf("cold start: init %v, first invoke %v, process start to first response %v", res.Init, res.Duration, res.SinceStart)
	for k := 0; k < 3; k++ {
		res, err = inst.Invoke(context.Background(), []byte(`{}`))
		if err != nil || res.Err != nil || res.ColdStart || res.SinceStart != 0 {
			t.Fatalf("warm invoke: %v %+v", err, res)
		}
	}
	// JSON log format: platform lines are JSON records, as Lambda writes them.
	if l, ok := sink.find(func(l lambda.LogLine) bool {
		return l.Stream == lambda.Platform && strings.Contains(l.Text, `"type":"platform.report"`)
	}); !ok {
		t.Errorf("no JSON platform.report line")
	} else {
		var rec struct {
			Record struct {
				Metrics map[string]float64 `json:"metrics"`
			} `json:"record"`
		}
		if err := json.Unmarshal([]byte(l.Text), &rec); err != nil || rec.Record.Metrics["initDurationMs"] <= 0 {
			t.Errorf("report %s: %v", l.Text, err)
		}
	}
	_ = inst.Close()
	waitGone(t, pid)
}

func TestCloseStopsEveryProcess(t *testing.T) {
	m := newManager(t, time.Minute, nil)
	burst(t, m, 3)
	var pids []int
	for _, i := range m.Instances("Echo") {
		pids = append(pids, i.PID())
	}
	if len(pids) != 3 {
		t.Fatalf("%d instances", len(pids))
	}
	_ = m.Close()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
}
