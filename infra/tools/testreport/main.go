// Command testreport turns `go test -json` output into what a person reads:
// each package's result line, the whole output of every test that failed
// (and of a package that failed outside its tests), the name and reason of
// every skipped test, and at the end the number
// of tests that passed, failed and were skipped. `make test` uses it so that
// it can count the tests without printing every passing test's log.
//
//	go test -json ./... | testreport -counts .cache/run/go-tests
//
// It exits 1 when a test, a package or a build failed, so that a pipeline with
// pipefail fails even when go test's own status is lost.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json); build events carry
// ImportPath instead of Package.
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
}

// totals are the counts of one run; Failed includes packages and builds that
// failed outside any test.
type totals struct {
	Passed, Failed, Skipped int
}

func main() {
	counts := flag.String("counts", "", "append \"go-tests-passed N\" to this file")
	flag.Parse()
	t, err := report(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	fmt.Printf("Go tests: %d passed, %d failed, %d skipped\n", t.Passed, t.Failed, t.Skipped)
	if *counts != "" {
		if err := appendCount(*counts, t.Passed); err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
	}
	if t.Failed > 0 {
		os.Exit(1)
	}
}

func appendCount(path string, passed int) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open counts file: %w", err)
	}
	if _, err := fmt.Fprintf(f, "go-tests-passed %d\n", passed); err != nil {
		f.Close()
		return fmt.Errorf("write counts file: %w", err)
	}
	return f.Close()
}

// report reads test2json events from in and writes the readable form to out.
// Lines that are not JSON (a go command error before any test ran) are
// passed through as they are.
func report(in io.Reader, out io.Writer) (totals, error) {
	var t totals
	// Output of tests still running, by package and test name; printed only
	// when the test fails, or when its package fails without saying which test.
	running := map[string]map[string]*strings.Builder{}
	failedTests := map[string]int{} // package -> tests failed in it
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		pkg := e.Package
		if pkg == "" {
			pkg = e.ImportPath
		}
		switch {
		case e.Action == "build-output":
			fmt.Fprint(out, e.Output)
		case e.Action == "build-fail":
			t.Failed++
		case e.Test == "" && e.Action == "output":
			if e.Output != "PASS\n" { // the "ok" line that follows says it
				fmt.Fprint(out, e.Output)
			}
		case e.Test == "" && e.Action == "fail":
			if failedTests[pkg] == 0 {
				// Failed outside any test (TestMain, a panic, a timeout):
				// what its unfinished tests printed is the evidence.
				t.Failed++
				printUnfinished(out, pkg, running[pkg])
			}
			delete(running, pkg)
		case e.Test == "" && e.Action == "pass":
			delete(running, pkg)
		case e.Test == "":
		case e.Action == "output":
			if running[pkg] == nil {
				running[pkg] = map[string]*strings.Builder{}
			}
			b := running[pkg][e.Test]
			if b == nil {
				b = &strings.Builder{}
				running[pkg][e.Test] = b
			}
			b.WriteString(e.Output)
		case e.Action == "pass" || e.Action == "skip" || e.Action == "fail":
			switch e.Action {
			case "pass":
				t.Passed++
			case "skip":
				t.Skipped++
				// Named, with the reason it gave: a skip hides a test.
				fmt.Fprintf(out, "skipped: %s %s: %s\n", pkg, e.Test, lastLine(running[pkg][e.Test]))
			case "fail":
				t.Failed++
				failedTests[pkg]++
				if b := running[pkg][e.Test]; b != nil {
					fmt.Fprintf(out, "--- output of %s %s:\n%s", pkg, e.Test, b.String())
				}
			}
			delete(running[pkg], e.Test)
		}
	}
	if err := sc.Err(); err != nil {
		return t, fmt.Errorf("read go test output: %w", err)
	}
	return t, nil
}

// lastLine is the last line a test wrote itself (a skip's reason), trimmed:
// not the "--- SKIP" and "=== RUN" lines of the testing package.
func lastLine(b *strings.Builder) string {
	if b == nil {
		return ""
	}
	lines := strings.Split(b.String(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && !strings.HasPrefix(l, "--- ") && !strings.HasPrefix(l, "=== ") {
			return l
		}
	}
	return ""
}

func printUnfinished(out io.Writer, pkg string, tests map[string]*strings.Builder) {
	names := make([]string, 0, len(tests))
	for name := range tests {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(out, "--- output of %s %s (unfinished):\n%s", pkg, name, tests[name].String())
	}
}
