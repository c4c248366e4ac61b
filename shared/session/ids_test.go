package session_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// counted makes the fixture's service count its store calls.
func (f *fixture) counted() *sessiontest.CountingStore {
	c := sessiontest.NewCountingStore(f.db)
	f.svc.Store = c
	return c
}

// wellFormed is a value of the given length in bytes, spelt as the service
// spells its ids, that the service never issued.
func wellFormed(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tamper changes one character of s in the middle, keeping its length and
// alphabet.
func tamper(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// pendingSignIn is a sign-in stopped where GitHub sends the browser back.
type pendingSignIn struct {
	browser, code, state string
}

func (f *fixture) pendingSignIn(t *testing.T, k session.Key, login string) pendingSignIn {
	t.Helper()
	authURL, browser := f.startAuth(t, k)
	code, state := f.callback(t, authURL, login)
	return pendingSignIn{browser: browser, code: code, state: state}
}

// TestUnissuedValuesCostNoStoreCall: a link id or state the service never
// issued (junk, the wrong length, oversized, a well-formed forgery, one issued
// under another key, a link id used as a state and back), and a real state
// presented by another browser or without the cookie, are refused before any
// store call, so they cost nothing durable and use up nobody's sign-in.
func TestUnissuedValuesCostNoStoreCall(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// What the attacks must leave untouched: alice's link, not yet opened,
	// and bob's sign-in, waiting for GitHub's redirect back.
	aliceLink, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m-alice"})
	if err != nil {
		t.Fatal(err)
	}
	bobSignIn := f.pendingSignIn(t, bob, "bob-gh")

	// Values another deployment (another IDKey) issued: right form, wrong MAC.
	other := newFixture(t)
	other.svc.IDKey = session.DeriveIDKey("another deployment's secret")
	otherLink, err := other.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m-other"})
	if err != nil {
		t.Fatal(err)
	}
	otherSignIn := other.pendingSignIn(t, alice, "octocat")

	junk := map[string]string{
		"empty":                "",
		"short":                "nope",
		"oversized (1 MB)":     strings.Repeat("A", 1<<20),
		"oversized (3 KB)":     strings.Repeat("x", 3<<10), // beyond DynamoDB's 2048-byte key
		"not base64":           strings.Repeat("*", len(aliceLink.ID)),
		"link length, random":  wellFormed(t, 36),
		"state length, random": wellFormed(t, 54),
		"another key's link":   otherLink.ID,
		"another key's state":  otherSignIn.state,
		"tampered link":        tamper(aliceLink.ID),
		"tampered state":       tamper(bobSignIn.state),
		"link with a newline":  aliceLink.ID[:20] + "\n" + aliceLink.ID[21:],
		"state as a link id":   bobSignIn.state,
		"link id as a state":   aliceLink.ID,
		"link id and more":     aliceLink.ID + "A",
	}
	store := f.counted()
	for name, v := range junk {
		t.Run(name, func(t *testing.T) {
			store.Reset()
			if name != "link id as a state" {
				_, err := f.svc.OpenLink(ctx, v)
				wantProblem(t, err, session.BadRequest, session.LinkGone)
				_, err = f.svc.Authorize(ctx, v, "mallory-browser")
				wantProblem(t, err, session.BadRequest, session.LinkGone)
			}
			if name != "state as a link id" {
				_, err := f.svc.CompleteLogin(ctx, v, bobSignIn.code, "mallory-browser")
				wantProblem(t, err, session.BadRequest, session.StateGone)
				f.svc.CancelLogin(ctx, v, "mallory-browser")
			}
			if calls := store.Calls(); len(calls) != 0 {
				t.Fatalf("store calls %v, want none", calls)
			}
		})
	}
	// Bob's real state, replayed from another browser or without the cookie.
	for _, browser := range []string{"mallory-browser", ""} {
		store.Reset()
		_, err := f.svc.CompleteLogin(ctx, bobSignIn.state, bobSignIn.code, browser)
		wantProblem(t, err, session.BadRequest, session.OtherBrowser)
		f.svc.CancelLogin(ctx, bobSignIn.state, browser)
		if calls := store.Calls(); len(calls) != 0 {
			t.Fatalf("bob's state from browser %q: store calls %v, want none", browser, calls)
		}
	}
	if n := f.gh.Requests(githubtest.RouteToken); n != 0 {
		t.Fatalf("%d code exchanges at GitHub for refused callbacks", n)
	}

	// Both survive: alice's link opens and bob's sign-in completes.
	if _, err := f.svc.OpenLink(ctx, aliceLink.ID); err != nil {
		t.Fatalf("alice's link after the attacks: %v", err)
	}
	if _, err := f.svc.CompleteLogin(ctx, bobSignIn.state, bobSignIn.code, bobSignIn.browser); err != nil {
		t.Fatalf("bob's sign-in after the attacks: %v", err)
	}
}

// TestOnlyItsBrowserCancelsASignIn: GitHub's error redirect cancels the
// sign-in only when it comes with the cookie of the browser that started it.
func TestOnlyItsBrowserCancelsASignIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.pendingSignIn(t, alice, "octocat")
	store := f.counted()
	f.svc.CancelLogin(ctx, s.state, "mallory-browser")
	f.svc.CancelLogin(ctx, s.state, "")
	if calls := store.Calls(); len(calls) != 0 {
		t.Fatalf("cancel from another browser: store calls %v, want none", calls)
	}
	f.svc.CancelLogin(ctx, s.state, s.browser)
	if calls := store.Calls(); calls["TakePending"] != 1 {
		t.Fatalf("cancel from its browser: store calls %v, want one TakePending", calls)
	}
	_, err := f.svc.CompleteLogin(ctx, s.state, s.code, s.browser)
	wantProblem(t, err, session.BadRequest, session.StateGone)
}

// TestNoIDKeyIssuesNothingAndAcceptsNothing: a Service without an IDKey (or
// with one too short) refuses to make links, with ErrNoIDKey, and accepts no
// link id or state, not even one it issued with a key before, all without a
// store call.
func TestNoIDKeyIssuesNothingAndAcceptsNothing(t *testing.T) {
	for name, idKey := range map[string][]byte{
		"nil":      nil,
		"empty":    {},
		"31 bytes": session.DeriveIDKey(secret)[:31],
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m1"})
			if err != nil {
				t.Fatal(err)
			}
			s := f.pendingSignIn(t, bob, "bob-gh")
			f.svc.IDKey = idKey
			store := f.counted()
			if _, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m2"}); !errors.Is(err, session.ErrNoIDKey) {
				t.Fatalf("StartLogin without a key: %v, want ErrNoIDKey", err)
			}
			_, err = f.svc.OpenLink(ctx, l.ID)
			wantProblem(t, err, session.BadRequest, session.LinkGone)
			_, err = f.svc.Authorize(ctx, l.ID, "browser")
			wantProblem(t, err, session.BadRequest, session.LinkGone)
			_, err = f.svc.CompleteLogin(ctx, s.state, s.code, s.browser)
			wantProblem(t, err, session.BadRequest, session.StateGone)
			f.svc.CancelLogin(ctx, s.state, s.browser)
			if calls := store.Calls(); len(calls) != 0 {
				t.Fatalf("store calls %v without a key, want none", calls)
			}
		})
	}
}
