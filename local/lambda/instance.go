package lambda

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/partner-admin-center/pac/local/internal/proc"
)

// Instance is one execution environment: one bootstrap process and its Runtime API server.
// Invoke must not be called concurrently; the Manager takes care of that.
type Instance struct {
	id   string
	cfg  FunctionConfig
	opts Options
	log  *logWriter

	ln  net.Listener
	srv *http.Server
	cmd *exec.Cmd

	started  time.Time
	ready    chan struct{} // closed at the runtime's first /next
	readyAt  time.Time
	exited   chan struct{} // closed when the process has exited
	exitErr  error
	shutdown chan struct{} // closed by Close
	invokeCh chan *invocation
	initErr  chan *FunctionError // the runtime's /init/error, once

	mu          sync.Mutex
	current     *invocation // handed to the runtime, not yet answered
	lastID      string      // the request id most recently handed to the runtime
	invocations int
	closing     bool
	killed      bool
	extension   bool
	extensionID string
	closeOnce   sync.Once
	readyOnce   sync.Once
	outputDone  sync.WaitGroup
}

type invocation struct {
	id        string
	payload   []byte
	traceID   string
	deadline  time.Time
	handedOut time.Time
	taken     chan struct{} // closed by /next once handedOut and deadline are set
	done      chan outcome  // buffered(1)
}

type outcome struct {
	payload []byte
	err     *FunctionError
	at      time.Time
}

func (o outcome) result() ([]byte, *FunctionError) {
	if o.err != nil {
		return o.err.Payload, o.err
	}
	return o.payload, nil
}

// StartInstance starts a fresh instance of the function: a loopback Runtime API listener and
// the bootstrap process. It returns once the process has started (not once it is ready); the
// first Invoke then measures the cold start. Close ends it.
func StartInstance(cfg FunctionConfig, opts Options) (*Instance, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return startInstance(cfg, opts, &logWriter{w: opts.Log})
}

func startInstance(cfg FunctionConfig, opts Options, lw *logWriter) (*Instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambda: runtime API listener: %w", err)
	}
	i := &Instance{
		id: randomHex(32), cfg: cfg, opts: opts, log: lw, ln: ln,
		ready: make(chan struct{}), exited: make(chan struct{}), shutdown: make(chan struct{}),
		invokeCh: make(chan *invocation), initErr: make(chan *FunctionError, 1),
	}
	i.srv = &http.Server{Handler: i.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = i.srv.Serve(ln) }()

	cmd := exec.Command(cfg.Bootstrap)
	cmd.Dir = cfg.TaskRoot
	cmd.Env = i.environ()
	proc.Prepare(cmd)
	outR, outW, err := os.Pipe()
	if err != nil {
		_ = i.srv.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		_ = i.srv.Close()
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	i.started = time.Now()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		_ = i.srv.Close()
		return nil, fmt.Errorf("lambda: start %s: %w", cfg.Bootstrap, err)
	}
	i.cmd = cmd
	i.outputDone.Add(2)
	go i.readOutput(outR, Stdout)
	go i.readOutput(errR, Stderr)
	go func() {
		err := cmd.Wait()
		i.mu.Lock()
		i.exitErr = err
		i.mu.Unlock()
		close(i.exited)
		_ = i.srv.Close()
	}()
	return i, nil
}

// ID is the instance's id (the log stream suffix).
func (i *Instance) ID() string { return i.id }

// PID is the process id of the bootstrap.
func (i *Instance) PID() int { return i.cmd.Process.Pid }

// Started is when the process was started.
func (i *Instance) Started() time.Time { return i.started }

// Ready is closed when the runtime has finished init (its first /next call).
func (i *Instance) Ready() <-chan struct{} { return i.ready }

// Done is closed when the process has exited.
func (i *Instance) Done() <-chan struct{} { return i.exited }

// Invocations is the number of invocations handed to this instance.
func (i *Instance) Invocations() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.invocations
}

