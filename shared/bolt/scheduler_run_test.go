package bolt

import (
	"context"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// These tests use the real clock. They wait for things with a deadline far
// longer than they should take, and assert nothing about speed.
const patience = 20 * time.Second

// startRun runs s.Run in the background and returns a function that stops it
// and waits for it to return.
func startRun(t *testing.T, s *Scheduler, handle Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, handle)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			t.Fatal("Run did not return after its context was cancelled")
		}
	}
	t.Cleanup(stop)
	return stop
}

// startRecordingRun starts Run like startRun with a handler that succeeds and
// sends each job it runs on ran.
func startRecordingRun(t *testing.T, s *Scheduler) (ran <-chan session.Job, stop func()) {
	t.Helper()
	jobs := make(chan session.Job, 10)
	stop = startRun(t, s, func(_ context.Context, job session.Job) error {
		jobs <- job
		return nil
	})
	return jobs, stop
}

// waitFor returns the next job handled, or fails the test after patience.
func waitFor(t *testing.T, ran <-chan session.Job) session.Job {
	t.Helper()
	select {
	case job := <-ran:
		return job
	case <-time.After(patience):
		t.Fatal("no job ran in time")
		return session.Job{}
	}
}

// waitPending waits until s holds n jobs, or fails the test after patience.
func waitPending(t *testing.T, s *Scheduler, n int) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		got, err := s.Pending(context.Background())
		if err != nil {
			t.Fatalf("Pending: %v", err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs pending, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunRunsOverdueThenUpcomingJobs(t *testing.T) {
	s := NewScheduler(openTest(t), nil, quietLogger())
	overdue, upcoming := testJob("overdue"), testJob("upcoming")
	schedule(t, s, overdue, time.Now().Add(-time.Hour))
	schedule(t, s, upcoming, time.Now().Add(200*time.Millisecond))
	ran, stop := startRecordingRun(t, s)
	if got := waitFor(t, ran); got != overdue {
		t.Fatalf("first job run: %+v, want the overdue one", got)
	}
	if got := waitFor(t, ran); got != upcoming {
		t.Fatalf("second job run: %+v, want the upcoming one", got)
	}
	waitPending(t, s, 0)
	stop()
	if len(ran) != 0 {
		t.Fatalf("a job ran more than once: %+v", <-ran)
	}
}

// With no job scheduled Run sleeps for maxSleep; a job scheduled meanwhile must
// wake it, or the job would wait that long, past the test's patience.
func TestRunWakesForANewJob(t *testing.T) {
	if maxSleep <= patience {
		t.Fatalf("maxSleep %s must exceed the test's patience %s for this test to mean anything", maxSleep, patience)
	}
	s := NewScheduler(openTest(t), nil, quietLogger())
	first, later, soon := testJob("first"), testJob("later"), testJob("soon")
	schedule(t, s, first, time.Now())
	schedule(t, s, later, time.Now().Add(time.Hour))
	ran, _ := startRecordingRun(t, s)
	// Once the first job is done and deleted, Run goes to sleep for later's
	// time, capped at maxSleep.
	if got := waitFor(t, ran); got != first {
		t.Fatalf("job run: %+v, want the first one", got)
	}
	waitPending(t, s, 1)
	schedule(t, s, soon, time.Now().Add(100*time.Millisecond))
	if got := waitFor(t, ran); got != soon {
		t.Fatalf("job run: %+v, want the new one", got)
	}
	waitPending(t, s, 1) // later is still waiting
}

func TestRunSurvivesAPanic(t *testing.T) {
	s := NewScheduler(openTest(t), nil, quietLogger())
	bad, good := testJob("bad"), testJob("good")
	schedule(t, s, bad, time.Now().Add(-time.Second))
	schedule(t, s, good, time.Now().Add(100*time.Millisecond))
	ran := make(chan session.Job, 10)
	startRun(t, s, func(_ context.Context, job session.Job) error {
		if job == bad {
			panic("handler bug")
		}
		ran <- job
		return nil
	})
	if got := waitFor(t, ran); got != good {
		t.Fatalf("job run: %+v, want the good one", got)
	}
	waitPending(t, s, 1) // the bad one, waiting for its retry
	if rec := jobRecordOf(t, s, bad); rec.Failures != 1 {
		t.Fatalf("the panicking job records %d failures, want 1", rec.Failures)
	}
}
