package main

import (
	"context"
	"strings"
	"testing"

	"rcgithub/shared/session"
)

func TestEndSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.login(t, alice, "octocat")
	e.login(t, bob, "bob-gh")
	_, aliceTok := e.liveToken(t, alice)
	_, bobTok := e.liveToken(t, bob)
	// The same user id on another site is someone else.
	other := e.rc.SiteURL
	e.rc.SiteURL = "https://other.example.com"
	e.login(t, alice, "octocat-other")
	e.rc.SiteURL = other
	otherKey := session.Key{Site: "https://other.example.com", UserID: alice.ID}

	var out strings.Builder
	if err := endSessions(ctx, e.app.Service, e.app.db, site+"/", alice.ID, &out); err != nil {
		t.Fatal(err)
	}
	if e.gh.TokenAlive(aliceTok) || !e.gh.TokenAlive(bobTok) {
		t.Fatalf("one user: alice's token alive %v, bob's %v", e.gh.TokenAlive(aliceTok), e.gh.TokenAlive(bobTok))
	}
	if !strings.Contains(out.String(), "1 session(s) ended") {
		t.Fatalf("output %q", out.String())
	}
	out.Reset()
	if err := endSessions(ctx, e.app.Service, e.app.db, site, "", &out); err != nil {
		t.Fatal(err)
	}
	if e.gh.TokenAlive(bobTok) || !strings.Contains(out.String(), "1 session(s) ended") {
		t.Fatalf("whole site: bob's token alive %v; output %q", e.gh.TokenAlive(bobTok), out.String())
	}
	if _, err := e.app.Service.Store.GetSession(ctx, otherKey); err != nil {
		t.Fatalf("ending a site's sessions touched another site: %v", err)
	}
}
