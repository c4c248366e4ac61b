// Package readmetest gives tests the repository's README.md, which several
// packages hold against their code (the metrics it lists, the Rocket.Chat
// settings it names). Only tests import it.
package readmetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Text returns README.md of the repository the test runs in, found beside
// go.mod in the test's directory or the nearest one above it.
func Text(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("readmetest: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			b, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				tb.Fatalf("readmetest: %v", err)
			}
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("readmetest: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Section returns the README's section under heading (a "## " title, without
// the hashes), up to the next "## " heading or the end, and fails the test
// when the README has no such section.
func Section(tb testing.TB, heading string) string {
	tb.Helper()
	readme := Text(tb)
	start := strings.Index(readme, "\n## "+heading+"\n")
	if start < 0 {
		tb.Fatalf("README.md has no %q section", "## "+heading)
	}
	section := readme[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	return section
}
