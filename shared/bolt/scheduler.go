package bolt

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/session"
)

// Scheduler is a durable job scheduler in the data file: jobs survive restarts,
// and jobs that fell due while the process was down run as soon as it is back.
// Run (or RunDue) executes them. Use one Scheduler per DB: Schedule wakes the
// Run loop of the same Scheduler only.
type Scheduler struct {
	db    *DB
	now   func() time.Time
	log   *slog.Logger
	wake  chan struct{} // a job was scheduled: the Run loop re-plans its sleep
	runMu sync.Mutex    // one RunDue at a time, so no job runs twice at once
	// tick is when the Run loop last woke or RunDue last started a job, for a
	// health check to tell a live loop from a stalled one (LastTick).
	tick atomic.Pointer[time.Time]
}

// LastTick returns when the Run loop last woke, or RunDue last started a job
// (zero before either): a live loop ticks at least every minute, plus the
// time of the jobs it runs.
func (s *Scheduler) LastTick() time.Time {
	if t := s.tick.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// beat records a tick at now(); the time keeps its monotonic reading, so a
// wall clock step does not make the loop look stalled.
func (s *Scheduler) beat() {
	now := s.now()
	s.tick.Store(&now)
}

// Compile-time check that Scheduler is a session scheduler.
var _ session.Scheduler = (*Scheduler)(nil)

// NewScheduler returns the scheduler kept in db. now tells the time (nil:
// time.Now); logger receives job failures (nil: slog.Default()).
func NewScheduler(db *DB, now func() time.Time, logger *slog.Logger) *Scheduler {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Scheduler{db: db, now: now, log: logger, wake: make(chan struct{}, 1)}
}

// Schedule arranges for job to run at at; scheduling the same job again moves
// it and clears its record of failures. A job is identified by all its fields:
// jobs that differ only in Attempt are distinct. A job that fails
// Job.Validate is refused, as the EventBridge adapter refuses it: it could
// never run, and would be retried forever.
func (s *Scheduler) Schedule(ctx context.Context, job session.Job, at time.Time) error {
	if err := job.Validate(); err != nil {
		return fmt.Errorf("schedule job: %w", err)
	}
	key := jobKey(job)
	at = at.UTC()
	err := s.db.write(ctx, func(tx *bbolt.Tx) error {
		jobs := tx.Bucket(bucketJobs)
		if err := unindexJob(tx, key); err != nil {
			return err
		}
		rev, err := jobs.NextSequence()
		if err != nil {
			return err
		}
		data, err := encode(jobRecord{Job: job, Due: at, Revision: rev})
		if err != nil {
			return err
		}
		if err := jobs.Put(key, data); err != nil {
			return err
		}
		return tx.Bucket(bucketJobsDue).Put(dueKey(at, key), []byte{})
	})
	if err != nil {
		return fmt.Errorf("schedule job: %w", err)
	}
	// Wake the Run loop in case this job is due before the one it sleeps for.
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

// Cancel removes a pending job; one that is not there is no error.
func (s *Scheduler) Cancel(ctx context.Context, job session.Job) error {
	key := jobKey(job)
	err := s.db.write(ctx, func(tx *bbolt.Tx) error {
		if err := unindexJob(tx, key); err != nil {
			return err
		}
		return tx.Bucket(bucketJobs).Delete(key)
	})
	if err != nil {
		return fmt.Errorf("cancel job: %w", err)
	}
	return nil
}

// Due tells whether job is pending and when it is due. It is the Inspect of
// sessiontest.TestScheduler.
func (s *Scheduler) Due(ctx context.Context, job session.Job) (time.Time, bool, error) {
	rec, ok, err := s.record(ctx, jobKey(job))
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	return rec.Due, true, nil
}

// Pending returns how many jobs are scheduled, due or not.
func (s *Scheduler) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.db.read(ctx, func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucketJobs).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count jobs: %w", err)
	}
	return n, nil
}

// record reads the job record at key; ok is false when there is none.
func (s *Scheduler) record(ctx context.Context, key []byte) (rec jobRecord, ok bool, err error) {
	err = s.db.read(ctx, func(tx *bbolt.Tx) error {
		data := tx.Bucket(bucketJobs).Get(key)
		if data == nil {
			return nil
		}
		ok = true
		return decode(data, &rec)
	})
	if err != nil {
		return jobRecord{}, false, fmt.Errorf("read job: %w", err)
	}
	return rec, ok, nil
}

// unindexJob removes the due-time entry of the job at key, if it is scheduled.
func unindexJob(tx *bbolt.Tx, key []byte) error {
	data := tx.Bucket(bucketJobs).Get(key)
	if data == nil {
		return nil
	}
	var rec jobRecord
	if err := decode(data, &rec); err != nil {
		return err
	}
	return tx.Bucket(bucketJobsDue).Delete(dueKey(rec.Due, key))
}
