package localrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/partner-admin-center/pac/local/internal/proc"
)

// Build builds one function with `make build-<logicalID> ARTIFACTS_DIR=<dir> GOARCH=<host>` in
// repoRoot (the target `sam build` uses, for the host architecture) and returns the path of
// the bootstrap it wrote.
func Build(ctx context.Context, repoRoot, logicalID, dir string) (string, error) {
	return BuildFor(ctx, repoRoot, logicalID, dir, HostArch)
}

// BuildFor is Build for the architecture arch (arm64: the binary as deployed).
func BuildFor(ctx context.Context, repoRoot, logicalID, dir, arch string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for attempt := 1; ; attempt++ {
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "build-"+logicalID, "ARTIFACTS_DIR="+dir, "GOARCH="+arch)
		cmd.Dir = repoRoot
		cmd.Env = os.Environ()
		proc.Prepare(cmd)
		cmd.Cancel = func() error { return proc.Signal(cmd, syscall.SIGKILL) } // make and its go build
		out, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		// Concurrent go commands sharing the build cache occasionally fail with "could not
		// import X (open : no such file or directory)"; the same build then succeeds.
		if attempt < 3 && ctx.Err() == nil && strings.Contains(string(out), "(open : no such file or directory)") {
			continue
		}
		return "", fmt.Errorf("make build-%s: %v\n%s", logicalID, err, strings.TrimSpace(string(out)))
	}
	bootstrap := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		return "", fmt.Errorf("make build-%s wrote no %s", logicalID, bootstrap)
	}
	return bootstrap, nil
}
