package session_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// refusingScheduler refuses every Schedule, as EventBridge Scheduler does when
// it is down or the role lacks a permission; Cancel is passed through.
type refusingScheduler struct{ session.Scheduler }

func (refusingScheduler) Schedule(context.Context, session.Job, time.Time) error {
	return errors.New("scheduler unavailable")
}

// unreadableStore fails every GetSession, as DynamoDB does in an outage.
type unreadableStore struct{ session.Store }

func (unreadableStore) GetSession(context.Context, session.Key) (session.Session, error) {
	return session.Session{}, errors.New("store unavailable")
}

// unreadableRetired fails every GetRetired, as DynamoDB does in an outage.
type unreadableRetired struct{ session.Store }

func (unreadableRetired) GetRetired(context.Context, session.Key, int64) (session.Session, error) {
	return session.Session{}, errors.New("store unavailable")
}

// failingSealer cannot open tokens, as KMS when it is down or throttling.
type failingSealer struct{ session.Sealer }

func (failingSealer) Open(context.Context, session.Key, []byte) ([]byte, error) {
	return nil, errors.New("kms: ThrottlingException")
}

// TestExpireOutcomes shows which runs of a scheduled job return an error, and
// so reach the logout function's on-failure queue (LogoutFailureAlarm) after
// Lambda's retries: only a malformed job and work left with no retry pending.
// A run whose retry is scheduled, and a run that gave up at the retry cap,
// return nil and say so by their own metrics.
func TestExpireOutcomes(t *testing.T) {
	cases := []struct {
		name string
		// stage prepares the fixture and returns the job to run.
		stage      func(t *testing.T, f *fixture) session.Job
		wantErr    bool
		wantCounts map[string]int
		wantRetry  bool          // the job's next attempt is pending after the run
		retryIn    time.Duration // and due this long after the run
		wantKept   bool          // the sealed token is still stored (live or retired) after the run
		// postponed: the next run is the job postponed (Postponed+1, same
		// Attempt: no attempt used up), not its next attempt.
		postponed bool
	}{
		{"revoked", func(t *testing.T, f *fixture) session.Job {
			s := f.login(t, alice, "octocat")
			f.clock.Advance(8 * 24 * time.Hour)
			return session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}
		}, false, map[string]int{"Logouts/automatic": 1}, false, 0, false, false},
		{"GitHub down, retry scheduled", func(t *testing.T, f *fixture) session.Job {
			s := f.login(t, alice, "octocat")
			f.clock.Advance(8 * 24 * time.Hour)
			f.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
			return session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}
		}, false, map[string]int{"Logouts/automatic": 1, "Failures/revocation": 1}, true, 5 * time.Minute, true, false},
		{"GitHub down for over an hour, retry scheduled", func(t *testing.T, f *fixture) session.Job {
			return retiredJob(t, f, 4)
		}, false, map[string]int{"Failures/revocation": 1, "Failures/revocation_overdue": 1}, true, 80 * time.Minute, true, false},
		{"GitHub down, retry could not be scheduled", func(t *testing.T, f *fixture) session.Job {
			s := f.login(t, alice, "octocat")
			f.clock.Advance(8 * 24 * time.Hour)
			f.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
			f.svc.Scheduler = refusingScheduler{f.sched}
			return session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}
		}, true, map[string]int{"Logouts/automatic": 1, "Failures/revocation": 1, "Failures/retry_unscheduled": 1}, false, 0, true, false},
		{"GitHub down at the retry cap", func(t *testing.T, f *fixture) session.Job {
			return retiredJob(t, f, session.MaxRevocationAttempt)
		}, false, map[string]int{"Failures/revocation": 1, "Failures/revocation_overdue": 1, "Failures/revocation_abandoned": 1}, false, 0, true, false},
		{"GitHub back before the cap", func(t *testing.T, f *fixture) session.Job {
			job := retiredJob(t, f, session.MaxRevocationAttempt)
			f.gh.ClearFault(githubtest.RouteRevokeToken)
			return job
		}, false, map[string]int{}, false, 0, false, false},
		{"store down, retry scheduled", func(t *testing.T, f *fixture) session.Job {
			s := f.login(t, alice, "octocat")
			f.clock.Advance(8 * 24 * time.Hour)
			f.svc.Store = unreadableStore{f.db}
			return session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}
		}, false, map[string]int{"Failures/automatic_logout": 1}, true, time.Minute, true, true},
		{"store down during a revocation retry: postponed, not counted as a failure", func(t *testing.T, f *fixture) session.Job {
			job := retiredJob(t, f, 4)
			f.svc.Store = unreadableStore{f.db}
			return job
		}, false, map[string]int{"Failures/automatic_logout": 1}, true, 16 * time.Minute, true, true},
		{"retired record unreadable during a revocation retry: postponed, not counted as a failure", func(t *testing.T, f *fixture) session.Job {
			job := retiredJob(t, f, 4)
			f.svc.Store = unreadableRetired{f.db}
			return job
		}, false, map[string]int{"Failures/revocation_postponed": 1}, true, 80 * time.Minute, true, true},
		{"KMS down during a revocation retry: postponed, not counted as a failure", func(t *testing.T, f *fixture) session.Job {
			job := retiredJob(t, f, 4)
			f.svc.Sealer = failingSealer{f.svc.Sealer}
			return job
		}, false, map[string]int{"Failures/revocation_postponed": 1}, true, 80 * time.Minute, true, true},
		{"KMS down at the retry cap: not given up", func(t *testing.T, f *fixture) session.Job {
			job := retiredJob(t, f, session.MaxRevocationAttempt)
			f.svc.Sealer = failingSealer{f.svc.Sealer}
			return job
		}, false, map[string]int{"Failures/revocation_postponed": 1}, true, 6 * time.Hour, true, true},
		{"store down, retry could not be scheduled", func(t *testing.T, f *fixture) session.Job {
			s := f.login(t, alice, "octocat")
			f.clock.Advance(8 * 24 * time.Hour)
			f.svc.Store = unreadableStore{f.db}
			f.svc.Scheduler = refusingScheduler{f.sched}
			return session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation}
		}, true, map[string]int{"Failures/automatic_logout": 1, "Failures/retry_unscheduled": 1}, false, 0, true, true},
		{"malformed job", func(t *testing.T, f *fixture) session.Job {
			return session.Job{Site: site, UserID: " ", Generation: 1}
		}, true, map[string]int{}, false, 0, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			job := c.stage(t, f)
			m := &countingMetrics{counts: map[string]int{}}
			f.svc.Metrics = m
			var logs bytes.Buffer
			f.svc.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			err := f.svc.Expire(ctx, job)
			if (err != nil) != c.wantErr {
				t.Fatalf("Expire = %v; want an error (to the on-failure queue): %v", err, c.wantErr)
			}
			if !reflect.DeepEqual(m.counts, c.wantCounts) {
				t.Errorf("counts %v, want %v", m.counts, c.wantCounts)
			}
			next := job
			if c.postponed {
				next.Postponed++
			} else {
				next.Attempt++
			}
			at, pending, err := f.sched.Due(ctx, next)
			if err != nil || pending != c.wantRetry {
				t.Errorf("next attempt pending = %v (%v), want %v", pending, err, c.wantRetry)
			}
			if pending && !at.Equal(f.clock.Now().Add(c.retryIn)) {
				t.Errorf("next attempt due in %v, want %v", at.Sub(f.clock.Now()), c.retryIn)
			}
			_, rerr := f.db.GetRetired(ctx, job.Key(), job.Generation)
			live, lerr := f.db.GetSession(ctx, job.Key())
			kept := rerr == nil || (lerr == nil && live.Generation == job.Generation)
			if kept != c.wantKept && job.Validate() == nil {
				t.Errorf("sealed token kept = %v, want %v", kept, c.wantKept)
			}
			if c.wantCounts["Failures/revocation_abandoned"] > 0 &&
				!strings.Contains(logs.String(), `"level":"ERROR","msg":"revoke token: not confirmed, retries given up`) {
				t.Errorf("no ERROR line for the abandoned revocation:\n%s", logs.String())
			}
		})
	}
}