func (i *Instance) environ() []string {
	env := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin:/bin",
		"LANG": "en_US.UTF-8",
		"TZ":   ":UTC",
	}
	if p := os.Getenv("PATH"); p != "" {
		env["PATH"] = p
	}
	for k, v := range i.cfg.Env {
		env[k] = v
	}
	for k, v := range i.opts.Env {
		env[k] = v
	}
	now := time.Now().UTC()
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          i.ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME":        i.cfg.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(i.cfg.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       i.cfg.LogGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME":      fmt.Sprintf("%s/[$LATEST]%s", now.Format("2006/01/02"), i.id),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      i.opts.Region,
		"AWS_DEFAULT_REGION":              i.opts.Region,
		"_HANDLER":                        i.cfg.Handler,
		"LAMBDA_TASK_ROOT":                i.cfg.TaskRoot,
		"LAMBDA_RUNTIME_DIR":              i.cfg.TaskRoot,
	}
	if strings.EqualFold(i.cfg.LogFormat, "JSON") {
		reserved["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
		level := i.cfg.ApplicationLogLevel
		if level == "" {
			level = "INFO"
		}
		reserved["AWS_LAMBDA_LOG_LEVEL"] = level
	}
	for k, v := range reserved {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func (i *Instance) readOutput(r *os.File, stream Stream) {
	defer i.outputDone.Done()
	defer r.Close()
	br := bufio.NewReaderSize(r, 64*1024)
	prefix := "[" + i.cfg.Name + "] "
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			text := strings.TrimRight(line, "\r\n")
			i.log.line(prefix, text)
			if i.opts.Observer != nil {
				i.opts.Observer(LogLine{Function: i.cfg.Name, Instance: i.id, RequestID: i.currentID(),
					Time: time.Now(), Stream: stream, Text: text})
			}
		}
		if err != nil {
			return
		}
	}
}

// currentID attributes output to the invocation most recently handed to the runtime: the
// instance runs one invocation at a time, and a line written during an invocation may be read
// from the pipe only after its response.
func (i *Instance) currentID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.lastID
}

// platform writes a platform line (START/END/REPORT, timeouts) to the log and the observer.
// text is Lambda's text form; record the JSON form's record for JSON log format.
func (i *Instance) platform(level, typ, text string, record any) {
	line := text
	if strings.EqualFold(i.cfg.LogFormat, "JSON") {
		b, _ := json.Marshal(map[string]any{"time": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "type": typ, "record": record})
		line = string(b)
	}
	if levelRank(level) >= levelRank(i.cfg.SystemLogLevel) {
		i.log.line("["+i.cfg.Name+"] ", line)
	}
	if i.opts.Observer != nil {
		i.opts.Observer(LogLine{Function: i.cfg.Name, Instance: i.id, RequestID: i.currentID(), Time: time.Now(),
			Stream: Platform, Text: line})
	}
}

func levelRank(l string) int {
	switch strings.ToUpper(l) {
	case "TRACE":
		return 0
	case "DEBUG":
		return 1
	case "", "INFO":
		return 2
	case "WARN":
		return 3
	case "ERROR":
		return 4
	default: // FATAL
		return 5
	}
}

