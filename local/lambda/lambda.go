// Package lambda runs Lambda functions locally the way AWS Lambda does: every execution
// environment ("instance") is one process of the function's real bootstrap executable, talking
// to its own Lambda Runtime API server on a loopback port (AWS_LAMBDA_RUNTIME_API). A Manager
// keeps a pool of instances per function: an invocation takes an idle instance or cold-starts a
// new one (up to a cap), so concurrent requests get concurrent instances; the function's timeout
// is enforced by killing the instance; a crashed or timed-out instance is replaced by a fresh one
// on the next invocation.
//
// The Runtime API implemented is the subset aws-lambda-go's client uses (runtime_api_client.go):
// GET /2018-06-01/runtime/invocation/next, POST …/invocation/{id}/response (including the error
// trailers of a failed streamed response), POST …/invocation/{id}/error and POST …/init/error,
// plus the Extensions API register/next pair that lambda.WithEnableSIGTERM uses.
//
// For benchmarks, StartInstance starts one fresh instance whose Invoke results carry the cold
// start timings (process start → runtime ready → first response), and Options.Observer receives
// every line a function writes (and Lambda's platform START/END/REPORT lines) for parsing, e.g.
// of CloudWatch embedded-metric-format JSON.
package lambda

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Lambda's limits that the local runtime enforces.
const (
	// MaxPayload is the synchronous invocation request and response limit (6 MB).
	MaxPayload = 6 * 1024 * 1024
	// DefaultMaxInstances caps the instances of one function (Lambda's burst is far higher; a
	// laptop is not).
	DefaultMaxInstances = 10
	// DefaultInitTimeout bounds the init phase (process start to the first /next), as Lambda's
	// 10 s init limit does.
	DefaultInitTimeout = 10 * time.Second
)

// FunctionConfig describes one function.
type FunctionConfig struct {
	// Name is the function name: AWS_LAMBDA_FUNCTION_NAME and the key for Manager.Invoke.
	Name string
	// Bootstrap is the path of the executable (the provided.al2023 "bootstrap").
	Bootstrap string
	// TaskRoot is LAMBDA_TASK_ROOT and the working directory (default: Bootstrap's directory).
	TaskRoot string
	// Handler is _HANDLER (default "bootstrap").
	Handler string
	// Env is the function's own environment (template.yaml, resolved). Lambda's reserved
	// variables and Options.Env take precedence.
	Env map[string]string
	// Timeout of one invocation (default 3 s, Lambda's default).
	Timeout time.Duration
	// MemorySize in MB (default 128); reported, not enforced.
	MemorySize int
	// MaxInstances caps concurrent instances (default DefaultMaxInstances). At the cap an
	// invocation waits for an instance to become idle (until its context ends).
	MaxInstances int
	// LogFormat is the LoggingConfig LogFormat: "JSON" sets AWS_LAMBDA_LOG_FORMAT/LEVEL and
	// formats platform lines as JSON records, like Lambda; anything else is Lambda's text format.
	LogFormat           string
	ApplicationLogLevel string
	// SystemLogLevel filters the platform lines printed to Options.Log (WARN and above hide
	// START/END/REPORT, as in Lambda). Observers get every platform line regardless.
	SystemLogLevel string
	// LogGroup is AWS_LAMBDA_LOG_GROUP_NAME (default /aws/lambda/<Name>).
	LogGroup string
}

func (c FunctionConfig) withDefaults() (FunctionConfig, error) {
	if c.Name == "" {
		return c, errors.New("lambda: function without a name")
	}
	if c.Bootstrap == "" {
		return c, fmt.Errorf("lambda: function %s has no bootstrap", c.Name)
	}
	abs, err := filepath.Abs(c.Bootstrap)
	if err != nil {
		return c, err
	}
	c.Bootstrap = abs
	if c.TaskRoot == "" {
		c.TaskRoot = filepath.Dir(c.Bootstrap)
	}
	if c.Handler == "" {
		c.Handler = "bootstrap"
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Second
	}
	if c.MemorySize <= 0 {
		c.MemorySize = 128
	}
	if c.MaxInstances <= 0 {
		c.MaxInstances = DefaultMaxInstances
	}
	if c.LogGroup == "" {
		c.LogGroup = "/aws/lambda/" + c.Name
	}
	return c, nil
}

