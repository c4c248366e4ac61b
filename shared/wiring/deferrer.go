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
// not). Their lifetime is the server's: Stop lets those in flight finish for
// a while, cancels the rest and waits for them, before the store closes.
type LocalDeferrer struct {
	run    func(ctx context.Context, d chatops.Deferred) error
	logger *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	// Unfinished, when set before the first Defer, tells the user of a run
	// that ended early (Stop's grace spent, or DeferredTimeout) that it could
	// not finish, on a context of its own: the run's own is over, so its
	// answer was never delivered. stopping is true when Stop ended it.
	Unfinished func(ctx context.Context, d chatops.Deferred, stopping bool) error

	mu       sync.Mutex
	inFlight int
	stopped  bool
	wg       sync.WaitGroup
}

// StopGrace is how long Stop lets the deferred commands in flight finish, so
// that their answers are delivered, before cancelling them.
const StopGrace = 15 * time.Second

// unfinishedTimeout bounds the notice of a run that could not finish.
const unfinishedTimeout = 5 * time.Second

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
		err := l.run(ctx, d)
		if err == nil {
			return
		}
		l.logger.Warn("deferred command", "site", d.Site, "user", d.UserID, "error", err)
		if ctx.Err() == nil || l.Unfinished == nil {
			return // not cut short: the run said what went wrong itself
		}
		notice, cancelNotice := context.WithTimeout(context.Background(), unfinishedTimeout)
		defer cancelNotice()
		if err := l.Unfinished(notice, d, l.ctx.Err() != nil); err != nil {
			l.logger.Warn("tell deferred command unfinished", "site", d.Site, "user", d.UserID, "error", err)
		}
	}()
	return nil
}

// Stop refuses new commands, lets those in flight finish within StopGrace,
// then cancels the rest (their users are told, see Unfinished) and waits for
// them. The caller stops what starts commands (the HTTP server) first.
func (l *LocalDeferrer) Stop() { l.StopWithin(StopGrace) }

// StopWithin is Stop with a grace of its own.
func (l *LocalDeferrer) StopWithin(grace time.Duration) {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		l.cancel()
		<-done
	}
	l.cancel()
}
