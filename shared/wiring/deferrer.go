package wiring

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"rcgithub/shared/chatops"
)

// DeferredTimeout bounds a deferred command run by a LocalDeferrer: GitHub's
// slowest answers come within a minute, or not at all.
const DeferredTimeout = 2 * time.Minute

// MaxDeferred bounds the deferred commands a LocalDeferrer runs at once: past
// it, the user is told to try again rather than the process piling up work
// while GitHub is slow.
const MaxDeferred = 64

// ErrDeferrerFull and ErrDeferrerStopped are a LocalDeferrer's refusals.
var (
	ErrDeferrerFull    = errors.New("deferrer: too many deferred commands in flight")
	ErrDeferrerStopped = errors.New("deferrer: stopped")
)

// LocalDeferrer finishes deferred commands in goroutines of this process (the
// one-machine server, which outlives the webhook's answer; a Lambda does
// not). Their lifetime is the server's: Stop cancels those in flight and
// waits for them, before the store closes.
type LocalDeferrer struct {
	run    func(ctx context.Context, d chatops.Deferred) error
	logger *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	inFlight int
	stopped  bool
	wg       sync.WaitGroup
}

var _ chatops.Deferrer = (*LocalDeferrer)(nil)

// NewLocalDeferrer returns a deferrer that runs each deferred command with run
// (web.Handler.RunDeferred) for at most DeferredTimeout.
func NewLocalDeferrer(run func(ctx context.Context, d chatops.Deferred) error, logger *slog.Logger) *LocalDeferrer {
	ctx, cancel := context.WithCancel(context.Background())
	return &LocalDeferrer{run: run, logger: logger, ctx: ctx, cancel: cancel}
}

// Defer starts d in a goroutine, unless MaxDeferred are running or the
// deferrer is stopped.
func (l *LocalDeferrer) Defer(_ context.Context, d chatops.Deferred) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.stopped:
		return ErrDeferrerStopped
	case l.inFlight >= MaxDeferred:
		return ErrDeferrerFull
	}
	l.inFlight++
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer func() { l.mu.Lock(); l.inFlight--; l.mu.Unlock() }()
		ctx, cancel := context.WithTimeout(l.ctx, DeferredTimeout)
		defer cancel()
		if err := l.run(ctx, d); err != nil {
			l.logger.Warn("deferred command", "site", d.Site, "user", d.UserID, "error", err)
		}
	}()
	return nil
}

// Stop refuses new commands, cancels those in flight and waits for them.
func (l *LocalDeferrer) Stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	l.cancel()
	l.wg.Wait()
}
