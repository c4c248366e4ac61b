package bolt

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/logtest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

func TestSchedulerContract(t *testing.T) {
	sessiontest.TestScheduler(t, func(t *testing.T) (session.Scheduler, sessiontest.Inspect) {
		s := NewScheduler(openTest(t), nil, quietLogger())
		return s, s.Due
	})
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func testJob(user string) session.Job {
	return session.Job{Site: site, UserID: user, Generation: 42}
}

// newTestScheduler returns a scheduler on a fresh file with a fake clock at t0.
func newTestScheduler(t *testing.T) (*Scheduler, *sessiontest.Clock) {
	clock := sessiontest.NewClock(t0)
	return NewScheduler(openTest(t), clock.Now, quietLogger()), clock
}

// recorder is a job handler that remembers the jobs it ran.
type recorder struct {
	mu   sync.Mutex
	ran  []session.Job
	fail error
}

func (r *recorder) handle(_ context.Context, job session.Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ran = append(r.ran, job)
	return r.fail
}

func (r *recorder) jobs() []session.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]session.Job(nil), r.ran...)
}

func schedule(t *testing.T, s *Scheduler, job session.Job, at time.Time) {
	t.Helper()
	if err := s.Schedule(context.Background(), job, at); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
}

func runDue(t *testing.T, s *Scheduler, handle Handler) int {
	t.Helper()
	ran, err := s.RunDue(context.Background(), handle)
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	return ran
}

func requirePending(t *testing.T, s *Scheduler, want int) {
	t.Helper()
	n, err := s.Pending(context.Background())
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	if n != want {
		t.Fatalf("%d jobs pending, want %d", n, want)
	}
}

func requireDueAt(t *testing.T, s *Scheduler, job session.Job, want time.Time) {
	t.Helper()
	at, ok, err := s.Due(context.Background(), job)
	if err != nil || !ok || !at.Equal(want) {
		t.Fatalf("Due(%+v) = %s, %t, %v; want %s", job, at, ok, err, want)
	}
}

// jobRecordOf reads the stored record of a job.
func jobRecordOf(t *testing.T, s *Scheduler, job session.Job) jobRecord {
	t.Helper()
	rec, ok, err := s.record(context.Background(), jobKey(job))
	if err != nil || !ok {
		t.Fatalf("job record of %+v: found %t, %v", job, ok, err)
	}
	return rec
}

func TestRunDueRunsDueJobsInOrderOnce(t *testing.T) {
	s, clock := newTestScheduler(t)
	a, b, c := testJob("a"), testJob("b"), testJob("c")
	schedule(t, s, b, t0.Add(time.Minute))
	schedule(t, s, c, t0.Add(2*time.Hour))
	schedule(t, s, a, t0.Add(30*time.Second))

	var r recorder
	if ran := runDue(t, s, r.handle); ran != 0 {
		t.Fatalf("RunDue before anything was due ran %d jobs", ran)
	}
	clock.Set(t0.Add(time.Minute))
	if ran := runDue(t, s, r.handle); ran != 2 {
		t.Fatalf("RunDue ran %d jobs, want 2", ran)
	}
	if got := r.jobs(); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("ran %+v, want a then b", got)
	}
	requirePending(t, s, 1)
	requireDueAt(t, s, c, t0.Add(2*time.Hour))
	if ran := runDue(t, s, r.handle); ran != 0 {
		t.Fatalf("second RunDue ran %d jobs, want 0", ran)
	}
}

func TestJobSurvivesReopenAndRunsLate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	clock := sessiontest.NewClock(t0)
	job := testJob("u1")
	schedule(t, NewScheduler(db, clock.Now, quietLogger()), job, t0.Add(time.Hour))
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	s := NewScheduler(db, clock.Now, quietLogger())
	requireDueAt(t, s, job, t0.Add(time.Hour))

	clock.Set(t0.Add(72 * time.Hour)) // the machine was down for three days
	var r recorder
	if ran := runDue(t, s, r.handle); ran != 1 {
		t.Fatalf("RunDue ran %d jobs, want 1", ran)
	}
	if got := r.jobs(); len(got) != 1 || got[0] != job {
		t.Fatalf("ran %+v, want %+v", got, job)
	}
	requirePending(t, s, 0)
}

