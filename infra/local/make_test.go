package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runMake runs make in the repository root with args and a clean environment
// (no GITHUB_* variable: the sandbox branch), and returns its combined output
// and exit code.
func runMake(t *testing.T, args ...string) (string, int) {
	t.Helper()
	makeTool, err := exec.LookPath("make")
	if err != nil {
		t.Fatalf("make is needed (the README's commands are make targets): %v", err)
	}
	cmd := exec.Command(makeTool, append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = "../.."
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOFLAGS=-buildvcs=false"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// What make prints when a documented command fails: the mistake, and no more
// of make's own than it cannot help. `make run` with a bad LISTEN_ADDR prints
// the server's one line per mistake, no banner, creates no DATA_DIR, and
// make's single "Error 2" line (make prints it for any failed recipe); a
// usage mistake of `make end-sessions` is make's one line alone.
func TestMakeOutputOnMistakes(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	out, code := runMake(t, "run", "LISTEN_ADDR=8080", "DATA_DIR="+dataDir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"invalid configuration:",
		`  LISTEN_ADDR: "8080" has no host: write 127.0.0.1:8080 (this machine only, behind a reverse proxy) or :8080 (every interface)`}
	if code != 2 || len(lines) != 3 || lines[0] != want[0] || lines[1] != want[1] ||
		!strings.HasPrefix(lines[2], "make: *** [Makefile:") || !strings.HasSuffix(lines[2], "run] Error 2") {
		t.Fatalf("make run LISTEN_ADDR=8080: exit %d, output:\n%s", code, out)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("DATA_DIR made: %v", err)
	}

	out, code = runMake(t, "end-sessions")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 2 || len(lines) != 1 ||
		!strings.Contains(out, "*** usage: make end-sessions SITE=https://chat.example.com") {
		t.Fatalf("make end-sessions without SITE: exit %d, output:\n%s", code, out)
	}
}
