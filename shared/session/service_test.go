package session_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/memapp"
	"rcgithub/shared/memstore"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

const (
	site     = "https://chat.example.com"
	clientID = "Iv1.test"
	secret   = "test-client-secret"
	redirect = "https://svc.example.com/oauth/callback"
)

var (
	alice = session.Key{Site: site, UserID: "alice-id"}
	bob   = session.Key{Site: site, UserID: "bob-id"}
	t0    = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
)

// fixture is the service wired as the deployments wire it (memapp: the
// in-memory store and scheduler the contract suites check, an AES-GCM sealer,
// the GitHub client talking HTTP to the GitHub stand-in, and the Rocket.Chat
// incoming-webhook stand-in as the site's incoming webhook).
type fixture struct {
	svc   *session.Service
	db    session.Store
	sched *memstore.Scheduler
	gh    *githubtest.Server
	chat  *rocketchattest.Incoming
	clock *sessiontest.Clock
}

func newFixture(t *testing.T) *fixture { return newFixtureFor(t, false) }

// newFixtureFor is newFixture with the GitHub stand-in acting as a GitHub App
// (expiring user tokens with refresh tokens) when githubApp is true.
func newFixtureFor(t *testing.T, githubApp bool) *fixture {
	t.Helper()
	c := sessiontest.NewClock(t0)
	gh := githubtest.New(githubtest.Options{ClientID: clientID, ClientSecret: secret, RedirectURLs: []string{redirect},
		Now: c.Now, GitHubApp: githubApp})
	ghURL, stop := gh.Start()
	t.Cleanup(stop)
	chat := rocketchattest.NewIncoming()
	t.Cleanup(chat.Close)
	env := map[string]string{"PUBLIC_URL": strings.TrimSuffix(redirect, "/oauth/callback"), "GITHUB_CLIENT_ID": clientID,
		"GITHUB_CLIENT_SECRET": secret, "GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL, "GITHUB_SCOPES": "read:user",
		"ROCKETCHAT_WEBHOOK_TOKEN": "test-webhook-token-0123456789", "ROCKETCHAT_INCOMING_WEBHOOK_URL": chat.URL(),
		"ROCKETCHAT_TRIGGER_WORDS": strings.Join(rocketchat.DefaultTriggerWords, ",")}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, err := memapp.New(cfg, memapp.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: app.Service, db: app.Store, sched: app.Scheduler, gh: gh, chat: chat, clock: c}
}

var msgSeq int

// startAuth runs a login up to GitHub's authorize URL and returns it with the
// browser secret.
func (f *fixture) startAuth(t *testing.T, k session.Key) (authURL, browser string) {
	t.Helper()
	msgSeq++
	l, err := f.svc.StartLogin(context.Background(), session.LinkRequest{Key: k, UserName: "name-" + k.UserID, MessageID: "m" + string(rune('a'+msgSeq%26)) + time.Now().String()})
	if err != nil {
		t.Fatal(err)
	}
	browser = "browser-secret-" + k.UserID
	authURL, err = f.svc.Authorize(context.Background(), l.ID, browser)
	if err != nil {
		t.Fatal(err)
	}
	return authURL, browser
}

// callback has the GitHub stand-in approve authURL as login and returns the
// code and state GitHub redirects back with.
func (f *fixture) callback(t *testing.T, authURL, login string) (code, state string) {
	t.Helper()
	cb, err := f.gh.Authorize(authURL, login)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("code"), u.Query().Get("state")
}

func (f *fixture) login(t *testing.T, k session.Key, login string) session.Session {
	t.Helper()
	authURL, browser := f.startAuth(t, k)
	code, state := f.callback(t, authURL, login)
	l, err := f.svc.CompleteLogin(context.Background(), state, code, browser)
	if err != nil {
		t.Fatalf("CompleteLogin: %v", err)
	}
	return l.Session
}

// token opens the stored access token of s.
func (f *fixture) token(t *testing.T, s session.Session) string {
	t.Helper()
	return f.open(t, s.Key, s.SealedToken)
}

