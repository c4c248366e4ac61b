package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"rcgithub/shared/github"
	"rcgithub/shared/session"
)

// The fake refuses a revocation over the limit with the very error
// shared/github makes of GitHub's answer at its primary rate limit (403,
// x-ratelimit-remaining 0, x-ratelimit-reset), so the service sees what it
// would in production.
func TestFakeRefusalIsSharedGitHubs(t *testing.T) {
	now := time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC)
	reset := now.Add(37 * time.Minute)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"API rate limit exceeded"}`))
	}))
	defer srv.Close()
	c := github.New(github.Config{ClientID: "Iv1.sim", ClientSecret: "secret", APIURL: srv.URL, BaseURL: srv.URL,
		Now: func() time.Time { return now }, RevocationsPerHour: -1})
	var real *session.RateLimitError
	if err := c.Revoke(context.Background(), "gho_sim1"); !errors.As(err, &real) {
		t.Fatalf("shared/github: Revoke = %v, want a *session.RateLimitError", err)
	}
	if fake := refusal(reset); !fake.RetryAt.Equal(real.RetryAt) || fake.Spread != real.Spread || fake.Limit != real.Limit {
		t.Errorf("the fake refuses with %+v, shared/github with %+v", fake, real)
	}
}

// The fake accepts limit revocations in a window of an hour from the first,
// refuses the others until the window resets, and says when it does.
func TestFakeRevocationLimit(t *testing.T) {
	start := time.Date(2027, 1, 11, 9, 0, 30, 0, time.UTC)
	now := start
	g := newFakeGitHub(10, func() time.Time { return now })
	g.limit = 3
	ctx := context.Background()
	tokens := make([]string, 6)
	for u := range tokens {
		tok, err := g.Exchange(ctx, codeOf(u), "")
		if err != nil {
			t.Fatal(err)
		}
		tokens[u] = tok.AccessToken
	}
	for i, tok := range tokens[:3] {
		now = start.Add(time.Duration(i) * 10 * time.Minute)
		if err := g.Revoke(ctx, tok); err != nil {
			t.Fatalf("revocation %d within the limit: %v", i, err)
		}
	}
	now = start.Add(59 * time.Minute)
	var rl *session.RateLimitError
	if err := g.Revoke(ctx, tokens[3]); !errors.As(err, &rl) || !rl.RetryAt.Equal(start.Add(time.Hour).Truncate(time.Second)) {
		t.Fatalf("fourth revocation in the window = %v, want a refusal until %v", err, start.Add(time.Hour))
	}
	if _, err := g.User(ctx, tokens[3]); err != nil {
		t.Errorf("a refused revocation killed the token: %v", err)
	}
	now = rl.RetryAt
	for _, tok := range tokens[3:] {
		if err := g.Revoke(ctx, tok); err != nil {
			t.Fatalf("after the reset: %v", err)
		}
	}
	if w := g.revocationWindows(); !reflect.DeepEqual(w, []int32{3, 3}) {
		t.Errorf("windows %v, want [3 3]", w)
	}
	if g.awaiting.Load() != 0 || g.revokesRefused.Load() != 1 || g.revokesFirst.Load() != 6 {
		t.Errorf("awaiting %d, refused %d, first calls %d; want 0, 1, 6", g.awaiting.Load(), g.revokesRefused.Load(), g.revokesFirst.Load())
	}
	_, longest, _, revoked := g.lifeAfterEnd(now)
	if revoked != 6 || longest != time.Minute {
		t.Errorf("%d revoked, longest life after the end %v; want 6, 1m (the refused one)", revoked, longest)
	}
}
