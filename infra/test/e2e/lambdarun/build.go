// Package lambdarun builds Lambda bootstraps the way the release does and runs
// them under the AWS Lambda Runtime Interface Emulator (RIE), one emulator
// process per function on ports of its own. The end-to-end tests and the
// cold-start benchmark both use it.
package lambdarun

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Build compiles the main package pkg (relative to moduleDir, e.g.
// "./functions/webhook") into out with the release build of infra/tools/sam/sam.mk
// (lambda_go_build), for linux and goarch: CGO off, tag lambda.norpc,
// -trimpath, stripped. The tests pass the host's architecture so that the
// binary runs here; nothing else differs from what is shipped.
func Build(ctx context.Context, moduleDir, pkg, goarch, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("build %s: %w", pkg, err)
	}
	cmd := exec.CommandContext(ctx, "go", ReleaseBuildArgs(pkg, out)...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for linux/%s: %w\n%s", pkg, goarch, err, strings.TrimSpace(output.String()))
	}
	return nil
}

// ReleaseBuildArgs are the arguments of `go` in the release build (kept equal
// to lambda_go_build in infra/tools/sam/sam.mk; the environment adds GOOS, GOARCH
// and CGO_ENABLED=0).
func ReleaseBuildArgs(pkg, out string) []string {
	return []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg}
}

// ModuleDir returns the directory of the Go module the working directory is
// in (the repository root), where `go build ./functions/...` runs.
func ModuleDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module (go env GOMOD is %q)", gomod)
	}
	return filepath.Dir(gomod), nil
}
