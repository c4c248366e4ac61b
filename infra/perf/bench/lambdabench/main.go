// Command lambdabench measures the service's Lambda functions as serverless
// users feel them: the cold start (init phase and cold penalty) over repeated
// starts under the AWS Lambda Runtime Interface Emulator, the warm latency,
// and the size of the release artefacts, against two baselines built the
// same way: an aws-lambda-go hello world (the limit) and the "SDK floor"
// (the AWS SDK work every function must do at start). It prints one markdown
// table.
//
// `make bench-lambda` runs it with moto started and the release built:
//
//	MOTO_ENDPOINT=<moto started on a free port> go run ./infra/perf/bench/lambdabench -out infra/perf/bench/results/lambda.md
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"rcgithub/infra/test/e2e/lambdarun"
	"rcgithub/infra/test/e2e/stack"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchattest"
)

type options struct {
	cold, warm int
	releaseDir string
	rie        string
	out        string
	command    string
}

func main() {
	var o options
	flag.IntVar(&o.cold, "cold", 10, "cold starts per function")
	flag.IntVar(&o.warm, "warm", 200, "measured warm invocations per function")
	flag.StringVar(&o.releaseDir, "release", "bin/release", "directory `make release` writes the release bootstraps and zips to")
	flag.StringVar(&o.rie, "rie", os.Getenv("AWS_LAMBDA_RIE"), "path of aws-lambda-rie (default $AWS_LAMBDA_RIE, else found on the PATH)")
	flag.StringVar(&o.out, "out", "", "also write the table to this file")
	flag.StringVar(&o.command, "command", "make bench-lambda", "the command shown under the table")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lambdabench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout, progress io.Writer) (err error) {
	if o.cold < 1 || o.warm < 1 {
		return errors.New("-cold and -warm must be at least 1")
	}
	endpoint := os.Getenv("MOTO_ENDPOINT")
	if endpoint == "" {
		return errors.New("MOTO_ENDPOINT is not set: start moto (`make bench-lambda` does)")
	}
	moduleDir, err := lambdarun.ModuleDir(ctx)
	if err != nil {
		return err
	}
	if o.rie == "" {
		o.rie = "aws-lambda-rie"
	}
	if o.rie, err = exec.LookPath(o.rie); err != nil {
		return fmt.Errorf("the Lambda Runtime Interface Emulator is not installed (`make bench-lambda` installs it): %w", err)
	}
	if !filepath.IsAbs(o.releaseDir) {
		o.releaseDir = filepath.Join(moduleDir, o.releaseDir)
	}

	work, err := os.MkdirTemp("", "rcgithub-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// The stand-ins only make the configuration complete: the measured
	// requests reach neither GitHub nor Rocket.Chat.
	params := stack.Defaults()
	params.GitHubClientID = "Iv1.bench000000000001"
	gh := githubtest.New(githubtest.Options{ClientID: params.GitHubClientID, ClientSecret: rand.Text()})
	ghURL, stopGitHub := gh.Start()
	defer stopGitHub()
	params.GitHubURL, params.GitHubAPIURL = ghURL, ghURL
	chat := rocketchattest.NewIncoming()
	defer chat.Close()
	webhookToken := rand.Text()
	st, err := stack.Create(ctx, endpoint, "bench-"+strings.ToLower(rand.Text()[:8]), stack.Secrets{
		GitHubClientSecret: rand.Text(), WebhookToken: webhookToken, IncomingWebhookURL: chat.URL()})
	if err != nil {
		return fmt.Errorf("create the stack on moto at %s: %w", endpoint, err)
	}
	defer func() { err = errors.Join(err, st.Delete(context.WithoutCancel(ctx))) }()

	subs, err := subjects(st, params, webhookToken)
	if err != nil {
		return err
	}
	var ms []*measurement
	for _, s := range subs {
		m := &measurement{subject: s, bootstrap: filepath.Join(work, "host", s.Name, "bootstrap")}
		fmt.Fprintf(progress, "build %s (host and arm64)\n", s.Name)
		if err := lambdarun.Build(ctx, moduleDir, s.Package, runtime.GOARCH, m.bootstrap); err != nil {
			return err
		}
		if s.Release != "" {
			m.Sizes, err = releaseSizes(o.releaseDir, s.Release)
		} else {
			m.Sizes, err = baselineSizes(ctx, moduleDir, s.Package, filepath.Join(work, "arm64", s.Name))
		}
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}

	env := func(s subject) []string { return st.Env(s.Function, params) }
	loadBefore := loadAverage()
	if err := measureAll(ctx, o.rie, ms, env, o.cold, o.warm, progress); err != nil {
		return err
	}
	mach := describeMachine(o.rie)
	mach.Load = loadBefore + " before, " + loadAverage() + " after"

	var table bytes.Buffer
	if err := writeTable(&table, report{Machine: mach, Command: o.command, Cold: o.cold, Warm: o.warm,
		Subjects: ms, FloorName: "sdkfloor"}); err != nil {
		return err
	}
	if _, err := stdout.Write(table.Bytes()); err != nil {
		return err
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, table.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.out, err)
		}
	}
	return nil
}

func describeMachine(rie string) machine {
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return machine{
		CPUs:      runtime.NumCPU(),
		CPUModel:  cpuModel(),
		Kernel:    strings.TrimSpace(string(kernel)),
		GoVersion: runtime.Version(),
		Arch:      runtime.GOOS + "/" + runtime.GOARCH,
		RIE:       moduleVersion(rie),
		Date:      time.Now().UTC().Format("2006-01-02"),
	}
}

// moduleVersion is the module version an executable was built from (go
// install records it), e.g. the emulator's pinned pseudo-version.
func moduleVersion(path string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return "unknown version"
	}
	return info.Main.Version
}

// loadAverage is the one-minute load average: on a shared machine it tells
// how much the numbers were disturbed.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// cpuModel is the "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}
