package session_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// refreshToken opens the stored refresh token of s.
func (f *fixture) refreshToken(t *testing.T, s session.Session) string {
	t.Helper()
	return f.open(t, s.Key, s.SealedRefresh)
}

func (f *fixture) stored(t *testing.T, k session.Key) session.Session {
	t.Helper()
	s, err := f.db.GetSession(context.Background(), k)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	return s
}

func TestOAuthAppTokensNeverRefresh(t *testing.T) {
	f := newFixtureFor(t, false)
	s := f.login(t, alice, "octocat")
	if s.SealedRefresh != nil || !s.TokenExpires.IsZero() || !s.RefreshExpires.IsZero() {
		t.Fatalf("OAuth App session has refresh data: %+v", s)
	}
	f.clock.Advance(6 * 24 * time.Hour)
	st, err := f.svc.GetStatus(context.Background(), alice)
	if err != nil || !st.Checked {
		t.Fatalf("GetStatus: %+v, %v", st, err)
	}
	if n := f.gh.Requests(githubtest.RouteToken); n != 1 {
		t.Errorf("token endpoint got %d requests, want only the login's", n)
	}
	if got := f.stored(t, alice); !bytes.Equal(got.SealedToken, s.SealedToken) {
		t.Error("the stored token changed")
	}
}

func TestGitHubAppStatusRefreshesAndKeepsTheSession(t *testing.T) {
	f := newFixtureFor(t, true)
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	oldAccess, oldRefresh := f.token(t, s), f.refreshToken(t, s)
	if !strings.HasPrefix(oldAccess, "ghu_") || !strings.HasPrefix(oldRefresh, "ghr_") {
		t.Fatal("login did not store a GitHub App token pair")
	}
	if bytes.Contains(s.SealedRefresh, []byte(oldRefresh)) {
		t.Fatal("refresh token stored in plaintext")
	}
	if !s.TokenExpires.Equal(t0.Add(8*time.Hour)) || !s.RefreshExpires.After(s.Ends) || s.Scopes != nil {
		t.Fatalf("session %+v: want the token to expire at %v, the refresh token after the session, no scopes", s, t0.Add(8*time.Hour))
	}

	f.clock.Advance(9 * time.Hour)
	st, err := f.svc.GetStatus(ctx, alice)
	if err != nil || !st.Checked {
		t.Fatalf("GetStatus after 9 hours: %+v, %v", st, err)
	}
	got := f.stored(t, alice)
	newAccess, newRefresh := f.token(t, got), f.refreshToken(t, got)
	switch {
	case got.Generation != s.Generation || !got.Ends.Equal(s.Ends):
		t.Fatalf("refresh changed the session identity: %+v", got)
	case newAccess == oldAccess || newRefresh == oldRefresh:
		t.Fatal("the stored pair was not replaced")
	case !f.gh.TokenAlive(newAccess) || !f.gh.RefreshAlive(newRefresh) || f.gh.RefreshAlive(oldRefresh):
		t.Fatal("the stored pair is not the live one at GitHub")
	case bytes.Contains(got.SealedToken, []byte(newAccess)) || bytes.Contains(got.SealedRefresh, []byte(newRefresh)):
		t.Fatal("refreshed pair stored in plaintext")
	case !got.TokenExpires.Equal(f.clock.Now().Add(8 * time.Hour)):
		t.Fatalf("token expires %v, want 8 hours from now", got.TokenExpires)
	}
	due, ok, err := f.sched.Due(ctx, session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation})
	if err != nil || !ok || !due.Equal(s.Ends) {
		t.Fatalf("automatic logout due %v %v %v, want %v", due, ok, err, s.Ends)
	}

	// Within the refreshed token's lifetime, no further refresh.
	if _, err := f.svc.GetStatus(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if got2 := f.stored(t, alice); !bytes.Equal(got2.SealedToken, got.SealedToken) {
		t.Fatal("a token far from its expiry was refreshed")
	}

	// An hour before the end, the token is refreshed again; the automatic
	// logout then revokes the token in use, and its refresh token with it.
	f.clock.Set(s.Ends.Add(-time.Hour))
	if _, err := f.svc.GetStatus(ctx, alice); err != nil {
		t.Fatal(err)
	}
	last := f.stored(t, alice)
	newAccess, newRefresh = f.token(t, last), f.refreshToken(t, last)
	if !f.gh.TokenAlive(newAccess) {
		t.Fatal("the token in use before the end is not alive")
	}
	f.clock.Set(s.Ends)
	f.runDue(t)
	if _, err := f.db.GetSession(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("session after automatic logout: %v", err)
	}
	if f.gh.TokenAlive(newAccess) || f.gh.RefreshAlive(newRefresh) {
		t.Fatal("token pair still alive at GitHub after automatic logout")
	}
	if _, err := f.db.GetRetired(ctx, alice, s.Generation); !errors.Is(err, session.ErrNotFound) {
		t.Fatal("the sealed tokens were kept after revocation")
	}
}

