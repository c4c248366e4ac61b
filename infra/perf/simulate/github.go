package main

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"rcgithub/shared/session"
)

// fakeGitHub implements session.GitHub in process, without HTTP: a map of
// the tokens alive, by user. It can revoke a user's token "at GitHub" (the
// user did it in their settings) and fail revocations during an outage.
// Safe for concurrent use.
type fakeGitHub struct {
	now func() time.Time

	mu     sync.Mutex
	alive  map[string]int32 // token → user index
	byUser []string         // the last token issued to each user

	next atomic.Uint64
	// outage: revocations fail from..to (Unix nanoseconds; both 0: never).
	outageFrom, outageTo int64

	exchanges, users, revokes, revokesFailed atomic.Int64
}

var _ session.GitHub = (*fakeGitHub)(nil)

var errRevokeUnavailable = errors.New("fake github: 502 on DELETE /applications/{client_id}/token")

func newFakeGitHub(users int, now func() time.Time) *fakeGitHub {
	return &fakeGitHub{now: now, alive: make(map[string]int32, users), byUser: make([]string, users)}
}

// down tells whether revocations fail now.
func (g *fakeGitHub) down() bool {
	t := g.now().UnixNano()
	return g.outageTo != 0 && t >= g.outageFrom && t < g.outageTo
}

// AuthCodeURL returns the state itself: the simulation passes it back as
// the browser would, GitHub's consent screen being no part of the model.
func (g *fakeGitHub) AuthCodeURL(state, _ string, _ []string) string { return state }

// codeOf is the authorization code GitHub gives user u.
func codeOf(u int) string { return "code-" + strconv.Itoa(u) }

// Exchange issues a new token to the user the code names.
func (g *fakeGitHub) Exchange(_ context.Context, code, _ string) (session.Token, error) {
	g.exchanges.Add(1)
	u, err := strconv.Atoi(code[len("code-"):])
	if err != nil || u < 0 || u >= len(g.byUser) {
		return session.Token{}, &session.OAuthError{Code: "bad_verification_code"}
	}
	tok := "gho_sim" + strconv.FormatUint(g.next.Add(1), 36)
	g.mu.Lock()
	g.alive[tok] = int32(u)
	g.byUser[u] = tok
	g.mu.Unlock()
	return session.Token{AccessToken: tok, Scopes: []string{"repo"}}, nil
}

// Refresh is never called: the simulated app is an OAuth App, whose tokens
// do not expire.
func (g *fakeGitHub) Refresh(context.Context, string) (session.Token, error) {
	return session.Token{}, errors.New("fake github: no refresh tokens")
}

// User answers /user for a live token, ErrTokenDead otherwise.
func (g *fakeGitHub) User(_ context.Context, token string) (session.User, error) {
	g.users.Add(1)
	g.mu.Lock()
	u, ok := g.alive[token]
	g.mu.Unlock()
	if !ok {
		return session.User{}, session.ErrTokenDead
	}
	return session.User{Login: "gh" + strconv.Itoa(int(u)), ID: int64(u) + 1, Scopes: []string{"repo"}}, nil
}

// Revoke kills the token; a dead one is confirmed too, as GitHub answers 404.
func (g *fakeGitHub) Revoke(_ context.Context, token string) error {
	g.revokes.Add(1)
	if g.down() {
		g.revokesFailed.Add(1)
		return errRevokeUnavailable
	}
	g.mu.Lock()
	delete(g.alive, token)
	g.mu.Unlock()
	return nil
}

// revokeAtGitHub kills user u's last token, as the user can in GitHub's
// settings; the service learns it at the next /user call.
func (g *fakeGitHub) revokeAtGitHub(u int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if tok := g.byUser[u]; tok != "" {
		delete(g.alive, tok)
	}
}

// aliveTokens returns a copy of the live tokens and their users.
func (g *fakeGitHub) aliveTokens() map[string]int32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int32, len(g.alive))
	for k, v := range g.alive {
		out[k] = v
	}
	return out
}