// open opens a token sealed for k.
func (f *fixture) open(t *testing.T, k session.Key, sealed []byte) string {
	t.Helper()
	tok, err := f.svc.Sealer.Open(context.Background(), k, sealed)
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func (f *fixture) runDue(t *testing.T) {
	t.Helper()
	if _, err := f.sched.RunDue(context.Background(), f.svc.Expire); err != nil {
		t.Logf("RunDue: %v", err)
	}
}

func wantProblem(t *testing.T, err error, kind session.ProblemKind, reason session.Reason) {
	t.Helper()
	var p *session.Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not a *session.Problem", err)
	}
	if p.Kind != kind || p.Reason != reason {
		t.Fatalf("problem = kind %d %v, want kind %d %v", p.Kind, p.Reason, kind, reason)
	}
}

func TestLoginStoresSealedSessionAndSchedulesLogout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	if s.GitHubLogin != "octocat" || s.GitHubID == 0 || !s.Started.Equal(t0) || !s.Ends.Equal(t0.Add(7*24*time.Hour)) || s.Generation <= 0 {
		t.Fatalf("session %+v", s)
	}
	got, err := f.db.GetSession(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	tok := f.token(t, got)
	if !strings.HasPrefix(tok, "gho_") || !f.gh.TokenAlive(tok) {
		t.Fatalf("stored token %q is not a live GitHub token", tok)
	}
	if bytes.Contains(got.SealedToken, []byte(tok)) {
		t.Fatal("token stored in plaintext")
	}
	due, ok, err := f.sched.Due(ctx, session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation})
	if err != nil || !ok || !due.Equal(s.Ends) {
		t.Fatalf("automatic logout due %v %v %v, want %v", due, ok, err, s.Ends)
	}
	if msgs := f.chat.MessagesTo("@" + alice.UserID); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "@octocat") {
		t.Fatalf("DMs after login: %+v", msgs)
	}
}

