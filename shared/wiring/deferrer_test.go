package wiring_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"rcgithub/shared/chatops"
	"rcgithub/shared/config"
	"rcgithub/shared/session"
	"rcgithub/shared/wiring"
)

// TestLocalDeferrer: deferred commands run in the background with what the
// user typed; Stop cancels those in flight and returns only once they have;
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
	d.Stop()
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