// Invoke runs one invocation on this instance. ctx bounds only the wait for the runtime to take
// the invocation (including a cold start's init); once taken, the invocation runs to its end or
// to the function timeout, as in Lambda, where a caller that goes away does not stop the
// function. The returned error is nil when the runtime answered, a function error included
// (see Result.Err); ErrNoInstance means the instance ended before taking the invocation.
func (i *Instance) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	if len(payload) > MaxPayload {
		return nil, ErrRequestTooLarge
	}
	inv := &invocation{id: newID(), payload: payload, done: make(chan outcome, 1), taken: make(chan struct{}),
		traceID: fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(24), randomHex(16))}
	res := &Result{RequestID: inv.id, Instance: i.id}

	isReady := false
	select {
	case <-i.ready:
		isReady = true
	default:
	}
	var initTimer <-chan time.Time
	if !isReady {
		res.ColdStart = true
		t := time.NewTimer(time.Until(i.started.Add(i.opts.InitTimeout)))
		defer t.Stop()
		initTimer = t.C
	}

	// Hand the invocation to the runtime's pending (or next) /next call.
	select {
	case i.invokeCh <- inv:
		<-inv.taken
	case fe := <-i.initErr:
		i.kill()
		res.Err = fe
		res.Payload = fe.Payload
		i.reportStart(inv)
		i.report(inv, res, "error")
		return res, nil
	case <-initTimer:
		i.kill()
		fe := newFunctionError("Sandbox.Timedout",
			fmt.Sprintf("RequestId: %s Error: INIT phase timed out after %.2f seconds", inv.id, i.opts.InitTimeout.Seconds()), true)
		res.Err, res.Payload = fe, fe.Payload
		return res, nil
	case <-i.exited:
		if !isReady {
			// The runtime died during init: that is this invocation's error, as in Lambda.
			fe := newFunctionError("Runtime.ExitError",
				fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", inv.id, i.exitError()), false)
			res.Err, res.Payload = fe, fe.Payload
			i.platform("ERROR", "platform.initRuntimeDone", fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError",
				ms(time.Since(i.started))), map[string]any{"initializationType": "on-demand", "phase": "init", "status": "error", "errorType": "Runtime.ExitError"})
			return res, nil
		}
		return nil, ErrNoInstance
	case <-i.shutdown:
		return nil, ErrNoInstance
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if res.ColdStart {
		res.Init = i.readyAt.Sub(i.started)
	}
	i.mu.Lock()
	i.invocations++
	first := i.invocations == 1
	i.mu.Unlock()
	i.reportStart(inv)

	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	var status string
	select {
	case out := <-inv.done:
		res.Duration = out.at.Sub(inv.handedOut)
		res.Payload, res.Err = out.result()
		if first {
			res.SinceStart = out.at.Sub(i.started)
		}
		status = "success"
		if out.err != nil {
			status = "error"
		}
	case <-timer.C:
		res.Duration = time.Since(inv.handedOut)
		fe := newFunctionError("Sandbox.Timedout",
			fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, i.cfg.Timeout.Seconds()), true)
		res.Err, res.Payload = fe, fe.Payload
		status = "timeout"
		i.platform("ERROR", "function", fmt.Sprintf("%s %s Task timed out after %.2f seconds",
			time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, i.cfg.Timeout.Seconds()), nil)
		i.kill()
	case <-i.exited:
		// The answer may have raced with the exit.
		select {
		case out := <-inv.done:
			res.Duration = out.at.Sub(inv.handedOut)
			res.Payload, res.Err = out.result()
			status = "success"
			if out.err != nil {
				status = "error"
			}
		default:
			res.Duration = time.Since(inv.handedOut)
			fe := newFunctionError("Runtime.ExitError",
				fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", inv.id, i.exitError()), false)
			res.Err, res.Payload = fe, fe.Payload
			status = "error"
		}
	}
	i.mu.Lock()
	if i.current == inv {
		i.current = nil
	}
	i.mu.Unlock()
	res.MaxMemoryUsedMB = readVmHWM(i.cmd.Process.Pid)
	i.report(inv, res, status)
	return res, nil
}

func (i *Instance) exitError() error {
	<-i.exited
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.exitErr == nil {
		return errors.New("exit status 0")
	}
	return i.exitErr
}

func (i *Instance) reportStart(inv *invocation) {
	i.platform("INFO", "platform.start", fmt.Sprintf("START RequestId: %s Version: $LATEST", inv.id),
		map[string]any{"requestId": inv.id, "version": "$LATEST"})
}

func (i *Instance) report(inv *invocation, res *Result, status string) {
	i.platform("INFO", "platform.end", "END RequestId: "+inv.id, map[string]any{"requestId": inv.id})
	billed := res.Duration.Milliseconds()
	if res.Duration%time.Millisecond != 0 || billed == 0 {
		billed++
	}
	metrics := map[string]any{
		"durationMs": round2(ms(res.Duration)), "billedDurationMs": billed,
		"memorySizeMB": i.cfg.MemorySize, "maxMemoryUsedMB": res.MaxMemoryUsedMB,
	}
	text := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		inv.id, ms(res.Duration), billed, i.cfg.MemorySize, res.MaxMemoryUsedMB)
	if res.ColdStart {
		metrics["initDurationMs"] = round2(ms(res.Init))
		text += fmt.Sprintf("\tInit Duration: %.2f ms", ms(res.Init))
	}
	if status != "success" {
		text += "\tStatus: " + status
		if res.Err != nil {
			text += "\tError Type: " + res.Err.Type
		}
	}
	i.platform("INFO", "platform.report", text, map[string]any{"requestId": inv.id, "metrics": metrics, "status": status})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// kill ends the process group at once (timeouts, init failures).
func (i *Instance) kill() {
	i.mu.Lock()
	i.killed = true
	i.mu.Unlock()
	if i.cmd != nil && i.cmd.Process != nil {
		_ = proc.Signal(i.cmd, syscall.SIGKILL)
	}
}