func TestFailedJobIsRetriedWithBackoff(t *testing.T) {
	s, clock := newTestScheduler(t)
	job := testJob("u1")
	schedule(t, s, job, t0)
	r := recorder{fail: errors.New("github is down")}

	now := t0
	for i, delay := range []time.Duration{1, 2, 4, 8, 16, 32, 60, 60} {
		if ran := runDue(t, s, r.handle); ran != 1 {
			t.Fatalf("failure %d: RunDue ran %d jobs, want 1", i+1, ran)
		}
		next := now.Add(delay * time.Minute)
		requireDueAt(t, s, job, next)
		rec := jobRecordOf(t, s, job)
		if rec.Failures != i+1 || rec.LastError != "github is down" {
			t.Fatalf("failure %d: record says %d failures, last error %q", i+1, rec.Failures, rec.LastError)
		}
		// Not again before its time.
		clock.Set(next.Add(-time.Second))
		if ran := runDue(t, s, r.handle); ran != 0 {
			t.Fatalf("failure %d: RunDue before the retry ran %d jobs", i+1, ran)
		}
		now = next
		clock.Set(now)
	}

	r.fail = nil
	if ran := runDue(t, s, r.handle); ran != 1 {
		t.Fatalf("RunDue ran %d jobs, want 1", ran)
	}
	requirePending(t, s, 0)
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Minute},
		{2, 2 * time.Minute},
		{3, 4 * time.Minute},
		{6, 32 * time.Minute},
		{7, time.Hour},
		{1000, time.Hour},
	}
	for _, tt := range tests {
		if got := retryDelay(tt.failures); got != tt.want {
			t.Errorf("retryDelay(%d) = %s, want %s", tt.failures, got, tt.want)
		}
	}
}

func TestJobRescheduledByItsHandlerIsKept(t *testing.T) {
	for _, fail := range []error{nil, errors.New("not yet")} {
		t.Run("handler error "+errString(fail), func(t *testing.T) {
			s, _ := newTestScheduler(t)
			job := testJob("u1")
			schedule(t, s, job, t0)
			later := t0.Add(3 * time.Hour)
			runDue(t, s, func(ctx context.Context, j session.Job) error {
				if err := s.Schedule(ctx, j, later); err != nil {
					t.Errorf("Schedule from the handler: %v", err)
				}
				return fail
			})
			requireDueAt(t, s, job, later)
			if rec := jobRecordOf(t, s, job); rec.Failures != 0 {
				t.Fatalf("rescheduled job records %d failures, want 0", rec.Failures)
			}
		})
	}
}

func TestJobCancelledByItsHandlerIsGone(t *testing.T) {
	s, _ := newTestScheduler(t)
	job := testJob("u1")
	schedule(t, s, job, t0)
	runDue(t, s, func(ctx context.Context, j session.Job) error {
		if err := s.Cancel(ctx, j); err != nil {
			t.Errorf("Cancel from the handler: %v", err)
		}
		return errors.New("failed after cancelling")
	})
	requirePending(t, s, 0)
}

func TestJobCancelledByAnEarlierJobDoesNotRun(t *testing.T) {
	s, _ := newTestScheduler(t)
	first, second := testJob("a"), testJob("b")
	schedule(t, s, first, t0.Add(-time.Minute))
	schedule(t, s, second, t0)
	var r recorder
	ran := runDue(t, s, func(ctx context.Context, j session.Job) error {
		if j == first {
			if err := s.Cancel(ctx, second); err != nil {
				t.Errorf("Cancel: %v", err)
			}
		}
		return r.handle(ctx, j)
	})
	if got := r.jobs(); ran != 1 || len(got) != 1 || got[0] != first {
		t.Fatalf("ran %d jobs: %+v; want only the first", ran, got)
	}
}