func TestStartLoginIsIdempotentPerMessage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := session.LinkRequest{Key: alice, UserName: "alice", MessageID: "7aDSXtjMA3KPLxLjt"}
	l1, err := f.svc.StartLogin(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := f.svc.StartLogin(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if l1.ID != l2.ID {
		t.Fatal("a re-delivered message made a second link")
	}
	r.Key = bob
	l3, err := f.svc.StartLogin(ctx, r)
	if err != nil || l3.ID == l1.ID {
		t.Fatalf("another user's message with the same id shared the link: %v", err)
	}
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name   string
		run    func(t *testing.T, f *fixture) error
		kind   session.ProblemKind
		reason session.Reason
	}{
		{"unknown link", func(t *testing.T, f *fixture) error {
			_, err := f.svc.OpenLink(context.Background(), "nope")
			return err
		}, session.BadRequest, session.LinkGone},
		{"expired link", func(t *testing.T, f *fixture) error {
			l, _ := f.svc.StartLogin(context.Background(), session.LinkRequest{Key: alice, UserName: "a", MessageID: "m1"})
			f.clock.Advance(session.LinkTTL)
			_, err := f.svc.Authorize(context.Background(), l.ID, "b")
			return err
		}, session.BadRequest, session.LinkGone},
		{"link used twice", func(t *testing.T, f *fixture) error {
			l, _ := f.svc.StartLogin(context.Background(), session.LinkRequest{Key: alice, UserName: "a", MessageID: "m1"})
			if _, err := f.svc.Authorize(context.Background(), l.ID, "b"); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.Authorize(context.Background(), l.ID, "b")
			return err
		}, session.BadRequest, session.LinkGone},
		{"missing state", func(t *testing.T, f *fixture) error {
			_, err := f.svc.CompleteLogin(context.Background(), "", "code", "b")
			return err
		}, session.BadRequest, session.StateGone},
		{"forged state", func(t *testing.T, f *fixture) error {
			_, err := f.svc.CompleteLogin(context.Background(), "forged", "code", "b")
			return err
		}, session.BadRequest, session.StateGone},
		{"replayed state", func(t *testing.T, f *fixture) error {
			authURL, browser := f.startAuth(t, session.Key{Site: site, UserID: "carol-id"})
			code, state := f.callback(t, authURL, "octocat")
			if _, err := f.svc.CompleteLogin(context.Background(), state, code, browser); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.CompleteLogin(context.Background(), state, code, browser)
			return err
		}, session.BadRequest, session.StateGone},
		{"expired state", func(t *testing.T, f *fixture) error {
			authURL, browser := f.startAuth(t, alice)
			code, state := f.callback(t, authURL, "octocat")
			f.clock.Advance(session.LinkTTL + time.Second)
			_, err := f.svc.CompleteLogin(context.Background(), state, code, browser)
			return err
		}, session.BadRequest, session.StateGone},
		{"another browser", func(t *testing.T, f *fixture) error {
			authURL, _ := f.startAuth(t, alice)
			code, state := f.callback(t, authURL, "mallory")
			_, err := f.svc.CompleteLogin(context.Background(), state, code, "attacker-browser")
			return err
		}, session.BadRequest, session.OtherBrowser},
		{"no browser cookie", func(t *testing.T, f *fixture) error {
			authURL, _ := f.startAuth(t, alice)
			code, state := f.callback(t, authURL, "mallory")
			_, err := f.svc.CompleteLogin(context.Background(), state, code, "")
			return err
		}, session.BadRequest, session.OtherBrowser},
		{"bad verification code", func(t *testing.T, f *fixture) error {
			authURL, browser := f.startAuth(t, alice)
			_, state := f.callback(t, authURL, "octocat")
			_, err := f.svc.CompleteLogin(context.Background(), state, "not-a-code", browser)
			return err
		}, session.BadRequest, session.GitHubRefused},
		{"github 500 at token exchange", func(t *testing.T, f *fixture) error {
			authURL, browser := f.startAuth(t, alice)
			code, state := f.callback(t, authURL, "octocat")
			f.gh.FailNext(githubtest.RouteToken, 502)
			_, err := f.svc.CompleteLogin(context.Background(), state, code, browser)
			return err
		}, session.Unavailable, session.GitHubUnanswered},
		{"github /user fails", func(t *testing.T, f *fixture) error {
			authURL, browser := f.startAuth(t, alice)
			code, state := f.callback(t, authURL, "octocat")
			f.gh.FailNext(githubtest.RouteUser, 503)
			_, err := f.svc.CompleteLogin(context.Background(), state, code, browser)
			if live := f.gh.LiveTokens("octocat"); len(live) != 0 {
				t.Errorf("token left alive at GitHub after a failed login: %d", len(live))
			}
			return err
		}, session.Unavailable, session.GitHubUserUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			// Bob is logged in throughout: no failure of Alice's may touch him.
			bobSession := f.login(t, bob, "bob-gh")
			err := tt.run(t, f)
			wantProblem(t, err, tt.kind, tt.reason)
			if _, err := f.db.GetSession(context.Background(), alice); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("a refused login left a session for alice: %v", err)
			}
			got, err := f.db.GetSession(context.Background(), bob)
			if err != nil || got.Generation != bobSession.Generation || !f.gh.TokenAlive(f.token(t, got)) {
				t.Fatalf("bob's session was touched: %v", err)
			}
		})
	}
}

func TestReloginReplacesSessionAndOldLogoutCannotEndIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := f.login(t, alice, "octocat")
	firstToken := f.token(t, first)
	f.clock.Advance(24 * time.Hour)
	second := f.login(t, alice, "octocat")
	if second.Generation == first.Generation {
		t.Fatal("re-login kept the generation")
	}
	if f.gh.TokenAlive(firstToken) {
		t.Fatal("the replaced session's token is still alive at GitHub")
	}
	if _, ok, _ := f.sched.Due(ctx, session.Job{Site: site, UserID: alice.UserID, Generation: first.Generation}); ok {
		t.Fatal("the replaced session's automatic logout is still pending")
	}
	if n, _ := f.sched.Pending(ctx); n != 1 {
		t.Fatalf("pending automatic logouts = %d, want 1", n)
	}
	// Even if the old job fires (a leftover), it ends nothing.
	if err := f.svc.Expire(ctx, session.Job{Site: site, UserID: alice.UserID, Generation: first.Generation}); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.GetSession(ctx, alice)
	if err != nil || got.Generation != second.Generation || !f.gh.TokenAlive(f.token(t, got)) {
		t.Fatalf("the old automatic logout touched the new session: %v", err)
	}
}