// usable says whether the instance can take another invocation.
func (i *Instance) usable() bool {
	select {
	case <-i.exited:
		return false
	default:
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return !i.killed && !i.closing
}

// Close ends the instance: Lambda's shutdown (SIGTERM with a short grace period when the runtime
// registered an extension, as lambda.WithEnableSIGTERM does, else SIGKILL), then the Runtime API
// server. It waits until the process and its output are gone.
func (i *Instance) Close() error {
	i.closeOnce.Do(func() {
		i.mu.Lock()
		i.closing = true
		ext := i.extension
		i.mu.Unlock()
		close(i.shutdown)
		grace := time.Duration(0)
		if ext {
			grace = 500 * time.Millisecond
		}
		proc.Stop(i.cmd, i.exited, grace)
		_ = i.srv.Close()
		i.outputDone.Wait()
	})
	return nil
}

// Runtime API server.

const (
	hdrRequestID   = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline    = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID     = "Lambda-Runtime-Trace-Id"
	hdrErrorType   = "Lambda-Runtime-Function-Error-Type"
	trErrorType    = "Lambda-Runtime-Function-Error-Type"
	trErrorBody    = "Lambda-Runtime-Function-Error-Body"
)

func (i *Instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", i.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", i.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", i.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", i.handleInitError)
	mux.HandleFunc("POST /2020-01-01/extension/register", i.handleExtensionRegister)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", i.handleExtensionNext)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "UnknownAPI", "the local Runtime API does not implement "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": msg, "errorType": typ})
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

func (i *Instance) handleNext(w http.ResponseWriter, r *http.Request) {
	i.readyOnce.Do(func() {
		i.readyAt = time.Now()
		close(i.ready)
	})
	select {
	case inv := <-i.invokeCh:
		now := time.Now()
		inv.handedOut = now
		inv.deadline = now.Add(i.cfg.Timeout)
		i.mu.Lock()
		i.current = inv
		i.lastID = inv.id
		i.mu.Unlock()
		close(inv.taken)
		h := w.Header()
		h.Set(hdrRequestID, inv.id)
		h.Set(hdrDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(hdrFunctionARN, fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", i.opts.Region, i.opts.AccountID, i.cfg.Name))
		h.Set(hdrTraceID, inv.traceID)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	case <-i.shutdown:
		// Lambda freezes the runtime here; answering would make the client exit with an error.
		<-r.Context().Done()
	}
}

// take returns the in-flight invocation with the given id, claiming its answer.
func (i *Instance) take(id string) *invocation {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.current == nil || i.current.id != id {
		return nil
	}
	inv := i.current
	i.current = nil
	return inv
}

func (i *Instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	inv := i.take(id)
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	now := time.Now()
	switch {
	case err != nil:
		inv.done <- outcome{err: newFunctionError("Runtime.InvalidResponse", "reading the response: "+err.Error(), false), at: now}
	case len(body) > MaxPayload:
		fe := newFunctionError("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayload), false)
		inv.done <- outcome{err: fe, at: now}
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxPayload))
		return
	case r.Trailer.Get(trErrorType) != "":
		// aws-lambda-go reports a failed streamed response (a Read error) in trailers.
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(trErrorBody))
		inv.done <- outcome{err: functionErrorFromPayload(doc, r.Trailer.Get(trErrorType)), at: now}
	default:
		inv.done <- outcome{payload: body, at: now}
	}
	accepted(w)
}

func (i *Instance) handleError(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	inv := i.take(id)
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	inv.done <- outcome{err: functionErrorFromPayload(bytes.TrimSpace(body), r.Header.Get(hdrErrorType)), at: time.Now()}
	accepted(w)
}

func (i *Instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayload))
	fe := functionErrorFromPayload(bytes.TrimSpace(body), r.Header.Get(hdrErrorType))
	select {
	case i.initErr <- fe:
	default:
	}
	accepted(w)
}

func (i *Instance) handleExtensionRegister(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	i.extension = true
	if i.extensionID == "" {
		i.extensionID = newID()
	}
	id := i.extensionID
	i.mu.Unlock()
	w.Header().Set("Lambda-Extension-Identifier", id)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"functionName": i.cfg.Name, "functionVersion": "$LATEST", "handler": i.cfg.Handler,
	})
}

func (i *Instance) handleExtensionNext(w http.ResponseWriter, r *http.Request) {
	select {
	case <-i.shutdown:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"eventType": "SHUTDOWN", "shutdownReason": "spindown",
			"deadlineMs": time.Now().Add(500 * time.Millisecond).UnixMilli(),
		})
	case <-r.Context().Done():
	}
}
