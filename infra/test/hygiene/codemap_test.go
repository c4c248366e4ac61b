package hygiene

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCodeMapNamesEveryPackage: docs/architecture.md's code map names every
// package of shared/ and functions/, so that a newcomer's map of the code
// does not silently fall behind it.
func TestCodeMapNamesEveryPackage(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, top := range []string{"shared", "functions"} {
		entries, err := os.ReadDir(filepath.Join(root, top))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			name := top + "/" + e.Name()
			grouped := top + "/{" // "functions/{webhook,callback}" style
			if !strings.Contains(text, "`"+name+"`") && !strings.Contains(text, "`"+name+"/") &&
				!(strings.Contains(text, grouped) && strings.Contains(text, e.Name())) {
				t.Errorf("docs/architecture.md's code map does not name %s", name)
			}
		}
	}
}
