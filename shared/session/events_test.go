package session_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/logtest"
	"rcgithub/shared/session"
)

// recordedEvents is an Events adapter that keeps what it is given, and fails
// every publication when fail is set.
type recordedEvents struct {
	mu     sync.Mutex
	events []session.Event
	fail   error
}

func (r *recordedEvents) Publish(ctx context.Context, e session.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("published without a deadline")
	}
	r.events = append(r.events, e)
	return r.fail
}

func (r *recordedEvents) take() []session.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// TestEventsAtEachMoment: each moment the issue names publishes exactly one
// event, with the session's site, user, GitHub login and generation, dated by
// the service's clock, and no token in it.
func TestEventsAtEachMoment(t *testing.T) {
	ctx := context.Background()
	type moment struct {
		name string
		// run acts on a fresh fixture whose Events records; it returns the
		// session the event is about and the tokens that must not appear.
		run  func(t *testing.T, f *fixture) (session.Session, []string)
		want session.EventKind
	}
	moments := []moment{
		{"login", func(t *testing.T, f *fixture) (session.Session, []string) {
			s := f.login(t, alice, "octocat")
			return s, []string{f.token(t, s)}
		}, session.EventLoggedIn},
		{"logout", func(t *testing.T, f *fixture) (session.Session, []string) {
			s := f.login(t, alice, "octocat")
			f.events().take()
			if _, err := f.svc.Logout(ctx, alice); err != nil {
				t.Fatal(err)
			}
			return s, []string{f.token(t, s)}
		}, session.EventLoggedOut},
		{"automatic logout", func(t *testing.T, f *fixture) (session.Session, []string) {
			s := f.login(t, alice, "octocat")
			f.events().take()
			f.clock.Advance(8 * 24 * time.Hour)
			f.runDue(t)
			return s, []string{f.token(t, s)}
		}, session.EventLoggedOutAutomatically},
		{"status finds the token revoked", func(t *testing.T, f *fixture) (session.Session, []string) {
			s := f.login(t, alice, "octocat")
			f.events().take()
			f.gh.RevokeAll("octocat")
			if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrEndedAtGitHub) {
				t.Fatalf("GetStatus: %v", err)
			}
			return s, []string{f.token(t, s)}
		}, session.EventRevokedAtGitHub},
	}
	for _, m := range moments {
		t.Run(m.name, func(t *testing.T) {
			f := newFixture(t)
			f.svc.Events = &recordedEvents{}
			s, secrets := m.run(t, f)
			checkOneEvent(t, f, m.want, s, secrets)
		})
	}
	t.Run("GitHub refuses the refresh", func(t *testing.T) {
		f := newFixtureFor(t, true)
		f.svc.Events = &recordedEvents{}
		s := f.login(t, alice, "octocat")
		f.events().take()
		secrets := []string{f.token(t, s), f.refreshToken(t, s)}
		f.clock.Advance(9 * time.Hour)
		f.gh.RevokeAll("octocat")
		if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrEndedAtGitHub) {
			t.Fatalf("GetStatus: %v", err)
		}
		checkOneEvent(t, f, session.EventRevokedAtGitHub, s, secrets)
	})
}

func (f *fixture) events() *recordedEvents { return f.svc.Events.(*recordedEvents) }

func checkOneEvent(t *testing.T, f *fixture, kind session.EventKind, s session.Session, secrets []string) {
	t.Helper()
	got := f.events().take()
	want := session.Event{Kind: kind, Site: s.Site, UserID: s.UserID, GitHubLogin: "octocat",
		Generation: s.Generation, At: f.clock.Now().UTC()}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("events %+v, want exactly %+v", got, want)
	}
	text := fmt.Sprintf("%#v", got[0])
	for _, secret := range secrets {
		if secret == "" || strings.Contains(text, secret) {
			t.Errorf("the event holds a token (or the test has none to look for): %s", text)
		}
	}
}

// TestFailedPublicationNeverFailsTheCommand: with every publication failing,
// each command still succeeds; each failure is counted and logged.
func TestFailedPublicationNeverFailsTheCommand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var logs logtest.Buffer
	f.svc.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	m := &countingMetrics{counts: map[string]int{}}
	f.svc.Metrics = m
	f.svc.Events = &recordedEvents{fail: errors.New("bus unreachable")}

	f.login(t, alice, "octocat") // fails the test if CompleteLogin fails
	if _, err := f.svc.Logout(ctx, alice); err != nil {
		t.Fatalf("Logout with events failing: %v", err)
	}
	f.login(t, bob, "bob-gh")
	f.gh.RevokeAll("bob-gh")
	if _, err := f.svc.GetStatus(ctx, bob); !errors.Is(err, session.ErrEndedAtGitHub) {
		t.Fatalf("GetStatus with events failing: %v", err)
	}
	f.login(t, alice, "octocat")
	f.clock.Advance(8 * 24 * time.Hour)
	if n, err := f.sched.RunDue(ctx, f.svc.Expire); err != nil || n == 0 {
		t.Fatalf("automatic logout with events failing: ran %d, %v", n, err)
	}
	if _, err := f.db.GetSession(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the automatic logout did not end the session: %v", err)
	}
	if got := m.counts[session.FailureEventPublish.String()]; got != 6 {
		t.Errorf("Failures/event_publish counted %d, want 6 (3 logins, logout, revoked, automatic)", got)
	}
	if n := strings.Count(logs.String(), "publish event: not delivered"); n != 6 {
		t.Errorf("%d log lines about undelivered events, want 6:\n%s", n, logs.String())
	}
}

func TestIdempotencyKey(t *testing.T) {
	base := session.Event{Kind: session.EventLoggedIn, Site: site, UserID: "alice-id", GitHubLogin: "octocat",
		Generation: 42, At: t0}
	key := base.IdempotencyKey()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(key) || len(key) != session.IdempotencyKeyLen {
		t.Fatalf("IdempotencyKey = %q, want %d hex characters", key, session.IdempotencyKeyLen)
	}
	same := base
	same.At, same.GitHubLogin = t0.Add(time.Hour), "renamed"
	if same.IdempotencyKey() != key {
		t.Error("the key depends on the time or the GitHub login; it names the event by site, user, generation and kind")
	}
	for name, change := range map[string]func(*session.Event){
		"kind":       func(e *session.Event) { e.Kind = session.EventLoggedOut },
		"site":       func(e *session.Event) { e.Site = "https://chat.example.org" },
		"user":       func(e *session.Event) { e.UserID = "bob-id" },
		"generation": func(e *session.Event) { e.Generation = 43 },
	} {
		e := base
		change(&e)
		if e.IdempotencyKey() == key {
			t.Errorf("changing the %s keeps the key", name)
		}
	}
	for _, k := range session.EventKinds() {
		if !regexp.MustCompile(`^[a-z_]+$`).MatchString(string(k)) {
			t.Errorf("kind %q is not a lower-case word", k)
		}
	}
}
