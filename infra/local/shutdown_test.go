package main

import (
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"rcgithub/shared/githubtest"
	"rcgithub/shared/localapp"
)

// TestStopDeliversADeferredAnswer: a command deferred because GitHub is slow
// is still running when the server is told to stop. The server stops taking
// requests first, then lets the command finish within its grace: its answer
// reaches the user by direct message before the database closes.
func TestStopDeliversADeferredAnswer(t *testing.T) {
	skipIfShort(t)
	// GitHub's client waits longer than the stand-in's delay, so that the
	// webhook's budget (web.DefaultBudget), not the client, gives up first.
	e, ln := prepareEnv(t, localapp.Options{GitHubHTTPClient: &http.Client{Timeout: time.Minute}})
	signals := make(chan os.Signal, 1)
	served := make(chan error, 1)
	go func() { served <- serve(e.app, ln, e.app.Logger, signals) }()
	e.gh.Seed()
	e.login(t, alice, "octocat")
	// The webhook's try and the deferred run's both wait past the budget.
	e.gh.SetFault(githubtest.RouteRepo, githubtest.Fault{Delay: 9 * time.Second, Times: 2})
	if got := dm(t, e.say(t, alice, "/github octocat/hello-world"), alice); !strings.Contains(got, "direct message") {
		t.Fatalf("answer %q; want the command deferred", got)
	}
	signals <- syscall.SIGTERM // the deferred run is waiting for GitHub
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	var got []string
	for _, m := range e.chat.MessagesTo("@" + alice.ID) {
		got = append(got, m.Text)
	}
	if !strings.Contains(strings.Join(got, "\n"), "**[octocat/hello-world](") {
		t.Fatalf("direct messages after the stop: %q; want the deferred card", got)
	}
}