func TestPanickingJobIsRetriedAndOthersRun(t *testing.T) {
	var logs logtest.Buffer
	clock := sessiontest.NewClock(t0)
	s := NewScheduler(openTest(t), clock.Now, slog.New(slog.NewTextHandler(&logs, nil)))
	bad, good := testJob("bad"), testJob("good")
	schedule(t, s, bad, t0.Add(-time.Second))
	schedule(t, s, good, t0)

	var r recorder
	ran := runDue(t, s, func(ctx context.Context, j session.Job) error {
		if j == bad {
			panic("handler bug")
		}
		return r.handle(ctx, j)
	})
	if ran != 2 || len(r.jobs()) != 1 {
		t.Fatalf("RunDue ran %d jobs, the good one %d times; want 2 and 1", ran, len(r.jobs()))
	}
	requireDueAt(t, s, bad, t0.Add(time.Minute))
	if rec := jobRecordOf(t, s, bad); !strings.Contains(rec.LastError, "handler bug") {
		t.Errorf("last error %q does not mention the panic", rec.LastError)
	}
	if out := logs.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "panicked") {
		t.Errorf("the panic was not logged as an error; log:\n%s", out)
	}
	requirePending(t, s, 1)
}

func TestJobInterruptedByShutdownStaysDue(t *testing.T) {
	s, _ := newTestScheduler(t)
	job := testJob("u1")
	schedule(t, s, job, t0)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := s.RunDue(ctx, func(ctx context.Context, _ session.Job) error {
		cancel() // shutdown arrives while the job runs
		return ctx.Err()
	})
	if !errors.Is(err, context.Canceled) && err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	requireDueAt(t, s, job, t0)
	if rec := jobRecordOf(t, s, job); rec.Failures != 0 {
		t.Fatalf("interrupted job records %d failures, want 0", rec.Failures)
	}
}

func TestSucceededJobIsDeletedEvenIfShutdownFollows(t *testing.T) {
	s, _ := newTestScheduler(t)
	schedule(t, s, testJob("u1"), t0)
	ctx, cancel := context.WithCancel(context.Background())
	_, _ = s.RunDue(ctx, func(context.Context, session.Job) error {
		cancel() // shutdown arrives just as the job succeeds
		return nil
	})
	requirePending(t, s, 0)
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// putUnvalidated stores job as Schedule did before it validated jobs.
func putUnvalidated(t *testing.T, s *Scheduler, job session.Job, at time.Time) {
	t.Helper()
	key := jobKey(job)
	err := s.db.write(context.Background(), func(tx *bbolt.Tx) error {
		data, err := encode(jobRecord{Job: job, Due: at.UTC(), Revision: 1})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketJobs).Put(key, data); err != nil {
			return err
		}
		return tx.Bucket(bucketJobsDue).Put(dueKey(at.UTC(), key), []byte{})
	})
	if err != nil {
		t.Fatalf("store job: %v", err)
	}
}

// TestStoredInvalidJobIsDroppedNotRetried: a job stored before Schedule
// validated jobs (a whitespace user id, say) can never run; it is dropped
// with an error in the log instead of being retried forever, and the valid
// jobs around it run.
func TestStoredInvalidJobIsDroppedNotRetried(t *testing.T) {
	var logs logtest.Buffer
	clock := sessiontest.NewClock(t0)
	s := NewScheduler(openTest(t), clock.Now, slog.New(slog.NewTextHandler(&logs, nil)))
	bad := session.Job{Site: site, UserID: " ", Generation: 42}
	long := session.Job{Site: site, UserID: strings.Repeat("u", 10000), Generation: 42}
	good := testJob("good")
	putUnvalidated(t, s, bad, t0.Add(-time.Minute))
	putUnvalidated(t, s, long, t0.Add(-time.Second))
	schedule(t, s, good, t0)

	var r recorder
	runDue(t, s, r.handle)
	if got := r.jobs(); len(got) != 1 || got[0] != good {
		t.Fatalf("ran %+v, want only the valid job", got)
	}
	requirePending(t, s, 0)
	out := logs.String()
	if strings.Count(out, "level=ERROR") != 2 || !strings.Contains(out, "invalid and can never run") || !strings.Contains(out, "holds whitespace") {
		t.Fatalf("the dropped jobs were not logged as errors; log:\n%s", out)
	}
	if len(out) > 4000 {
		t.Fatalf("log of %d bytes for two dropped jobs: a value was not cut", len(out))
	}
	clock.Set(t0.Add(24 * time.Hour))
	if ran := runDue(t, s, r.handle); ran != 0 {
		t.Fatalf("a later RunDue ran %d jobs", ran)
	}
}
