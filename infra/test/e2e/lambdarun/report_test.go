package lambdarun

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestParseInitReport(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		want   float64
		wantOK bool
	}{
		{"the emulator's line", "27 Nov 2026 21:06:26,724 [INFO] (rapid) INIT REPORT(durationMs: 26.471000)", 26.471, true},
		{"logrus text format", `time="2026-11-27T21:06:26Z" level=info msg="INIT REPORT(durationMs: 3.500000)"`, 3.5, true},
		{"whole milliseconds", "INIT REPORT(durationMs: 12)", 12, true},
		{"the REPORT line's Init Duration is no measurement", "REPORT RequestId: x\tInit Duration: 0.03 ms\tDuration: 45.69 ms", 0, false},
		{"init start", "INIT START(type: on-demand, phase: init)", 0, false},
		{"no number", "INIT REPORT(durationMs: NaN)", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseInitReport(tt.line)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseInitReport(%q) = %v, %v; want %v, %v", tt.line, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestIsErrorResult(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"errorMessage":"parse logout job: unknown field \"admin\"","errorType":"errorString"}`, true},
		{`null`, false},
		{`"hello"`, false},
		{`{"statusCode":200,"body":"errorMessage"}`, false},
		{`{"errorMessage":"only the message"}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := isErrorResult([]byte(tt.body)); got != tt.want {
			t.Errorf("isErrorResult(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

// The bootstraps the tests run must be built like the release: the same
// command as lambda_go_build in infra/tools/sam/sam.mk, but for GOARCH.
func TestReleaseBuildArgsMatchTheReleaseBuild(t *testing.T) {
	mk, err := os.ReadFile("../../../tools/sam/sam.mk")
	if err != nil {
		t.Fatal(err)
	}
	def := regexp.MustCompile(`(?m)^lambda_go_build = (.*)$`).FindSubmatch(mk)
	if def == nil {
		t.Fatal("infra/tools/sam/sam.mk defines no lambda_go_build")
	}
	release := strings.Fields(string(def[1]))
	// GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build ... -o $(2) ./functions/$(1)
	want := []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "$(GO)"}
	if len(release) < len(want) || strings.Join(release[:len(want)], " ") != strings.Join(want, " ") {
		t.Fatalf("lambda_go_build starts %q, want %q: update Build's environment", release, want)
	}
	got := strings.Join(ReleaseBuildArgs("./functions/$(1)", "$(2)"), " ")
	// Make hands the shell -ldflags="-s -w", which the shell passes as -ldflags=-s -w.
	wantArgs := strings.ReplaceAll(strings.Join(release[len(want):], " "), `"`, "")
	if got != wantArgs {
		t.Errorf("ReleaseBuildArgs = %q, release build has %q", got, wantArgs)
	}
}
