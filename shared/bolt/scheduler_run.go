package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/session"
)

// Handler runs a due job. When it returns an error or panics, the job stays
// scheduled and is retried later.
type Handler func(ctx context.Context, job session.Job) error

const (
	firstRetryDelay = time.Minute
	maxRetryDelay   = time.Hour
	// maxSleep bounds the Run loop's sleep, so that a wall clock that jumps
	// (suspend, NTP step) delays a job by at most this much.
	maxSleep = time.Minute
	// errorPause is how long the Run loop waits after the data file failed.
	errorPause = 10 * time.Second
)

// Run runs jobs as they fall due, one at a time, until ctx is cancelled: first
// every job overdue already (late rather than never), then each at its time. It
// sleeps until the next job is due and wakes early when Schedule adds an
// earlier one. Failures of the data file are logged and retried.
func (s *Scheduler) Run(ctx context.Context, handle Handler) {
	for ctx.Err() == nil {
		s.beat()
		timer := time.NewTimer(s.runAndPlan(ctx, handle))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// runAndPlan runs the due jobs and returns how long to sleep before the next.
func (s *Scheduler) runAndPlan(ctx context.Context, handle Handler) time.Duration {
	if _, err := s.RunDue(ctx, handle); err != nil {
		if ctx.Err() != nil {
			return 0 // Run returns
		}
		s.log.ErrorContext(ctx, "scheduler: run due jobs", "error", err, "retry_in", errorPause.String())
		return errorPause
	}
	next, ok, err := s.nextDue(ctx)
	switch {
	case err != nil:
		s.log.ErrorContext(ctx, "scheduler: find next job", "error", err, "retry_in", errorPause.String())
		return errorPause
	case !ok:
		return maxSleep
	}
	return min(max(next.Sub(s.now()), 0), maxSleep)
}

// RunDue runs, one at a time, every job due at now() when it starts, and
// returns how many it ran. A job that succeeds is deleted unless it was
// rescheduled (by its handler, say) while it ran; one that fails is kept and
// retried after a delay that starts at a minute and doubles up to an hour. The
// error is about the data file or ctx, never about a job.
func (s *Scheduler) RunDue(ctx context.Context, handle Handler) (int, error) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	now := s.now()
	due, err := s.dueBy(ctx, now)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, key := range due {
		if err := ctx.Err(); err != nil {
			return ran, err
		}
		// An earlier job of this pass may have cancelled or moved this one.
		rec, ok, err := s.record(ctx, key)
		if err != nil {
			return ran, err
		}
		if !ok || rec.Due.After(now) {
			continue
		}
		ran++
		s.beat() // a long catch-up of overdue jobs is progress, not a stall
		if err := s.runJob(ctx, handle, rec); err != nil {
			return ran, err
		}
	}
	return ran, nil
}

// dueBy returns the keys of the jobs due at t, earliest first.
func (s *Scheduler) dueBy(ctx context.Context, t time.Time) ([][]byte, error) {
	var keys [][]byte
	limit := sortableNanos(t)
	err := s.db.read(ctx, func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketJobsDue).Cursor()
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k[:8]) <= limit; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k[8:]...))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list due jobs: %w", err)
	}
	return keys, nil
}

// nextDue returns when the earliest job is due; ok is false when none is scheduled.
func (s *Scheduler) nextDue(ctx context.Context) (at time.Time, ok bool, err error) {
	var key []byte
	err = s.db.read(ctx, func(tx *bbolt.Tx) error {
		k, _ := tx.Bucket(bucketJobsDue).Cursor().First()
		if k != nil {
			key = append([]byte(nil), k[8:]...)
		}
		return nil
	})
	if err != nil || key == nil {
		return time.Time{}, false, err
	}
	rec, ok, err := s.record(ctx, key)
	return rec.Due, ok, err
}

