package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session"
)

const (
	site      = "https://chat.example.com"
	otherSite = "https://other.example.com"
)

// TestEndSessions runs `admin end-sessions` on a one-machine DATA_DIR where
// the server (localapp, as `make run` wires it) left live sessions: one user,
// then the whole site, and never another site's user of the same id.
func TestEndSessions(t *testing.T) {
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.admin", ClientSecret: "admin-client-secret"})
	ghURL, stop := gh.Start()
	t.Cleanup(stop)
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"PUBLIC_URL": "http://127.0.0.1:8080", "GITHUB_CLIENT_ID": "Iv1.admin",
		"GITHUB_CLIENT_SECRET": "admin-client-secret", "GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL,
		"ROCKETCHAT_WEBHOOK_TOKEN": "admin-webhook-token-0123456789", "DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.LoadLocal(getenv)
	if err != nil {
		t.Fatal(err)
	}
	app, err := localapp.New(cfg, localapp.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := session.Key{Site: site, UserID: "alice-id"}, session.Key{Site: site, UserID: "bob-id"}
	aliceOther := session.Key{Site: otherSite, UserID: "alice-id"} // someone else
	aliceTok := login(t, app, gh, alice, "octocat")
	bobTok := login(t, app, gh, bob, "bob-gh")
	otherTok := login(t, app, gh, aliceOther, "octocat-other")
	if err := app.Close(); err != nil { // the server stops before the admin runs
		t.Fatal(err)
	}

	var out strings.Builder
	if err := runEndSessions([]string{"-site", site + "/", "-user", alice.UserID}, getenv, &out, nil); err != nil {
		t.Fatal(err)
	}
	if gh.TokenAlive(aliceTok) || !gh.TokenAlive(bobTok) || !strings.Contains(out.String(), "1 session(s) ended") {
		t.Fatalf("one user: alice's token alive %v, bob's %v; output %q", gh.TokenAlive(aliceTok), gh.TokenAlive(bobTok), out.String())
	}
	out.Reset()
	if err := runEndSessions([]string{"-site", site}, getenv, &out, nil); err != nil {
		t.Fatal(err)
	}
	if gh.TokenAlive(bobTok) || !strings.Contains(out.String(), "1 session(s) ended") {
		t.Fatalf("whole site: bob's token alive %v; output %q", gh.TokenAlive(bobTok), out.String())
	}
	if !gh.TokenAlive(otherTok) {
		t.Fatal("ending a site's sessions revoked another site's")
	}
	if err := runEndSessions(nil, getenv, &out, nil); err == nil || !strings.Contains(err.Error(), "-site is required") {
		t.Fatalf("without -site: %v", err)
	}
}

// login walks the service's login for k as GitHub user ghLogin, as the
// browser would, and returns the token GitHub issued.
func login(t *testing.T, app *localapp.App, gh *githubtest.Server, k session.Key, ghLogin string) string {
	t.Helper()
	return loginTo(t, app.Service, gh, k, ghLogin)
}

// loginTo is login on any deployment's service.
func loginTo(t *testing.T, svc *session.Service, gh *githubtest.Server, k session.Key, ghLogin string) string {
	t.Helper()
	ctx := context.Background()
	l, err := svc.StartLogin(ctx, session.LinkRequest{Key: k, UserName: ghLogin, MessageID: "msg-" + ghLogin})
	if err != nil {
		t.Fatal(err)
	}
	secret := base64.RawURLEncoding.EncodeToString([]byte(rand.Text()))
	authURL, err := svc.Authorize(ctx, l.ID, secret)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := gh.Authorize(authURL, ghLogin)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.CompleteLogin(ctx, u.Query().Get("state"), u.Query().Get("code"), secret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.Sealer.Open(ctx, k, s.SealedToken)
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}
