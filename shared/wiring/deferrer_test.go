package wiring_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"

	"rcgithub/shared/chatops"
	"rcgithub/shared/config"
	"rcgithub/shared/memstore"
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

// TestAssembleChat: with a GitHub API and claims, the chat commands are on
// exactly when the session service hands out tokens (chatops.Sessions), with
// a LocalDeferrer when asked for; without a GitHub API they are off.
func TestAssembleChat(t *testing.T) {
	sites := config.FixedSites(config.SingleSite(token, "", site))
	a := adapters(t)
	a.Claims = memstore.NewClaims(nil)
	connect := func(string) chatops.GitHub { return nil }
	app, err := wiring.Assemble(common(), "s", sites, a, wiring.Options{ConnectGitHub: connect, DeferLocally: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	_, hands := any(app.Service).(chatops.Sessions)
	if (app.Chat != nil) != hands || (app.LocalDeferrer != nil) != hands {
		t.Fatalf("chat %v, local deferrer %v; want both exactly when the service is chatops.Sessions (%v)", app.Chat != nil, app.LocalDeferrer != nil, hands)
	}
	if app.LocalDeferrer != nil {
		app.LocalDeferrer.Stop()
	}
	app, err = wiring.Assemble(common(), "s", sites, a, wiring.Options{DeferLocally: true})
	if err != nil || app.Chat != nil || app.LocalDeferrer != nil {
		t.Fatalf("without a GitHub API: chat %v, deferrer %v, %v; want off", app.Chat, app.LocalDeferrer, err)
	}
}
