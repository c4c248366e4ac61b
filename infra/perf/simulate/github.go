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
// user did it in their settings), fail revocations during an outage, and
// refuse revocations over GitHub's rate limit for the app's client-credential
// calls. Safe for concurrent use.
type fakeGitHub struct {
	now func() time.Time

	mu     sync.Mutex
	alive  map[string]tokenState
	byUser []string // the last token issued to each user

	next atomic.Uint64
	// outage: revocations fail from..to (Unix nanoseconds; both 0: never).
	outageFrom, outageTo int64

	// limit is how many revocations GitHub accepts in one window of its
	// primary rate limit (0: no limit). As GitHub's x-ratelimit-reset says,
	// the window is fixed: it opens at the first call after the last one
	// closed and resets an hour later, whatever was sent in it.
	limit       int
	windowEnd   int64   // Unix ns; guarded by mu
	windowUsed  int     // revocations accepted in the current window; guarded by mu
	windowsUsed []int32 // accepted revocations of each window, in order; guarded by mu

	// life counts the revocations GitHub accepted by how long the token
	// outlived its session (whole minutes, the last bucket "or more");
	// guarded by mu.
	life        []int64
	longestLife time.Duration
	// awaiting is how many tokens alive at GitHub the service has tried to
	// revoke: the sessions ended whose tokens still work.
	awaiting atomic.Int64
	// killedAwaiting counts the tokens their users revoked at GitHub while
	// the service was waiting to.
	killedAwaiting atomic.Int64

	exchanges, users, revokes, revokesFailed atomic.Int64
	// revokesAccepted and revokesRefused split revokes; revokesFirst counts
	// the first call for each token (the revocations the service needs).
	revokesAccepted, revokesRefused, revokesFirst atomic.Int64
}

// tokenState is what the fake knows of a token alive at GitHub.
type tokenState struct {
	user int32
	// ended is when the service first asked to revoke it (Unix ns; 0: never),
	// which is when its session ended: at a logout, a replacement, or the
	// automatic logout the scheduler runs at the session's end.
	ended int64
}

// lifeBuckets is how many minutes life counts one by one: 60 days.
const lifeBuckets = 60 * 24 * 60

// rateLimitWindow is the window of GitHub's primary rate limit.
const rateLimitWindow = time.Hour

var _ session.GitHub = (*fakeGitHub)(nil)

var errRevokeUnavailable = errors.New("fake github: 502 on DELETE /applications/{client_id}/token")

func newFakeGitHub(users int, now func() time.Time) *fakeGitHub {
	return &fakeGitHub{now: now, alive: make(map[string]tokenState, users), byUser: make([]string, users)}
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
	g.alive[tok] = tokenState{user: int32(u)}
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
	st, ok := g.alive[token]
	g.mu.Unlock()
	if !ok {
		return session.User{}, session.ErrTokenDead
	}
	u := st.user
	return session.User{Login: "gh" + strconv.Itoa(int(u)), ID: int64(u) + 1, Scopes: []string{"repo"}}, nil
}

// Revoke kills the token; a dead one is confirmed too, as GitHub answers 404.
// Over the rate limit it refuses, with the *session.RateLimitError
// shared/github makes of GitHub's answer (403, x-ratelimit-remaining 0,
// x-ratelimit-reset the window's end): retry at the reset, spread over the
// next window, limit "primary". TestFakeRefusalIsSharedGitHubs checks it
// against shared/github itself.
func (g *fakeGitHub) Revoke(_ context.Context, token string) error {
	g.revokes.Add(1)
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	st, alive := g.alive[token]
	if alive && st.ended == 0 {
		st.ended = now.UnixNano()
		g.alive[token] = st
		g.awaiting.Add(1)
		g.revokesFirst.Add(1)
	}
	if g.down() {
		g.revokesFailed.Add(1)
		return errRevokeUnavailable
	}
	if g.limit > 0 {
		if g.windowEnd == 0 || now.UnixNano() >= g.windowEnd {
			if g.windowEnd != 0 {
				g.windowsUsed = append(g.windowsUsed, int32(g.windowUsed))
			}
			g.windowEnd, g.windowUsed = now.Add(rateLimitWindow).Truncate(time.Second).UnixNano(), 0
		}
		if g.windowUsed >= g.limit {
			g.revokesRefused.Add(1)
			return refusal(time.Unix(0, g.windowEnd))
		}
		g.windowUsed++
	}
	g.revokesAccepted.Add(1)
	if alive {
		delete(g.alive, token)
		g.awaiting.Add(-1)
		g.recordLife(now.Sub(time.Unix(0, st.ended)))
	}
	return nil
}

// refusal is what shared/github returns for GitHub's primary rate limit
// (403 or 429, x-ratelimit-remaining 0, x-ratelimit-reset reset): see
// rateLimited in shared/github/ratelimit.go, whose primarySpread is an hour.
func refusal(reset time.Time) *session.RateLimitError {
	return &session.RateLimitError{RetryAt: reset, Spread: rateLimitWindow, Limit: "primary"}
}

// recordLife counts a token that lived d at GitHub after its session ended.
// Called with g.mu held.
func (g *fakeGitHub) recordLife(d time.Duration) {
	if g.life == nil {
		g.life = make([]int64, lifeBuckets+1)
	}
	g.life[min(int(d/time.Minute), lifeBuckets)]++
	g.longestLife = max(g.longestLife, d)
}

// revocationWindows returns the revocations GitHub accepted in each window of
// its rate limit, the current one last.
func (g *fakeGitHub) revocationWindows() []int32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := append([]int32(nil), g.windowsUsed...)
	if g.windowEnd != 0 {
		out = append(out, int32(g.windowUsed))
	}
	return out
}

// lifeAfterEnd returns how long the revoked tokens outlived their sessions:
// the p99 and the longest; and the oldest still alive at now.
func (g *fakeGitHub) lifeAfterEnd(now time.Time) (p99, longest, oldestAlive time.Duration, revoked int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.life {
		revoked += n
	}
	var seen int64
	for m, n := range g.life {
		seen += n
		if n > 0 && seen*100 >= revoked*99 {
			p99 = time.Duration(m) * time.Minute
			break
		}
	}
	for _, st := range g.alive {
		if st.ended != 0 {
			oldestAlive = max(oldestAlive, now.Sub(time.Unix(0, st.ended)))
		}
	}
	return p99, g.longestLife, oldestAlive, revoked
}

// revokeAtGitHub kills user u's last token, as the user can in GitHub's
// settings; the service learns it at the next /user call.
func (g *fakeGitHub) revokeAtGitHub(u int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if tok := g.byUser[u]; tok != "" {
		if st, ok := g.alive[tok]; ok && st.ended != 0 {
			g.awaiting.Add(-1)
			g.killedAwaiting.Add(1)
		}
		delete(g.alive, tok)
	}
}

// aliveTokens returns a copy of the live tokens and their users.
func (g *fakeGitHub) aliveTokens() map[string]int32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int32, len(g.alive))
	for k, v := range g.alive {
		out[k] = v.user
	}
	return out
}