func TestGitHubAppAutomaticLogoutOfAnExpiredToken(t *testing.T) {
	f := newFixtureFor(t, true)
	s := f.login(t, alice, "octocat")
	access := f.token(t, s)
	f.clock.Set(s.Ends) // the token expired days ago; GitHub confirms it dead
	f.runDue(t)
	f.wantEnded(t, s, "after automatic logout")
	if f.gh.TokenAlive(access) {
		t.Fatal("expired token alive")
	}
}

// wantEnded fails the test unless s is over and cleaned up: no live session
// for its key, no retired copy of its sealed tokens, no job pending.
func (f *fixture) wantEnded(t *testing.T, s session.Session, when string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.GetSession(ctx, s.Key); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("session %s: %v", when, err)
	}
	if _, err := f.db.GetRetired(ctx, s.Key, s.Generation); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the sealed tokens were kept %s", when)
	}
	if n, err := f.sched.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("pending jobs %s: %d, %v", when, n, err)
	}
}

// newAppSessionDueForRefresh logs alice in through a GitHub App (expiring
// user tokens) and moves the clock past her access token's 8-hour life, so
// that her next status check must refresh it.
func newAppSessionDueForRefresh(t *testing.T) (*fixture, session.Session) {
	t.Helper()
	f := newFixtureFor(t, true)
	s := f.login(t, alice, "octocat")
	f.clock.Advance(9 * time.Hour)
	return f, s
}

func TestGitHubAppConcurrentRefreshesKeepTheSession(t *testing.T) {
	f, s := newAppSessionDueForRefresh(t)
	ctx := context.Background()

	const callers = 6
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			st, err := f.svc.GetStatus(ctx, alice)
			if err == nil && !st.Checked {
				err = errors.New("token not checked")
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("GetStatus %d: %v", i, err)
		}
	}
	got := f.stored(t, alice)
	if got.Generation != s.Generation {
		t.Fatal("the session was replaced")
	}
	live := f.gh.LiveTokens("octocat")
	if len(live) != 1 || live[0] != f.token(t, got) || !f.gh.RefreshAlive(f.refreshToken(t, got)) {
		t.Fatalf("live tokens at GitHub %d, want exactly the stored one", len(live))
	}
}

func TestGitHubAppRefreshFailureEndsTheSession(t *testing.T) {
	tests := []struct {
		name    string
		ttl     time.Duration
		breakIt func(f *fixture)
	}{
		{"app revoked at GitHub", 7 * 24 * time.Hour, func(f *fixture) {
			f.clock.Advance(9 * time.Hour)
			f.gh.RevokeAll("octocat")
		}},
		{"refresh token expired", 400 * 24 * time.Hour, func(f *fixture) {
			f.clock.Advance(184 * 24 * time.Hour)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureFor(t, true)
			f.svc.TTL = tt.ttl
			ctx := context.Background()
			s := f.login(t, alice, "octocat")
			access, refresh := f.token(t, s), f.refreshToken(t, s)
			tt.breakIt(f)
			m := &countingMetrics{counts: map[string]int{}}
			f.svc.Metrics = m

			if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrEndedAtGitHub) {
				t.Fatalf("GetStatus: %v, want ErrEndedAtGitHub", err)
			}
			// A refused refresh is counted once, as the logout it causes.
			if want := map[string]int{"Logouts/revoked_at_github": 1}; !reflect.DeepEqual(m.counts, want) {
				t.Fatalf("counts %v, want %v", m.counts, want)
			}
			f.wantEnded(t, s, "after a failed refresh")
			if f.gh.TokenAlive(access) || f.gh.RefreshAlive(refresh) {
				t.Fatal("the old tokens still work at GitHub")
			}
			if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("GetStatus again: %v, want ErrNotFound", err)
			}
		})
	}
}

// staleStore answers the first GetSession with a snapshot taken earlier: a
// caller that read the session just before a concurrent refresh stored its pair.
type staleStore struct {
	session.Store
	mu    sync.Mutex
	stale *session.Session
}

func (s *staleStore) GetSession(ctx context.Context, k session.Key) (session.Session, error) {
	s.mu.Lock()
	stale := s.stale
	s.stale = nil
	s.mu.Unlock()
	if stale != nil {
		return *stale, nil
	}
	return s.Store.GetSession(ctx, k)
}