// runJob runs one job and records the outcome.
func (s *Scheduler) runJob(ctx context.Context, handle Handler, rec jobRecord) error {
	job := rec.Job
	if err := job.Validate(); err != nil {
		// Stored before Schedule validated jobs: it can never succeed, and
		// would be retried forever. On AWS such a payload fails its runs and
		// ends in the on-failure queue; here this log line is the record.
		if _, ferr := s.finish(context.WithoutCancel(ctx), rec, nil, time.Time{}); ferr != nil {
			return ferr
		}
		s.log.ErrorContext(ctx, "scheduled job is invalid and can never run; dropped",
			"site", cut(job.Site), "user", cut(job.UserID), "generation", job.Generation, "attempt", job.Attempt, "error", err)
		return nil
	}
	jobErr := s.call(ctx, handle, job)
	if jobErr != nil && ctx.Err() != nil {
		// Interrupted by shutdown: leave it due, to run first thing next start.
		s.log.InfoContext(ctx, "scheduled job interrupted by shutdown; it will run at the next start",
			"site", job.Site, "user", job.UserID, "generation", job.Generation, "attempt", job.Attempt)
		return nil
	}
	retryAt := s.now().Add(retryDelay(rec.Failures + 1))
	// Record the outcome even if ctx ends now: a job that ran must not run again.
	kept, err := s.finish(context.WithoutCancel(ctx), rec, jobErr, retryAt)
	if err != nil {
		return err
	}
	switch {
	case jobErr != nil && kept:
		s.log.ErrorContext(ctx, "scheduled job failed; will retry",
			"site", job.Site, "user", job.UserID, "generation", job.Generation, "attempt", job.Attempt,
			"failures", rec.Failures+1, "retry_at", retryAt.UTC(), "error", jobErr)
	case jobErr != nil:
		s.log.ErrorContext(ctx, "scheduled job failed; it was rescheduled or cancelled while it ran",
			"site", job.Site, "user", job.UserID, "generation", job.Generation, "attempt", job.Attempt,
			"error", jobErr)
	}
	return nil
}

// finish deletes a job that succeeded, or moves a failed one to retryAt, unless
// the job was rescheduled or cancelled while it ran. kept tells whether the
// failure was recorded.
func (s *Scheduler) finish(ctx context.Context, ran jobRecord, jobErr error, retryAt time.Time) (kept bool, err error) {
	key := jobKey(ran.Job)
	err = s.db.write(ctx, func(tx *bbolt.Tx) error {
		kept = false
		jobs := tx.Bucket(bucketJobs)
		data := jobs.Get(key)
		if data == nil {
			return nil // cancelled while it ran
		}
		var cur jobRecord
		if err := decode(data, &cur); err != nil {
			return err
		}
		if cur.Revision != ran.Revision {
			return nil // rescheduled while it ran: the new schedule stands
		}
		if err := tx.Bucket(bucketJobsDue).Delete(dueKey(cur.Due, key)); err != nil {
			return err
		}
		if jobErr == nil {
			return jobs.Delete(key)
		}
		cur.Due = retryAt.UTC()
		cur.Failures++
		cur.LastError = jobErr.Error()
		data, err := encode(cur)
		if err != nil {
			return err
		}
		if err := jobs.Put(key, data); err != nil {
			return err
		}
		kept = true
		return tx.Bucket(bucketJobsDue).Put(dueKey(cur.Due, key), []byte{})
	})
	if err != nil {
		return false, fmt.Errorf("record outcome of job: %w", err)
	}
	return kept, nil
}

// call runs handle, turning a panic into an error so that the loop survives.
func (s *Scheduler) call(ctx context.Context, handle Handler, job session.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(ctx, "scheduled job panicked",
				"site", job.Site, "user", job.UserID, "generation", job.Generation, "attempt", job.Attempt,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("job handler panicked: %v", p)
		}
	}()
	return handle(ctx, job)
}

// retryDelay is how long to wait after the nth failure in a row: a minute,
// doubling, at most an hour.
func retryDelay(failures int) time.Duration {
	d := firstRetryDelay
	for i := 1; i < failures && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// cut bounds a value of an invalid job for the log: it may be of any length.
func cut(s string) string {
	const maxLogValue = 256
	if len(s) > maxLogValue {
		return s[:maxLogValue] + "…"
	}
	return s
}
