package web_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/memapp"
	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// The fixture's fixed names. The public URL is https, so the binding cookie is
// the __Host- one, as in production.
const (
	fixtureToken     = "fuzz-webhook-token-0123456789"
	fixtureSite      = "https://chat.example.com"
	fixturePublicURL = "https://rcgithub.example.com"
	fixtureCookie    = "__Host-rcgh_login"
	victimUserID     = "VictimUserId00001"
	victimUserName   = "victim"
)

// fixture is the real thing minus the network in front of it: the service
// wired in memory (memapp, assembled as the deployments are), with the GitHub
// client talking over HTTP to the GitHub stand-in. Requests are served
// in-process, so a panic in a handler fails the fuzz target. The store records
// every successful write of a session or a pending authorization, and counts
// every call.
type fixture struct {
	handler http.Handler
	service *session.Service
	store   *recordingStore
	calls   *sessiontest.CountingStore // every store call the service makes
	sched   *memstore.Scheduler
	gh      *githubtest.Server
	ghURL   string
	clock   *sessiontest.Clock
	flows   atomic.Int64 // numbers the users of fresh flows, so each has its own quota
}

func newFixture(tb testing.TB) *fixture { return newFixtureWith(tb, nil, memapp.Options{}) }

// newFixtureWith is newFixture with more configuration (env, as the server
// reads it) and the options memapp takes: its Now is the fixture's clock, and
// o.Store, when set, replaces the memstore under the fixture's recording.
func newFixtureWith(tb testing.TB, more map[string]string, o memapp.Options) *fixture {
	tb.Helper()
	c := sessiontest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.fuzz", ClientSecret: "fuzz-client-secret",
		RedirectURLs: []string{fixturePublicURL + "/oauth/callback"}, Now: c.Now})
	ghURL, stop := gh.Start()
	tb.Cleanup(stop)
	env := map[string]string{
		"PUBLIC_URL": fixturePublicURL, "GITHUB_CLIENT_ID": "Iv1.fuzz", "GITHUB_CLIENT_SECRET": "fuzz-client-secret",
		"GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL, "DATA_DIR": tb.TempDir(), "ROCKETCHAT_WEBHOOK_TOKEN": fixtureToken,
	}
	for k, v := range more {
		env[k] = v
	}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	base := o.Store
	if base == nil {
		base = memstore.NewStore()
	}
	calls := sessiontest.NewCountingStore(base)
	store := &recordingStore{Store: calls}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Now, o.Store = c.Now, store
	app, err := memapp.New(cfg, o)
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{handler: app.Web.Routes(), service: app.Service, store: store, calls: calls, sched: app.Scheduler,
		gh: gh, ghURL: ghURL, clock: c}
}

// recordingStore is the real store, remembering which sessions and pending
// authorizations were written.
type recordingStore struct {
	session.Store
	mu       sync.Mutex
	sessions []session.Key
	pendings []session.Key
}

func (s *recordingStore) PutSession(ctx context.Context, sess session.Session, prev int64) error {
	err := s.Store.PutSession(ctx, sess, prev)
	if err == nil {
		s.mu.Lock()
		s.sessions = append(s.sessions, sess.Key)
		s.mu.Unlock()
	}
	return err
}

func (s *recordingStore) PutPending(ctx context.Context, p session.Pending) error {
	err := s.Store.PutPending(ctx, p)
	if err == nil {
		s.mu.Lock()
		s.pendings = append(s.pendings, p.Key)
		s.mu.Unlock()
	}
	return err
}

// takeWrites returns the keys written since the last call and forgets them.
func (s *recordingStore) takeWrites() (sessions, pendings []session.Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sessions, pendings = s.sessions, s.pendings
	s.sessions, s.pendings = nil, nil
	return sessions, pendings
}

// flow is a sign-in made through the service up to GitHub's redirect back:
// what a real browser would hold just before the callback.
type flow struct {
	key    session.Key
	link   string // the login link id (used up once Authorize ran)
	secret string // the binding cookie's value
	state  string
	code   string
}

// newUser returns a key no other flow of this process uses, so that each
// fresh flow has a login-link quota of its own.
func (fx *fixture) newUser() (session.Key, string) {
	n := fx.flows.Add(1)
	return session.Key{Site: fixtureSite, UserID: fmt.Sprintf("FuzzUser%09d", n)}, fmt.Sprintf("fuzz%d", n)
}

