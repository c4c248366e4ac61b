package main

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"rcgithub/infra/test/e2e/lambdarun"
)

// sizes of a release bootstrap (linux/arm64, stripped) and of its zip.
type sizes struct {
	Bootstrap int64
	Zip       int64
}

// releaseSizes reads bin/release/<fn>/bootstrap and bin/release/<fn>.zip,
// which `make release` writes, after checking the bootstrap is what Lambda
// runs: a stripped arm64 executable.
func releaseSizes(releaseDir, fn string) (sizes, error) {
	bootstrap := filepath.Join(releaseDir, fn, "bootstrap")
	return sizesOf(bootstrap, filepath.Join(releaseDir, fn+".zip"))
}

// baselineSizes builds a baseline's main for linux/arm64 with the release
// build into dir and zips it as the release does (zip -X, bootstrap alone).
func baselineSizes(ctx context.Context, moduleDir, pkg, dir string) (sizes, error) {
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := lambdarun.Build(ctx, moduleDir, pkg, "arm64", bootstrap); err != nil {
		return sizes{}, err
	}
	zipFile := dir + ".zip"
	cmd := exec.CommandContext(ctx, "zip", "-q", "-X", zipFile, "bootstrap")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return sizes{}, fmt.Errorf("zip %s: %w: %s", pkg, err, out)
	}
	return sizesOf(bootstrap, zipFile)
}

func sizesOf(bootstrap, zipFile string) (sizes, error) {
	if err := checkReleaseBinary(bootstrap); err != nil {
		return sizes{}, err
	}
	b, err := os.Stat(bootstrap)
	if err != nil {
		return sizes{}, fmt.Errorf("release bootstrap: %w (run `make release`)", err)
	}
	z, err := os.Stat(zipFile)
	if err != nil {
		return sizes{}, fmt.Errorf("release zip: %w (run `make release`)", err)
	}
	return sizes{Bootstrap: b.Size(), Zip: z.Size()}, nil
}

// checkReleaseBinary fails unless path is an arm64 ELF executable without a
// symbol table.
func checkReleaseBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("release bootstrap %s: %w (run `make release`)", path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		return fmt.Errorf("release bootstrap %s is built for %s, want arm64", path, f.Machine)
	}
	if f.Section(".symtab") != nil {
		return fmt.Errorf("release bootstrap %s is not stripped", path)
	}
	return nil
}