func TestAutomaticLogout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	tok := f.token(t, s)
	job := session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}

	// An invocation well before the end ends nothing.
	f.clock.Advance(24 * time.Hour)
	bobS := f.login(t, bob, "bob-gh") // due a day after alice
	if err := f.svc.Expire(ctx, job); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.GetSession(ctx, alice); err != nil {
		t.Fatalf("early automatic logout ended the session: %v", err)
	}

	f.clock.Advance(6 * 24 * time.Hour)
	f.runDue(t)
	if _, err := f.db.GetSession(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("session after automatic logout: %v", err)
	}
	if f.gh.TokenAlive(tok) {
		t.Fatal("token still alive at GitHub after automatic logout")
	}
	if _, err := f.db.GetRetired(ctx, alice, s.Generation); !errors.Is(err, session.ErrNotFound) {
		t.Fatal("the sealed token was kept after revocation")
	}
	dms := f.chat.MessagesTo("@" + alice.UserID)
	if last := dms[len(dms)-1].Text; !strings.Contains(last, "logged out automatically") || !strings.Contains(last, "/github login") {
		t.Fatalf("last DM %q", last)
	}
	// Twice is harmless, and bob (logged in at the same time) is still there.
	if err := f.svc.Expire(ctx, job); err != nil {
		t.Fatal(err)
	}
	if len(f.chat.MessagesTo("@"+alice.UserID)) != len(dms) {
		t.Fatal("a second run sent another DM")
	}
	if got, err := f.db.GetSession(ctx, bob); err != nil || got.Generation != bobS.Generation {
		t.Fatalf("alice's automatic logout touched bob: %v", err)
	}
}

func TestExpireRejectsMalformedJobs(t *testing.T) {
	f := newFixture(t)
	s := f.login(t, alice, "octocat")
	f.clock.Advance(8 * 24 * time.Hour)
	for _, job := range []session.Job{
		{},
		{Site: site, UserID: alice.UserID},
		{Site: "not a url", UserID: alice.UserID, Generation: s.Generation},
		{Site: site, UserID: " ", Generation: s.Generation},
		{Site: site, UserID: alice.UserID, Generation: s.Generation, Attempt: -1},
	} {
		if err := f.svc.Expire(context.Background(), job); err == nil {
			t.Errorf("Expire(%+v) accepted a malformed job", job)
		}
	}
	if _, err := f.db.GetSession(context.Background(), alice); err != nil {
		t.Fatalf("a malformed job ended a session: %v", err)
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Logout(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("logout when not logged in: %v", err)
	}
	s := f.login(t, alice, "octocat")
	f.login(t, bob, "bob-gh")
	tok := f.token(t, s)
	res, err := f.svc.Logout(ctx, alice)
	if err != nil || !res.Revoked || res.GitHubLogin != "octocat" {
		t.Fatalf("Logout = %+v, %v", res, err)
	}
	if f.gh.TokenAlive(tok) {
		t.Fatal("token alive after logout")
	}
	if _, ok, _ := f.sched.Due(ctx, session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}); ok {
		t.Fatal("automatic logout still pending after logout")
	}
	if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("status after logout: %v", err)
	}
	if _, err := f.db.GetSession(ctx, bob); err != nil {
		t.Fatalf("alice's logout touched bob: %v", err)
	}
}

func TestLogoutRetriesRevocationUntilGitHubConfirms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	tok := f.token(t, s)
	f.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502, Times: 2})
	res, err := f.svc.Logout(ctx, alice)
	if err != nil || res.Revoked {
		t.Fatalf("Logout = %+v, %v; want ended but not confirmed", res, err)
	}
	if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatal("the session is not over for the user at once")
	}
	if _, err := f.db.GetRetired(ctx, alice, s.Generation); err != nil {
		t.Fatalf("the sealed token was dropped before GitHub confirmed: %v", err)
	}
	// First retry fails too (the fault's second answer), the next succeeds.
	for i := 0; i < 3 && f.gh.TokenAlive(tok); i++ {
		f.clock.Advance(10 * time.Minute)
		f.runDue(t)
	}
	if f.gh.TokenAlive(tok) {
		t.Fatal("revocation never retried to success")
	}
	if _, err := f.db.GetRetired(ctx, alice, s.Generation); !errors.Is(err, session.ErrNotFound) {
		t.Fatal("retired token kept after GitHub confirmed")
	}
	if n, _ := f.sched.Pending(ctx); n != 0 {
		t.Fatalf("%d jobs left pending", n)
	}
}