func TestGitHubAppLosingRefreshUsesTheWinnersToken(t *testing.T) {
	f, s := newAppSessionDueForRefresh(t)
	ctx := context.Background()
	before := f.stored(t, alice)

	// The winner refreshes and stores the new pair.
	if _, err := f.svc.GetStatus(ctx, alice); err != nil {
		t.Fatal(err)
	}
	winner := f.stored(t, alice)
	refreshes := f.gh.Requests(githubtest.RouteToken)

	// The loser read the session before that: its refresh token is used up.
	loser := *f.svc
	loser.Store = &staleStore{Store: f.db, stale: &before}
	st, err := loser.GetStatus(ctx, alice)
	if err != nil || !st.Checked {
		t.Fatalf("losing GetStatus: %+v, %v", st, err)
	}
	if n := f.gh.Requests(githubtest.RouteToken); n != refreshes+1 {
		t.Fatalf("token endpoint requests %d, want the loser's refused refresh (%d)", n, refreshes+1)
	}
	if !bytes.Equal(st.SealedToken, winner.SealedToken) {
		t.Fatal("the loser did not use the winner's token")
	}
	got := f.stored(t, alice)
	if got.Generation != s.Generation || !bytes.Equal(got.SealedToken, winner.SealedToken) || !f.gh.TokenAlive(f.token(t, got)) {
		t.Fatal("the losing refresh changed or ended the session")
	}
}

func TestGitHubAppRefreshWhileGitHubIsDownKeepsTheSession(t *testing.T) {
	f, s := newAppSessionDueForRefresh(t)
	ctx := context.Background()
	f.gh.SetFault(githubtest.RouteToken, githubtest.Fault{Status: 502})
	m := &countingMetrics{counts: map[string]int{}}
	f.svc.Metrics = m
	st, err := f.svc.GetStatus(ctx, alice)
	if err != nil || st.Checked || st.Generation != s.Generation {
		t.Fatalf("GetStatus with GitHub down: %+v, %v; want the session, unchecked", st, err)
	}
	if want := map[string]int{"Failures/token_refresh": 1}; !reflect.DeepEqual(m.counts, want) {
		t.Fatalf("counts %v, want %v", m.counts, want)
	}
	f.gh.ClearFault(githubtest.RouteToken)
	if st, err := f.svc.GetStatus(ctx, alice); err != nil || !st.Checked {
		t.Fatalf("GetStatus once GitHub is back: %+v, %v", st, err)
	}
}

// flakyUpdateStore fails the first failures calls of UpdateToken without
// writing, as a store that times out does; cancel, when set, is called at the
// start of every UpdateToken: the request runs out of time during the write.
type flakyUpdateStore struct {
	session.Store
	mu       sync.Mutex
	failures int
	cancel   context.CancelFunc
}

func (s *flakyUpdateStore) UpdateToken(ctx context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	if s.cancel != nil {
		s.cancel()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	fail := s.failures > 0
	s.failures--
	s.mu.Unlock()
	if fail {
		return errors.New("store: request timed out")
	}
	return s.Store.UpdateToken(ctx, k, gen, sealedToken, sealedRefresh, tokenExpires, refreshExpires)
}

// A refresh whose new pair the store failed to take once, or whose request ran
// out of time while writing it, must not turn into "revoked at GitHub": the
// old refresh token is used up, so a lost pair ends the session at the next
// refresh.
func TestGitHubAppRefreshSurvivesAFailedWrite(t *testing.T) {
	tests := []struct {
		name       string
		failures   int
		cancelCtx  bool
		wantStatus bool // the first status still confirms the token at GitHub
	}{
		{name: "the store fails once", failures: 1, wantStatus: true},
		{name: "the request's time runs out during the write", cancelCtx: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, s := newAppSessionDueForRefresh(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			store := &flakyUpdateStore{Store: f.db, failures: tt.failures}
			if tt.cancelCtx {
				store.cancel = cancel
			}
			f.svc.Store = store

			st, err := f.svc.GetStatus(ctx, alice)
			if err != nil || st.Generation != s.Generation || st.Checked != tt.wantStatus {
				t.Fatalf("GetStatus during the failed write: %+v, %v; want the session, checked %v", st, err, tt.wantStatus)
			}
			got := f.stored(t, alice)
			if bytes.Equal(got.SealedToken, s.SealedToken) || !f.gh.TokenAlive(f.token(t, got)) || !f.gh.RefreshAlive(f.refreshToken(t, got)) {
				t.Fatal("the refreshed pair was not stored, or is not the live one at GitHub")
			}
			store.cancel = nil
			st, err = f.svc.GetStatus(context.Background(), alice)
			if err != nil || !st.Checked || st.Generation != s.Generation {
				t.Fatalf("next GetStatus: %+v, %v; want the same session, checked", st, err)
			}
		})
	}
}
