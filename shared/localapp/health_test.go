package localapp_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/localapp"
	"rcgithub/shared/logtest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// newClockApp is newApp on a clock the test moves, logging into logs.
func newClockApp(t *testing.T, clock *sessiontest.Clock, logs *logtest.Buffer) *localapp.App {
	t.Helper()
	env := map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": token,
		"DATA_DIR": filepath.Join(t.TempDir(), "data")}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := localapp.New(cfg, localapp.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// healthz asks the app's handler for method /healthz.
func healthz(a *localapp.App, method string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, httptest.NewRequest(method, localapp.HealthPath, nil))
	return rec
}

// waitUntil polls cond (a state, not a duration) for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

func TestHealthz(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	t.Run("healthy while the store answers and the scheduler runs", func(t *testing.T) {
		var logs logtest.Buffer
		a := newClockApp(t, sessiontest.NewClock(start), &logs)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); a.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		waitUntil(t, "the scheduler's first tick", func() bool { return !a.Scheduler.LastTick().IsZero() })
		rec := healthz(a, http.MethodGet)
		if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` ||
			rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("GET: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
		}
		if rec := healthz(a, http.MethodHead); rec.Code != http.StatusOK {
			t.Fatalf("HEAD: %d", rec.Code)
		}
		if rec := healthz(a, http.MethodPost); rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Fatalf("POST: %d %v", rec.Code, rec.Header())
		}
		// Polls stay out of the access log; the other routes keep theirs.
		a.Handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/no-such-page", nil))
		waitUntil(t, "the access line of another route", func() bool { return strings.Contains(logs.String(), `"path":"/no-such-page"`) })
		if strings.Contains(logs.String(), `"path":"/healthz"`) {
			t.Fatalf("health checks in the access log:\n%s", logs.String())
		}
	})

	t.Run("unavailable before the scheduler runs", func(t *testing.T) {
		a := newClockApp(t, sessiontest.NewClock(start), &logtest.Buffer{})
		rec := healthz(a, http.MethodGet)
		if rec.Code != http.StatusServiceUnavailable ||
			strings.TrimSpace(rec.Body.String()) != `{"status":"unavailable","reason":"the scheduler is not running"}` {
			t.Fatalf("%d %q", rec.Code, rec.Body.String())
		}
	})

	t.Run("unavailable while the scheduler is stalled, healthy again once it moves", func(t *testing.T) {
		var logs logtest.Buffer
		clock := sessiontest.NewClock(start)
		a := newClockApp(t, clock, &logs)
		job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 1}
		if err := a.Scheduler.Schedule(context.Background(), job, clock.Now()); err != nil {
			t.Fatal(err)
		}
		// A job that hangs (a call that never returns) holds the loop.
		started, release := make(chan struct{}), make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			a.Scheduler.Run(ctx, func(context.Context, session.Job) error {
				close(started)
				<-release
				return nil
			})
		}()
		t.Cleanup(func() { cancel(); <-done })
		<-started
		if rec := healthz(a, http.MethodGet); rec.Code != http.StatusOK {
			t.Fatalf("within the bound: %d %q", rec.Code, rec.Body.String())
		}
		clock.Advance(localapp.SchedulerStallBound + time.Minute)
		for range 2 { // the second poll logs nothing new
			rec := healthz(a, http.MethodGet)
			if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"reason":"the scheduler has not ticked for 4m0s (bound 3m0s)"`) {
				t.Fatalf("stalled: %d %q", rec.Code, rec.Body.String())
			}
		}
		if n := strings.Count(logs.String(), `"msg":"health check failing"`); n != 1 {
			t.Fatalf("%d failing lines, want 1:\n%s", n, logs.String())
		}
		close(release)
		// A new job wakes the loop (as Schedule always does), which then ticks.
		later := session.Job{Site: "https://chat.example.com", UserID: "u2", Generation: 1}
		if err := a.Scheduler.Schedule(context.Background(), later, clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "a tick after the job", func() bool { return !a.Scheduler.LastTick().Before(clock.Now()) })
		if rec := healthz(a, http.MethodGet); rec.Code != http.StatusOK {
			t.Fatalf("after the stall: %d %q", rec.Code, rec.Body.String())
		}
		if !strings.Contains(logs.String(), `"msg":"health check passing again"`) {
			t.Fatalf("recovery not logged:\n%s", logs.String())
		}
	})

	t.Run("unavailable when the store does not answer", func(t *testing.T) {
		a := newClockApp(t, sessiontest.NewClock(start), &logtest.Buffer{})
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		rec := healthz(a, http.MethodGet)
		if rec.Code != http.StatusServiceUnavailable ||
			strings.TrimSpace(rec.Body.String()) != `{"status":"unavailable","reason":"the store does not answer"}` {
			t.Fatalf("%d %q", rec.Code, rec.Body.String())
		}
	})
}