func TestStatus(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("status when not logged in: %v", err)
	}
	s := f.login(t, alice, "octocat")
	st, err := f.svc.GetStatus(ctx, alice)
	if err != nil || !st.Checked || st.GitHubLogin != "octocat" || st.Generation != s.Generation {
		t.Fatalf("status = %+v, %v", st, err)
	}
	f.gh.FailNext(githubtest.RouteUser, 500)
	st, err = f.svc.GetStatus(ctx, alice)
	if err != nil || st.Checked {
		t.Fatalf("status with GitHub down = %+v, %v; want the session, unchecked", st, err)
	}
	// The user revokes the app at GitHub: the next status ends the session.
	f.gh.RevokeAll("octocat")
	if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrEndedAtGitHub) {
		t.Fatalf("status with a dead token: %v", err)
	}
	if _, err := f.db.GetSession(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatal("session with a dead token kept")
	}
	if n, _ := f.sched.Pending(ctx); n != 0 {
		t.Fatalf("%d automatic logouts pending for an ended session", n)
	}
	// Past its end, a session reads as ended even before the logout runs.
	f.login(t, alice, "octocat")
	f.clock.Advance(7*24*time.Hour + time.Second)
	if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("status past the end: %v", err)
	}
}

func TestNormalizeSite(t *testing.T) {
	tests := map[string]string{
		"https://chat.example.com/":  "https://chat.example.com",
		"https://Chat.Example.com//": "https://chat.example.com",
		" HTTPS://chat.example.com ": "https://chat.example.com",
		"https://example.com/chat/":  "https://example.com/chat",
		"https://example.com/Chat":   "https://example.com/Chat",
		"chat.example.com":           "chat.example.com",
	}
	for in, want := range tests {
		if got := session.NormalizeSite(in); got != want {
			t.Errorf("NormalizeSite(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginLinkQuota(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Advance(3 * time.Minute) // 12:03, in the window 12:00-12:10
	var first session.Link
	for i := range session.MaxLinksPerWindow {
		l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: fmt.Sprintf("m%d", i)})
		if err != nil {
			t.Fatalf("link %d: %v", i, err)
		}
		if i == 0 {
			first = l
		}
	}
	_, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "one-too-many"})
	var tooMany *session.TooManyLinksError
	if !errors.As(err, &tooMany) || !errors.Is(err, session.ErrTooManyLinks) || !tooMany.RetryAt.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("link over the quota: %v", err)
	}
	// A re-delivered message still gets its link; bob has his own quota.
	if l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m0"}); err != nil || l.ID != first.ID {
		t.Fatalf("re-delivery over the quota: %v", err)
	}
	if _, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: bob, UserName: "bob", MessageID: "m0"}); err != nil {
		t.Fatalf("bob: %v", err)
	}
	f.clock.Advance(7 * time.Minute) // the next window
	if _, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "next-window"}); err != nil {
		t.Fatalf("next window: %v", err)
	}
}

