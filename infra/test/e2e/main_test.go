// Package e2e runs the built Lambda functions for real: each function's
// bootstrap, built like the release (for this machine's architecture), runs
// under its own AWS Lambda Runtime Interface Emulator with the environment
// template.yaml gives it, against moto and the GitHub and Rocket.Chat
// stand-ins. The tests talk to it only as API Gateway and EventBridge
// Scheduler do: HTTP API payload 2.0 events, and the Input of the schedules
// the functions created.
//
// The tests are skipped unless E2E=1 (`make e2e` sets it, installs the
// emulator and starts moto); with E2E=1, anything missing is a failure.
// E2E_LOGS=1 copies what the emulators and functions write to stderr; a failed
// test logs what they wrote during it anyway.
package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"

	"rcgithub/infra/test/e2e/apigw"
	"rcgithub/infra/test/e2e/lambdarun"
	"rcgithub/infra/test/e2e/stack"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchattest"
)

const (
	clientID     = "Iv1.e2e0000000000001"
	chatSiteURL  = "https://chat.example.com/" // Rocket.Chat sends its siteUrl with a trailing slash
	setupTimeout = 3 * time.Minute
)

// fixture is the deployment every test drives: one emulator per function,
// the stack on moto and the stand-ins. Tests use users of their own, so they
// share it; they run one after the other (an emulator runs one invocation at
// a time, like a Lambda execution environment).
type fixture struct {
	params    stack.Parameters
	stack     *stack.Stack
	github    *githubtest.Server
	chat      *rocketchattest.Incoming
	outgoing  *rocketchattest.Outgoing
	emulators map[string]*lambdarun.Emulator
	api       *apigw.API
	scheduler *awsscheduler.Client
	dynamodb  *awsdynamodb.Client

	cleanups []func() error
}

var (
	setupOnce   sync.Once
	shared      *fixture
	setupErr    error
	skipMessage = "end-to-end tests of the built Lambdas under the runtime emulator: set E2E=1 (`make e2e` installs the emulator, starts moto and sets it)"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.close(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e teardown:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// deployment returns the shared fixture, building it on first use. It skips
// the test unless E2E=1 and fails it when the deployment cannot be made.
func deployment(t *testing.T) *fixture {
	t.Helper()
	if os.Getenv("E2E") != "1" {
		t.Skip(skipMessage)
	}
	setupOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		shared, setupErr = setUp(ctx)
	})
	if setupErr != nil {
		t.Fatalf("E2E=1 but the deployment could not be set up: %v", setupErr)
	}
	shared.dumpLogsOnFailure(t)
	return shared
}

func setUp(ctx context.Context) (*fixture, error) {
	f := &fixture{emulators: map[string]*lambdarun.Emulator{}}
	if err := f.setUp(ctx); err != nil {
		return nil, errors.Join(err, f.close())
	}
	return f, nil
}

func (f *fixture) setUp(ctx context.Context) error {
	endpoint := os.Getenv("MOTO_ENDPOINT")
	if endpoint == "" {
		return errors.New("MOTO_ENDPOINT is not set: start moto (`make e2e` does) and set MOTO_ENDPOINT=http://127.0.0.1:<port>")
	}
	moduleDir, err := lambdarun.ModuleDir(ctx)
	if err != nil {
		return err
	}
	rie, err := findRIE()
	if err != nil {
		return err
	}

	binDir, err := os.MkdirTemp("", "rcgithub-e2e-")
	if err != nil {
		return fmt.Errorf("bootstrap directory: %w", err)
	}
	f.cleanups = append(f.cleanups, func() error { return os.RemoveAll(binDir) })
	bootstraps := map[string]string{}
	for _, fn := range stack.Functions {
		out := filepath.Join(binDir, fn.Name, "bootstrap")
		if err := lambdarun.Build(ctx, moduleDir, "./functions/"+fn.Name, runtime.GOARCH, out); err != nil {
			return err
		}
		bootstraps[fn.Name] = out
	}

	f.params = stack.Defaults()
	clientSecret, webhookToken := rand.Text(), rand.Text()
	f.github = githubtest.New(githubtest.Options{ClientID: clientID, ClientSecret: clientSecret,
		RedirectURLs: []string{f.params.PublicURL + "/oauth/callback"}})
	githubURL, stopGitHub := f.github.Start()
	f.cleanups = append(f.cleanups, func() error { stopGitHub(); return nil })
	f.chat = rocketchattest.NewIncoming()
	f.cleanups = append(f.cleanups, func() error { f.chat.Close(); return nil })
	f.outgoing = &rocketchattest.Outgoing{Token: webhookToken, SiteURL: chatSiteURL}
	f.params.GitHubClientID = clientID
	f.params.GitHubURL, f.params.GitHubAPIURL = githubURL, githubURL

	st, err := stack.Create(ctx, endpoint, "e2e-"+strings.ToLower(rand.Text()[:8]), stack.Secrets{
		GitHubClientSecret: clientSecret, WebhookToken: webhookToken, IncomingWebhookURL: f.chat.URL()})
	if err != nil {
		return fmt.Errorf("create the stack on moto at %s: %w", endpoint, err)
	}
	f.stack = st
	f.cleanups = append(f.cleanups, func() error { return st.Delete(context.Background()) })
	f.scheduler = awsscheduler.NewFromConfig(st.Config())
	f.dynamodb = awsdynamodb.NewFromConfig(st.Config())

	var output io.Writer
	if os.Getenv("E2E_LOGS") == "1" {
		output = os.Stderr // every line the emulators and functions write, as it comes
	}
	for _, fn := range stack.Functions {
		e, err := lambdarun.Start(ctx, lambdarun.Options{RIE: rie, Bootstrap: bootstraps[fn.Name],
			Env: st.Env(fn, f.params), Output: output})
		if err != nil {
			return fmt.Errorf("run %s under the emulator: %w", fn.Name, err)
		}
		f.emulators[fn.Name] = e
	}
	// The routes of template.yaml's HttpApi.
	webhook, callback := f.emulators[stack.Webhook.Name].Invoke, f.emulators[stack.Callback.Name].Invoke
	f.api = &apigw.API{BaseURL: f.params.PublicURL, Routes: map[string]apigw.Invoker{
		"POST /rocketchat/webhook": webhook,
		"GET /oauth/start":         callback,
		"POST /oauth/start":        callback,
		"GET /oauth/callback":      callback,
	}}
	return nil
}

// findRIE returns the emulator's path: $AWS_LAMBDA_RIE (`make e2e` sets it),
// else aws-lambda-rie on the PATH.
func findRIE() (string, error) {
	path := os.Getenv("AWS_LAMBDA_RIE")
	if path == "" {
		path = "aws-lambda-rie"
	}
	found, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("the Lambda Runtime Interface Emulator is not installed (`make e2e` installs it and sets AWS_LAMBDA_RIE): %w", err)
	}
	return found, nil
}

func (f *fixture) close() error {
	for _, e := range f.emulators {
		e.Stop()
	}
	var errs []error
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, f.cleanups[i]())
	}
	return errors.Join(errs...)
}

// dumpLogsOnFailure logs what the functions wrote during a failed test.
func (f *fixture) dumpLogsOnFailure(t *testing.T) {
	start := map[string]int{}
	for name, e := range f.emulators {
		start[name] = len(e.Logs())
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for name, e := range f.emulators {
			if logs := e.Logs(); len(logs) > start[name] {
				t.Logf("output of the %s function during this test:\n%s", name, logs[start[name]:])
			}
		}
	})
}
