package wiring_test

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/config"
	"rcgithub/shared/session"
	"rcgithub/shared/wiring"
)

// TestLocalDeferrer: deferred commands run in the background with what the
// user typed; Stop past its grace cancels those in flight and returns only
// once they have;
// past MaxDeferred in flight, and after Stop, Defer refuses.
func TestLocalDeferrer(t *testing.T) {
	var started, finished atomic.Int64
	release := make(chan struct{})
	got := make(chan chatops.Deferred, wiring.MaxDeferred)
	d := wiring.NewLocalDeferrer(func(ctx context.Context, x chatops.Deferred) error {
		started.Add(1)
		got <- x
		select {
		case <-ctx.Done():
		case <-release:
		}
		finished.Add(1)
		return ctx.Err()
	}, slog.New(slog.DiscardHandler))
	want := chatops.Deferred{Key: session.Key{Site: site, UserID: "u1"}, Text: "/github me"}
	for range wiring.MaxDeferred {
		if err := d.Defer(context.Background(), want); err != nil {
			t.Fatal(err)
		}
	}
	if x := <-got; x != want {
		t.Fatalf("ran %+v, want %+v", x, want)
	}
	if err := d.Defer(context.Background(), want); !errors.Is(err, wiring.ErrDeferrerFull) {
		t.Fatalf("Defer past MaxDeferred = %v, want ErrDeferrerFull", err)
	}
	for range wiring.MaxDeferred - 1 {
		<-got // every run has started
	}
	d.StopWithin(0) // no grace: Stop's own is TestLocalDeferrerStopLetsRunsFinish's
	if n := finished.Load(); n != wiring.MaxDeferred {
		t.Fatalf("Stop returned with %d of %d runs finished", n, wiring.MaxDeferred)
	}
	if err := d.Defer(context.Background(), want); !errors.Is(err, wiring.ErrDeferrerStopped) {
		t.Fatalf("Defer after Stop = %v, want ErrDeferrerStopped", err)
	}
	close(release)
}

// TestAssembleChat: the chat commands are always on, with a LocalDeferrer
// when asked for; without a claims store the wiring refuses to start.
func TestAssembleChat(t *testing.T) {
	sites := config.FixedSites(config.SingleSite(token, "", site))
	a := adapters(t)
	app, err := wiring.Assemble(common(), "s", sites, a, wiring.Options{DeferLocally: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if app.Chat == nil || app.LocalDeferrer == nil {
		t.Fatalf("chat %v, local deferrer %v; want both", app.Chat != nil, app.LocalDeferrer != nil)
	}
	app.LocalDeferrer.Stop()
	app, err = wiring.Assemble(common(), "s", sites, a, wiring.Options{})
	if err != nil || app.Chat == nil || app.LocalDeferrer != nil {
		t.Fatalf("without DeferLocally: chat %v, deferrer %v, %v; want chat and no local deferrer", app.Chat != nil, app.LocalDeferrer != nil, err)
	}
	a.Claims = nil
	if _, err := wiring.Assemble(common(), "s", sites, a, wiring.Options{}); err == nil || !strings.Contains(err.Error(), "claims") {
		t.Fatalf("without claims: %v; want an error naming the claims store", err)
	}
}

// TestLocalDeferrerStopLetsRunsFinish: Stop refuses new commands at once but
// lets a run in flight finish uncancelled within its grace (its answer is
// delivered); a run still going when the grace is spent is cancelled and its
// user told so on a context that is still alive.
func TestLocalDeferrerStopLetsRunsFinish(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	runErr := make(chan error, 1)
	var told atomic.Int64
	d := wiring.NewLocalDeferrer(func(ctx context.Context, _ chatops.Deferred) error {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		runErr <- ctx.Err()
		return ctx.Err()
	}, slog.New(slog.DiscardHandler))
	d.Unfinished = func(context.Context, chatops.Deferred, bool) error { told.Add(1); return nil }
	job := chatops.Deferred{Key: session.Key{Site: site, UserID: "u1"}, Text: "/github me"}
	if err := d.Defer(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	<-started
	stopped := make(chan struct{})
	go func() { defer close(stopped); d.StopWithin(time.Hour) }()
	for !errors.Is(d.Defer(context.Background(), job), wiring.ErrDeferrerStopped) {
		runtime.Gosched() // until Stop has begun
	}
	close(release)
	if err := <-runErr; err != nil {
		t.Fatalf("run in flight at Stop saw %v; want it left to finish", err)
	}
	<-stopped
	if n := told.Load(); n != 0 {
		t.Fatalf("a finished run was told unfinished %d times", n)
	}

	// Past the grace: cancelled, and its user told on a live context.
	notice := make(chan error, 1)
	d = wiring.NewLocalDeferrer(func(ctx context.Context, _ chatops.Deferred) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}, slog.New(slog.DiscardHandler))
	d.Unfinished = func(ctx context.Context, got chatops.Deferred, stopping bool) error {
		if got != job || !stopping {
			t.Errorf("told %+v stopping %v; want %+v stopping", got, stopping, job)
		}
		notice <- ctx.Err()
		return nil
	}
	if err := d.Defer(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	<-started
	d.StopWithin(time.Millisecond)
	select {
	case err := <-notice:
		if err != nil {
			t.Fatalf("told on a dead context: %v", err)
		}
	default:
		t.Fatal("Stop returned before the cancelled run's user was told")
	}
}

// TestLocalDeferrerDeferRacesStop: Defer from many goroutines while Stop runs
// never reuses the WaitGroup (go test -race).
func TestLocalDeferrerDeferRacesStop(t *testing.T) {
	d := wiring.NewLocalDeferrer(func(ctx context.Context, _ chatops.Deferred) error { return nil }, slog.New(slog.DiscardHandler))
	job := chatops.Deferred{Key: session.Key{Site: site, UserID: "u1"}, Text: "/github me"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if err := d.Defer(context.Background(), job); errors.Is(err, wiring.ErrDeferrerStopped) {
					return
				}
			}
		}()
	}
	d.StopWithin(time.Second)
	wg.Wait()
}