// Options are shared by every function of a Manager (or passed to StartInstance).
type Options struct {
	// Region and AccountID (defaults us-east-1 and 000000000000) name the region and form ARNs.
	Region, AccountID string
	// Env is added to every instance's environment after the function's own: credentials and
	// emulator endpoints (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_DYNAMODB, …).
	Env map[string]string
	// Log receives the functions' output, one line at a time prefixed with "[Name] ". Nil
	// discards it.
	Log io.Writer
	// Observer, if set, is called with every output line and platform line, synchronously from
	// the goroutine reading the process's output; it must not block for long.
	Observer func(LogLine)
	// InitTimeout bounds the init phase (default DefaultInitTimeout).
	InitTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "000000000000"
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = DefaultInitTimeout
	}
	return o
}

// Stream names where a LogLine came from.
type Stream string

// The streams of a LogLine.
const (
	Stdout   Stream = "stdout"
	Stderr   Stream = "stderr"
	Platform Stream = "platform" // START/END/REPORT and timeouts, written by the runtime itself
)

// LogLine is one line of function output (or one platform line).
type LogLine struct {
	Function string
	Instance string
	// RequestID of the invocation the line belongs to: the one most recently handed to the
	// instance ("" for init output). A function's lines may reach the observer shortly after
	// its invocation returned (they travel through a pipe); platform lines come in order.
	RequestID string
	Time      time.Time
	Stream    Stream
	Text      string
}

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	Instance  string
	// Payload is the function's response, or Lambda's error document when Err is set.
	Payload []byte
	// Err is set when the invocation failed the way Lambda reports a function error
	// (X-Amz-Function-Error): a returned error or panic, a timeout, a crash.
	Err *FunctionError
	// ColdStart says the invocation started its instance.
	ColdStart bool
	// Init is process start → the runtime's first /next call (cold starts only).
	Init time.Duration
	// Duration is the invocation handed to the runtime → its response (Lambda's Duration).
	Duration time.Duration
	// SinceStart is process start → the response, for the first invocation of an instance:
	// the end-to-end cold start.
	SinceStart time.Duration
	// MaxMemoryUsedMB is the process's peak RSS so far (VmHWM).
	MaxMemoryUsedMB int
}

// FunctionError is a function error as Lambda reports it: errorType and errorMessage, and the
// document sent back to the caller.
type FunctionError struct {
	Type    string
	Message string
	// Payload is the JSON error document ({"errorMessage":…,"errorType":…}).
	Payload []byte
	// Timeout says the function ran out of time (the instance was killed).
	Timeout bool
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

func newFunctionError(typ, msg string, timeout bool) *FunctionError {
	payload, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": typ})
	return &FunctionError{Type: typ, Message: msg, Payload: payload, Timeout: timeout}
}

// functionErrorFromPayload reads a runtime's error document ({"errorMessage","errorType",…}).
func functionErrorFromPayload(body []byte, headerType string) *FunctionError {
	var doc struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	_ = json.Unmarshal(body, &doc)
	if doc.Type == "" {
		doc.Type = headerType
	}
	if doc.Type == "" {
		doc.Type = "Unhandled"
	}
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]string{"errorMessage": string(body), "errorType": doc.Type})
	}
	return &FunctionError{Type: doc.Type, Message: doc.Message, Payload: body}
}

// ErrNoInstance is returned when an invocation could not be handed to an instance because the
// instance ended first; the Manager retries such invocations on a fresh instance.
var ErrNoInstance = errors.New("lambda: the instance ended before taking the invocation")

// ErrUnknownFunction is returned by Manager.Invoke for a name that was not added.
var ErrUnknownFunction = errors.New("lambda: unknown function")

// ErrRequestTooLarge is returned for an invocation payload over MaxPayload. It has a
// RequestTooLarge() bool method, which the gateway recognizes (413).
var ErrRequestTooLarge error = requestTooLarge{}

type requestTooLarge struct{}

func (requestTooLarge) Error() string         { return "lambda: request payload exceeds 6291456 bytes" }
func (requestTooLarge) RequestTooLarge() bool { return true }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// logWriter serializes lines written by many instances to one io.Writer.
type logWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logWriter) line(prefix, text string) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, prefix+strings.TrimRight(text, "\r\n")+"\n")
}

// readVmHWM returns the peak resident set size of pid in MB (0 if unknown).
func readVmHWM(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return (kb + 1023) / 1024
			}
		}
	}
	return 0
}