// retiredJob logs alice in and out with GitHub failing to confirm the
// revocation, and returns the retry job of the retired token with the given
// attempt, GitHub still down. Only that job is left pending.
func retiredJob(t *testing.T, f *fixture, attempt int) session.Job {
	t.Helper()
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	f.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
	if _, err := f.svc.Logout(ctx, alice); err != nil {
		t.Fatal(err)
	}
	job := session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation, Attempt: 1}
	if err := f.sched.Cancel(ctx, job); err != nil {
		t.Fatal(err)
	}
	job.Attempt = attempt
	if attempt > 0 {
		if err := f.sched.Schedule(ctx, job, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return job
}

// TestLogoutPastItsDeadlineStillSchedulesTheRetry: when a slow GitHub uses up
// the request's time (the webhook's deadline), the revocation's retry is
// still scheduled, on a deadline of its own: the token never stays alive at
// GitHub with nothing pending but the old automatic logout.
func TestLogoutPastItsDeadlineStillSchedulesTheRetry(t *testing.T) {
	f := newFixture(t)
	s := f.login(t, alice, "octocat")
	f.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := f.svc.Logout(ctx, alice)
	if err != nil || res.Revoked {
		t.Fatalf("Logout = %+v, %v; want a logout whose revocation is not confirmed", res, err)
	}
	retry := session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation, Attempt: 1}
	if _, ok, err := f.sched.Due(context.Background(), retry); err != nil || !ok {
		t.Fatalf("no revocation retry pending after a logout past its deadline (err %v)", err)
	}
}