func TestLoginTellsWhenScopesDiffer(t *testing.T) {
	tests := []struct {
		name  string
		asked []string // what the service asks for
		grant string   // what GitHub grants (the user or an organization can narrow it): the scope parameter as it arrives
		want  []string // substrings of the note and the DM; none: no note
	}{
		{"as asked", []string{"read:user"}, "read:user", nil},
		{"implied", []string{"read:user", "repo:status"}, "read:user repo:status", nil},
		{"fewer granted", []string{"read:user", "read:org"}, "read:user", []string{"did not grant read:org"}},
		{"more granted", []string{}, "read:user", []string{"more than asked for (read:user)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.svc.Scopes = tt.asked
			authURL, browser := f.startAuth(t, alice)
			u, err := url.Parse(authURL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("scope", tt.grant)
			u.RawQuery = q.Encode()
			code, state := f.callback(t, u.String(), "octocat")
			l, err := f.svc.CompleteLogin(context.Background(), state, code, browser)
			if err != nil {
				t.Fatal(err)
			}
			note := rocketchat.ScopeNote(l.Scopes)
			dms := f.chat.MessagesTo("@" + alice.UserID)
			if len(tt.want) == 0 && note != "" {
				t.Fatalf("note %q, want none", note)
			}
			for _, w := range tt.want {
				if !strings.Contains(note, w) || len(dms) != 1 || !strings.Contains(dms[0].Text, w) {
					t.Fatalf("note %q / DMs %+v lack %q", note, dms, w)
				}
			}
		})
	}
}

// countingMetrics records Metrics counts as "Metric" or "Metric/Value".
type countingMetrics struct {
	mu     sync.Mutex
	counts map[string]int
}

func (m *countingMetrics) Count(_ context.Context, metric session.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[metric.String()]++
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := &countingMetrics{counts: map[string]int{}}
	f.svc.Metrics = m
	f.login(t, alice, "octocat")
	f.login(t, alice, "octocat") // replaces the first
	if _, err := f.svc.Logout(ctx, alice); err != nil {
		t.Fatal(err)
	}
	f.login(t, bob, "bob-gh")
	f.gh.RevokeAll("bob-gh")
	if _, err := f.svc.GetStatus(ctx, bob); !errors.Is(err, session.ErrEndedAtGitHub) {
		t.Fatal(err)
	}
	f.login(t, alice, "octocat")
	f.clock.Advance(8 * 24 * time.Hour)
	f.runDue(t)
	// Failures: GitHub refusing a code, and a revocation it does not confirm.
	authURL, browser := f.startAuth(t, alice)
	_, state := f.callback(t, authURL, "octocat")
	if _, err := f.svc.CompleteLogin(ctx, state, "bad-code", browser); err == nil {
		t.Fatal("bad code accepted")
	}
	f.login(t, alice, "octocat")
	f.gh.FailNext(githubtest.RouteRevokeToken, 502)
	if _, err := f.svc.Logout(ctx, alice); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"Logins": 5, "Logouts/replaced": 1, "Logouts/user": 2, "Logouts/revoked_at_github": 1,
		"Logouts/automatic": 1, "Failures/token_exchange": 1, "Failures/revocation": 1,
	}
	if !reflect.DeepEqual(m.counts, want) {
		t.Fatalf("counts %v, want %v", m.counts, want)
	}
}

// TestTriggerTravelsWithTheLogin: the trigger word the user typed goes with
// the link, the sign-in and the session, into the problems once the service
// has read them and into the direct message after the automatic logout; an
// unfit one is not kept.
func TestTriggerTravelsWithTheLogin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m1", Trigger: "!github"})
	if err != nil || l.Trigger != "!github" {
		t.Fatalf("StartLogin: trigger %q, %v", l.Trigger, err)
	}
	browser := "browser-secret"
	authURL, err := f.svc.Authorize(ctx, l.ID, browser)
	if err != nil {
		t.Fatal(err)
	}
	code, state := f.callback(t, authURL, "octocat")
	login, err := f.svc.CompleteLogin(ctx, state, code, browser)
	if err != nil || login.Trigger != "!github" {
		t.Fatalf("CompleteLogin: trigger %q, %v", login.Trigger, err)
	}
	if stored, err := f.db.GetSession(ctx, alice); err != nil || stored.Trigger != "!github" {
		t.Fatalf("stored session: trigger %q, %v", stored.Trigger, err)
	}
	f.clock.Advance(f.svc.TTL + time.Minute)
	f.runDue(t)
	dms := f.chat.MessagesTo("@" + alice.UserID)
	if len(dms) != 2 || !strings.Contains(dms[1].Text, "`!github login`") || strings.Contains(dms[1].Text, "/github") {
		t.Fatalf("DMs %+v: want the automatic logout's hint with !github", dms)
	}

	// Problems carry the word once the service has read the record.
	l, _ = f.svc.StartLogin(ctx, session.LinkRequest{Key: bob, UserName: "bob", MessageID: "m2", Trigger: "!github"})
	authURL, _ = f.svc.Authorize(ctx, l.ID, browser)
	_, state = f.callback(t, authURL, "bob-gh")
	f.clock.Advance(session.LinkTTL)
	_, err = f.svc.CompleteLogin(ctx, state, "code", browser)
	var p *session.Problem
	if !errors.As(err, &p) || p.Reason != session.StateGone || p.Trigger != "!github" {
		t.Fatalf("expired sign-in: %v, want StateGone with the trigger", err)
	}

	for _, unfit := range []string{strings.Repeat("!", session.MaxTriggerLen+1), "\xff"} {
		l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: bob, UserName: "bob", MessageID: "m-" + unfit, Trigger: unfit})
		if err != nil || l.Trigger != "" {
			t.Fatalf("unfit trigger %q kept as %q, %v", unfit, l.Trigger, err)
		}
	}
}