// newLink creates a login link for a fresh user.
func (fx *fixture) newLink(tb testing.TB) flow {
	tb.Helper()
	k, name := fx.newUser()
	l, err := fx.service.StartLogin(context.Background(), session.LinkRequest{Key: k, UserName: name, MessageID: "msg-" + k.UserID})
	if err != nil {
		tb.Fatalf("start login: %v", err)
	}
	return flow{key: k, link: l.ID}
}

// newFlow runs a fresh user's sign-in up to GitHub's redirect back to the
// callback. Each user signs in as a GitHub user of its own ("fuzz-gh-N"): the
// stand-in, like GitHub, revokes the oldest of more than ten tokens per user.
func (fx *fixture) newFlow(tb testing.TB) flow {
	tb.Helper()
	f := fx.newLink(tb)
	ghLogin := "fuzz-gh-" + strings.TrimPrefix(f.key.UserID, "FuzzUser")
	f.secret = randomCookie(tb)
	authURL, err := fx.service.Authorize(context.Background(), f.link, f.secret)
	if err != nil {
		tb.Fatalf("authorize: %v", err)
	}
	cb, err := fx.gh.Authorize(authURL, ghLogin)
	if err != nil {
		tb.Fatalf("github consent: %v", err)
	}
	u, err := url.Parse(cb)
	if err != nil {
		tb.Fatalf("callback URL: %v", err)
	}
	f.state, f.code = u.Query().Get("state"), u.Query().Get("code")
	if f.state == "" || f.code == "" {
		tb.Fatalf("callback URL without state or code: %s", u.Path)
	}
	// Whatever the fuzzer makes of this flow, the store must not have kept a
	// session yet; forget the pending authorization written on the way.
	if sessions, _ := fx.store.takeWrites(); len(sessions) != 0 {
		tb.Fatalf("a session was stored before the callback: %v", sessions)
	}
	return f
}

// loginVictim makes a live session for the victim: the user every fuzz
// target checks is never touched by anyone else's input. It first moves the
// clock on by a link's lifetime, so that the victim's login-link quota (which
// fuzzed messages from the victim may have used up) starts afresh.
func (fx *fixture) loginVictim(tb testing.TB) session.Session {
	tb.Helper()
	fx.clock.Advance(session.LinkTTL)
	k := session.Key{Site: fixtureSite, UserID: victimUserID}
	l, err := fx.service.StartLogin(context.Background(), session.LinkRequest{Key: k, UserName: victimUserName,
		MessageID: fmt.Sprintf("victim-%d", fx.flows.Add(1))})
	if err != nil {
		tb.Fatalf("victim login link: %v", err)
	}
	secret := randomCookie(tb)
	authURL, err := fx.service.Authorize(context.Background(), l.ID, secret)
	if err != nil {
		tb.Fatalf("victim authorize: %v", err)
	}
	cb, err := fx.gh.Authorize(authURL, "victim-gh")
	if err != nil {
		tb.Fatalf("victim consent: %v", err)
	}
	u, _ := url.Parse(cb)
	s, err := fx.service.CompleteLogin(context.Background(), u.Query().Get("state"), u.Query().Get("code"), secret)
	if err != nil {
		tb.Fatalf("victim callback: %v", err)
	}
	fx.store.takeWrites()
	return s.Session
}

// checkVictim fails unless the victim's session is exactly as it was: same
// generation and sealed token, token alive at GitHub, automatic logout still
// scheduled at its end.
func (fx *fixture) checkVictim(t *testing.T, want session.Session) {
	t.Helper()
	ctx := context.Background()
	got, err := fx.service.Store.GetSession(ctx, want.Key)
	if err != nil {
		t.Fatalf("the victim's session is gone: %v", err)
	}
	if got.Generation != want.Generation || string(got.SealedToken) != string(want.SealedToken) || !got.Ends.Equal(want.Ends) {
		t.Fatalf("the victim's session changed: generation %d → %d, ends %v → %v", want.Generation, got.Generation, want.Ends, got.Ends)
	}
	token, err := fx.service.Sealer.Open(ctx, want.Key, got.SealedToken)
	if err != nil {
		t.Fatalf("the victim's token does not open: %v", err)
	}
	if !fx.gh.TokenAlive(string(token)) {
		t.Fatal("the victim's token was revoked at GitHub")
	}
	at, ok, err := fx.sched.Due(ctx, session.Job{Site: want.Site, UserID: want.UserID, Generation: want.Generation})
	if err != nil || !ok || !at.Equal(want.Ends) {
		t.Fatalf("the victim's automatic logout: due %v scheduled %v err %v, want due %v", at, ok, err, want.Ends)
	}
}

func randomCookie(tb testing.TB) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
