package session_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// chatops acts at GitHub with the tokens the service hands out.
var _ chatops.Sessions = (*session.Service)(nil)

func TestUserToken(t *testing.T) {
	tests := []struct {
		name      string
		githubApp bool
		login     bool
		// setUp breaks or moves things after the login.
		setUp   func(f *fixture, s session.Session)
		wantErr error // nil: a usable token
		// wantRefreshed: the token handed out is a new one, stored in place
		// of the login's (same generation).
		wantRefreshed bool
		wantSession   bool // the session is still live afterwards
	}{
		{name: "not logged in", wantErr: session.ErrNotFound},
		{name: "OAuth App token", login: true, wantSession: true},
		{name: "past the session's end", login: true, wantErr: session.ErrNotFound, wantSession: true,
			setUp: func(f *fixture, s session.Session) { f.clock.Set(s.Ends) }},
		{name: "GitHub App token within its life", githubApp: true, login: true, wantSession: true,
			setUp: func(f *fixture, _ session.Session) { f.clock.Advance(7 * time.Hour) }},
		{name: "GitHub App token due for refresh", githubApp: true, login: true, wantRefreshed: true, wantSession: true,
			setUp: func(f *fixture, _ session.Session) { f.clock.Advance(9 * time.Hour) }},
		{name: "GitHub unreachable for the refresh", githubApp: true, login: true,
			wantErr: session.ErrRefreshUnavailable, wantSession: true,
			setUp: func(f *fixture, _ session.Session) {
				f.clock.Advance(9 * time.Hour)
				f.gh.SetFault(githubtest.RouteToken, githubtest.Fault{Status: 502})
			}},
		{name: "GitHub refuses the refresh", githubApp: true, login: true, wantErr: session.ErrEndedAtGitHub,
			setUp: func(f *fixture, _ session.Session) {
				f.clock.Advance(9 * time.Hour)
				f.gh.RevokeAll("octocat")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureFor(t, tt.githubApp)
			ctx := context.Background()
			var s session.Session
			if tt.login {
				s = f.login(t, alice, "octocat")
			}
			if tt.setUp != nil {
				tt.setUp(f, s)
			}
			ut, err := f.svc.UserToken(ctx, alice)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("UserToken: %v, want %v", err, tt.wantErr)
				}
				if ut.Token != "" {
					t.Fatal("a token came with the error")
				}
				if errors.Is(err, session.ErrRefreshUnavailable) && errors.Is(err, session.ErrNotFound) {
					t.Fatal("GitHub being unreachable reads as not logged in")
				}
			} else {
				if err != nil {
					t.Fatalf("UserToken: %v", err)
				}
				stored := f.stored(t, alice)
				switch {
				case ut.Generation != s.Generation || stored.Generation != s.Generation:
					t.Fatalf("generation %d (stored %d), want the login's %d", ut.Generation, stored.Generation, s.Generation)
				case ut.Token != f.token(t, stored) || !bytes.Equal(ut.SealedToken, stored.SealedToken):
					t.Fatal("the token handed out is not the stored one")
				case !f.gh.TokenAlive(ut.Token):
					t.Fatal("the token handed out does not work at GitHub")
				case tt.wantRefreshed == bytes.Equal(stored.SealedToken, s.SealedToken):
					t.Fatalf("token replaced: %v, want %v", !bytes.Equal(stored.SealedToken, s.SealedToken), tt.wantRefreshed)
				}
			}
			if _, err := f.db.GetSession(ctx, alice); (err == nil) != tt.wantSession {
				t.Fatalf("live session after UserToken: %v, want one: %v", err, tt.wantSession)
			}
		})
	}
}

// doneContextStore refuses every call made on a done context, as the real
// stores do (a DynamoDB call or a bolt transaction on a cancelled request).
type doneContextStore struct{ session.Store }

func (s doneContextStore) RetireSession(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	if err := ctx.Err(); err != nil {
		return session.Session{}, err
	}
	return s.Store.RetireSession(ctx, k, gen)
}

func (s doneContextStore) DeleteRetired(ctx context.Context, k session.Key, gen int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.DeleteRetired(ctx, k, gen)
}

func (s doneContextStore) UpdateToken(ctx context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.UpdateToken(ctx, k, gen, sealedToken, sealedRefresh, tokenExpires, refreshExpires)
}

