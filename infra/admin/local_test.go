package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/bolt"
	"rcgithub/shared/config"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session"
)

// sandboxServer starts what `make run` starts with no GITHUB_* variable: the
// server in sandbox mode, its stand-in GitHub served under /sandbox/github,
// with its data in dir. It returns the environment `make end-sessions` then
// gives the admin (the Makefile sets GITHUB_SANDBOX=true; no webhook token).
func sandboxServer(t *testing.T, dir string) (*localapp.App, *httptest.Server, map[string]string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	env := map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": "sandbox-webhook-token",
		"PUBLIC_URL": publicURL, "DATA_DIR": dir}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, err := localapp.New(cfg, localapp.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = app.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	return app, srv, map[string]string{"GITHUB_SANDBOX": "true", "PUBLIC_URL": publicURL, "DATA_DIR": dir}
}

// `make end-sessions` right after `make run` in sandbox mode: while the
// server runs, it refuses and says to stop it; once stopped, it ends the
// sessions and says that their tokens died with the server's stand-in GitHub,
// leaving no revocation to retry; a session whose token came from real GitHub
// (the same DATA_DIR used both ways) is left alone, and the command fails.
func TestEndSessionsAfterSandboxRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	app, srv, env := sandboxServer(t, dir)
	getenv := func(k string) string { return env[k] }
	alice := session.Key{Site: site, UserID: "alice-id"}
	if tok := login(t, app, app.Sandbox, alice, "octocat"); !sandboxToken.MatchString(tok) {
		t.Fatalf("the sandbox issued a token of another shape than sandboxToken: %d bytes", len(tok))
	}
	// Carol's session was made on this DATA_DIR against real GitHub (a
	// GitHub-shaped token): the sandbox cannot declare it dead.
	carol := session.Key{Site: site, UserID: "carol-id"}
	realToken, err := app.Sealer.Seal(context.Background(), carol, []byte("gho_16C7e42F292c6912E7710c838347Ae178B4a"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := app.DB.PutSession(context.Background(), session.Session{Key: carol, GitHubLogin: "carol-gh", SealedToken: realToken,
		Started: now, Ends: now.Add(time.Hour), Generation: 1}, 0); err != nil {
		t.Fatal(err)
	}

	var out strings.Builder
	err = runEndSessions([]string{"-site", site}, getenv, &out, nil)
	if err == nil || !strings.Contains(err.Error(), "the server is running: it holds "+filepath.Join(dir, "sessions.db")+". Stop it first") {
		t.Fatalf("while the server runs: %v", err)
	}
	if out.Len() != 0 {
		t.Fatalf("output while refusing: %q", out.String())
	}
	srv.Close()
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	err = runEndSessions([]string{"-site", site}, getenv, &out, nil)
	if err == nil || !strings.Contains(err.Error(), "1 session(s) could not be ended") {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"GitHub sandbox: its tokens lived in the stopped server's memory and died with it",
		site + " alice-id (@octocat): ended (its sandbox token was gone already)",
		site + " carol-id: NOT ended: its token was not issued by the GitHub sandbox (real GitHub?): run this with that OAuth App's GITHUB_CLIENT_ID",
		"1 session(s) ended (0 revocation(s) still being retried), 1 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Nothing is left behind: no session, and no job (neither the automatic
	// logout nor a revocation retry that could never succeed).
	db, err := bolt.Open(filepath.Join(dir, "sessions.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := db.LiveSessions(context.Background(), site, "")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := bolt.NewScheduler(db, nil, nil).Pending(context.Background())
	if err != nil || len(keys) != 1 || keys[0] != carol || pending != 0 {
		t.Fatalf("left: sessions %v, %d jobs (%v); want carol's session only", keys, pending, err)
	}
}

// -stack belongs to -aws; -aws needs a stack or the functions' environment,
// and a Region to find the stack in.
func TestEndSessionsArguments(t *testing.T) {
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	none := func(string) string { return "" }
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-site", site, "-stack", "rcgithub"}, "-stack goes with -aws"},
		{[]string{"-site", site, "-aws"}, "with -aws, name the stack: -stack NAME"},
		{[]string{"-site", site, "-aws", "-stack", "rcgithub"}, "no AWS Region: set AWS_REGION"},
	} {
		if err := runEndSessions(tt.args, none, &strings.Builder{}, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v", tt.args, err)
		}
	}
}
