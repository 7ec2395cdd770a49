// Package builds gives the test suites that start the whole product (local/e2e, local/browser,
// and the bench's test in local/cmd/pac-local) one shared build of every function, for
// localrun.Options.Bootstraps:
//
//	rt, err := localrun.Start(ctx, localrun.Options{..., Bootstraps: builds.All(t)})
//
// and ForArch(t, "arm64") one shared build of the binaries as deployed, for the template checks
// (local/deploycheck) and the bench's sizes.
//
// Each function is built exactly as the local runtime builds it (localrun.BuildFor: the Makefile's
// build-<LogicalId> target, for this machine's architecture or the one asked), into
// .local/test-builds/<arch>-<key>/<LogicalId>/bootstrap, where key is a hash of everything that
// goes into a function binary: the Go toolchain and flags, go.mod, go.sum, the Makefile and every
// non-test file under functions/ and shared/ (the only packages of this module the functions
// import). So the suites build once per source state instead of once per test binary and per
// -count run, and a changed source is never served an old binary. Making a new build removes
// those of other source states made more than an hour before. Test binaries that `go test` runs
// at the same time take turns on a lock file: the first builds, the others wait and reuse.
package builds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/template"
	"github.com/partner-admin-center/pac/local/testenv"
)

// parallelism is how many functions build at once (localrun's default).
const parallelism = 2

// keep is how long a build of another source state is kept once a new one is made: longer than
// a test run that may still use it, short enough that edits do not pile up 400 MB builds.
const keep = time.Hour

// All builds every function of template.yaml that the Makefile builds for this machine (or finds
// them built for the current sources) and returns their bootstraps by logical ID.
func All(tb testing.TB) map[string]string {
	tb.Helper()
	return ForArch(tb, localrun.HostArch)
}

// ForArch is All for the architecture arch: "arm64" gives the binaries as deployed, which the
// template checks (local/deploycheck) and the bench's sizes (local/cmd/pac-local) share.
func ForArch(tb testing.TB, arch string) map[string]string {
	tb.Helper()
	root := testenv.RepoRoot(tb)
	tpl, err := template.Load(filepath.Join(root, "template.yaml"), template.Options{AllowMissing: true})
	if err != nil {
		tb.Fatalf("template.yaml: %v", err)
	}
	key, err := sourceKey(root)
	if err != nil {
		tb.Fatalf("hash the function sources: %v", err)
	}
	parent := filepath.Join(root, ".local", "test-builds")
	dir := filepath.Join(parent, arch+"-"+key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	unlock, err := lock(dir + ".lock")
	if err != nil {
		tb.Fatal(err)
	}
	defer unlock()

	paths := map[string]string{}
	for _, f := range tpl.Functions {
		if f.BuildMethod == "makefile" {
			paths[f.LogicalID] = filepath.Join(dir, f.LogicalID, "bootstrap")
		}
	}
	complete := filepath.Join(dir, "complete")
	if _, err := os.Stat(complete); err == nil {
		return paths
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var mu sync.Mutex
	var errs []string
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for id := range paths {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := localrun.BuildFor(ctx, root, id, filepath.Join(dir, id), arch); err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		tb.Fatalf("build the functions:\n%s", strings.Join(errs, "\n"))
	}
	if err := os.WriteFile(complete, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built %d functions for linux/%s in %.1fs (shared under %s)", len(paths), arch, time.Since(start).Seconds(), dir)
	prune(parent, key)
	return paths
}

// sourceKey hashes what goes into a function binary.
// (The architecture names the build's directory, next to the key.)
func sourceKey(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", runtime.Version(), os.Getenv("GOFLAGS"), os.Getenv("GOEXPERIMENT"))
	for _, name := range []string{"go.mod", "go.sum", "Makefile"} {
		if err := hashFile(h, root, filepath.Join(root, name)); err != nil {
			return "", err
		}
	}
	for _, sub := range []string{"functions", "shared"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
				return err
			}
			return hashFile(h, root, path)
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func hashFile(h hash.Hash, root, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rel, _ := filepath.Rel(root, path)
	fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
	n, err := io.Copy(h, f)
	fmt.Fprintf(h, "\x00%d\x00", n)
	return err
}

// lock takes an exclusive lock on path (created if need be), waiting for another process that
// holds it; the returned function releases it.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// prune removes the builds of other source states (any architecture) made more than keep ago
// (best effort).
func prune(parent, key string) {
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		p := filepath.Join(parent, e.Name())
		if !e.IsDir() || strings.HasSuffix(e.Name(), "-"+key) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > keep {
			_ = os.RemoveAll(p)
			_ = os.Remove(p + ".lock")
		}
	}
}