func TestTokenRejected(t *testing.T) {
	tests := []struct {
		name string
		// gen picks the generation reported from the logged-in one.
		gen        func(loggedIn int64) int64
		login      bool
		doneCtx    bool // the request's time is used up when GitHub answers 401
		wantErr    error
		wantEnded  bool
		wantCounts map[string]int
	}{
		{name: "the live session", login: true, gen: func(g int64) int64 { return g },
			wantErr: session.ErrEndedAtGitHub, wantEnded: true, wantCounts: map[string]int{"Logouts/revoked_at_github": 1}},
		{name: "the request out of time", login: true, doneCtx: true, gen: func(g int64) int64 { return g },
			wantErr: session.ErrEndedAtGitHub, wantEnded: true, wantCounts: map[string]int{"Logouts/revoked_at_github": 1}},
		{name: "a session replaced meanwhile", login: true, gen: func(g int64) int64 { return g + 1 },
			wantErr: session.ErrNotFound, wantCounts: map[string]int{}},
		{name: "no session", gen: func(int64) int64 { return 42 },
			wantErr: session.ErrNotFound, wantCounts: map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.svc.Store = doneContextStore{f.db}
			var s session.Session
			if tt.login {
				s = f.login(t, alice, "octocat")
				f.gh.RevokeAll("octocat") // what makes GitHub answer 401
			}
			m := &countingMetrics{counts: map[string]int{}}
			f.svc.Metrics = m
			var logs bytes.Buffer
			f.svc.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			ctx := context.Background()
			if tt.doneCtx {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancel()
			}

			users := f.gh.Requests(githubtest.RouteUser)
			err := f.svc.TokenRejected(ctx, alice, tt.gen(s.Generation))
			// An OAuth App token never changes within a session: nothing to check.
			if n := f.gh.Requests(githubtest.RouteUser) - users; n != 0 {
				t.Errorf("GitHub /user requests %d, want none", n)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("TokenRejected: %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(m.counts, tt.wantCounts) {
				t.Errorf("counts %v, want %v", m.counts, tt.wantCounts)
			}
			if tt.wantEnded {
				f.wantEnded(t, s, "after GitHub refused the token")
				if !strings.Contains(logs.String(), `"msg":"logout","reason":"revoked_at_github"`) {
					t.Errorf("no logout line with reason revoked_at_github in %s", logs.String())
				}
			} else if tt.login && f.stored(t, alice).Generation != s.Generation {
				t.Fatal("a stale report ended the live session")
			}
		})
	}
}

func TestStatusEndsASessionWhoseTokenGitHubRefuses(t *testing.T) {
	f := newFixture(t)
	s := f.login(t, alice, "octocat")
	f.gh.RevokeAll("octocat")
	m := &countingMetrics{counts: map[string]int{}}
	f.svc.Metrics = m
	users := f.gh.Requests(githubtest.RouteUser)
	if _, err := f.svc.GetStatus(context.Background(), alice); !errors.Is(err, session.ErrEndedAtGitHub) {
		t.Fatalf("GetStatus: %v, want ErrEndedAtGitHub", err)
	}
	// The token status checked is the stored one: no second check.
	if n := f.gh.Requests(githubtest.RouteUser) - users; n != 1 {
		t.Errorf("GitHub /user requests %d, want 1", n)
	}
	if want := map[string]int{"Logouts/revoked_at_github": 1}; !reflect.DeepEqual(m.counts, want) {
		t.Fatalf("counts %v, want %v", m.counts, want)
	}
	f.wantEnded(t, s, "after status found the token dead")
}

// A refresh makes GitHub refuse the old access token: a command still using
// it gets a 401 that is no revocation. The session goes on.
func TestTokenRejectedAfterAConcurrentRefreshKeepsTheSession(t *testing.T) {
	f := newFixtureFor(t, true)
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	f.clock.Advance(8*time.Hour - 90*time.Second) // 90 s left: no refresh yet
	first, err := f.svc.UserToken(ctx, alice)
	if err != nil || !bytes.Equal(first.SealedToken, s.SealedToken) {
		t.Fatalf("UserToken: %v; want the login's token", err)
	}
	f.clock.Advance(time.Minute) // within refreshMargin: the next caller refreshes
	second, err := f.svc.UserToken(ctx, alice)
	if err != nil || second.Token == first.Token {
		t.Fatalf("UserToken: %v; want a refreshed token", err)
	}
	if f.gh.TokenAlive(first.Token) {
		t.Fatal("GitHub still accepts the token a refresh replaced")
	}
	m := &countingMetrics{counts: map[string]int{}}
	f.svc.Metrics = m

	// The first caller's GitHub call fails with 401.
	if err := f.svc.TokenRejected(ctx, alice, first.Generation); !errors.Is(err, session.ErrTokenReplaced) {
		t.Fatalf("TokenRejected: %v, want ErrTokenReplaced", err)
	}
	if got := f.stored(t, alice); got.Generation != s.Generation || !bytes.Equal(got.SealedToken, second.SealedToken) {
		t.Fatal("the session was ended or changed")
	}
	if len(m.counts) != 0 {
		t.Fatalf("counts %v, want none", m.counts)
	}
	// Once GitHub refuses the current token too, the session ends.
	f.gh.RevokeAll("octocat")
	if err := f.svc.TokenRejected(ctx, alice, second.Generation); !errors.Is(err, session.ErrEndedAtGitHub) {
		t.Fatalf("TokenRejected after revocation: %v, want ErrEndedAtGitHub", err)
	}
	f.wantEnded(t, s, "after GitHub refused the current token")
}
