package main

import (
	"context"
	"sync"
	"time"

	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
)

// trackedScheduler is memstore's scheduler as the service sees it, which also
// remembers the retries and postponed runs scheduled for each user, so that
// the end-of-run check can find, for a token still alive at GitHub, the
// retired record that holds it and the job that will revoke it (memstore
// lists neither). Safe for concurrent use.
type trackedScheduler struct {
	*memstore.Scheduler

	mu      sync.Mutex
	retries map[session.Key]map[session.Job]struct{}
}

var _ session.Scheduler = (*trackedScheduler)(nil)

func newTrackedScheduler(s *memstore.Scheduler) *trackedScheduler {
	return &trackedScheduler{Scheduler: s, retries: map[session.Key]map[session.Job]struct{}{}}
}

// Schedule schedules job; a retry or postponed run is remembered, and the
// user's remembered jobs that are no longer pending are forgotten.
func (t *trackedScheduler) Schedule(ctx context.Context, job session.Job, at time.Time) error {
	if err := t.Scheduler.Schedule(ctx, job, at); err != nil {
		return err
	}
	if job.Attempt == 0 && job.Postponed == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	jobs := t.retries[job.Key()]
	if jobs == nil {
		jobs = map[session.Job]struct{}{}
		t.retries[job.Key()] = jobs
	}
	for j := range jobs {
		if _, ok, _ := t.Scheduler.Due(ctx, j); !ok {
			delete(jobs, j)
		}
	}
	jobs[job] = struct{}{}
	return nil
}

// Cancel cancels job and forgets it.
func (t *trackedScheduler) Cancel(ctx context.Context, job session.Job) error {
	if err := t.Scheduler.Cancel(ctx, job); err != nil {
		return err
	}
	if job.Attempt == 0 && job.Postponed == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if jobs := t.retries[job.Key()]; jobs != nil {
		delete(jobs, job)
		if len(jobs) == 0 {
			delete(t.retries, job.Key())
		}
	}
	return nil
}

// pendingRetries returns the retries and postponed runs pending now, by
// user.
func (t *trackedScheduler) pendingRetries(ctx context.Context) map[session.Key][]session.Job {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[session.Key][]session.Job{}
	for k, jobs := range t.retries {
		for j := range jobs {
			if _, ok, _ := t.Scheduler.Due(ctx, j); ok {
				out[k] = append(out[k], j)
			}
		}
	}
	return out
}
