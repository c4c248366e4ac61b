package sessiontest

import (
	"context"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// Inspect tells whether job is pending in the scheduler under test and when it
// will run. An adapter backs it with its own read (bolt's Due, EventBridge's
// GetSchedule); it should also check that what it finds decodes back to job,
// and return an error when it does not.
type Inspect func(ctx context.Context, job session.Job) (at time.Time, ok bool, err error)

// schedulerTest is one rule of the Scheduler contract, run on a fresh scheduler.
type schedulerTest struct {
	name string
	run  func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture)
}

// TestScheduler checks that the schedulers newScheduler returns keep the
// contract of session.Scheduler, observed through the Inspect that comes with
// each. newScheduler is called once per subtest and should register any cleanup
// with t.Cleanup. Times are those of a few years ahead, on whole seconds and
// not, in UTC and not; a pending job's time must be within a second of the
// time it was scheduled at.
func TestScheduler(t *testing.T, newScheduler func(t *testing.T) (session.Scheduler, Inspect)) {
	for _, tt := range schedulerTests {
		t.Run(tt.name, func(t *testing.T) {
			s, inspect := newScheduler(t)
			tt.run(t, s, inspect, newFixture(t))
		})
	}
}

// future is when the suite's jobs are due: ahead, so that a real scheduler
// would not refuse or fire them during the test.
var future = time.Date(2035, 6, 7, 8, 9, 10, 0, time.UTC)

func (f *fixture) job(user string, gen int64, attempt int) session.Job {
	return session.Job{Site: f.site, UserID: user, Generation: gen, Attempt: attempt}
}

var schedulerTests = []schedulerTest{
	{"invalid job is refused and not scheduled", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		ctx := context.Background()
		// Another user's: an adapter may name a job by fewer than all its
		// fields when they are invalid (a negative attempt as none, say).
		valid := f.job("valid", gen1, 0)
		requireNoErr(t, "Schedule", s.Schedule(ctx, valid, future))
		for name, job := range f.invalidJobs() {
			err := s.Schedule(ctx, job, future.Add(time.Hour))
			// Every adapter refuses by the one rule, and says why in its words.
			requireErr(t, "Schedule of an invalid job ("+name+")", err, session.ErrInvalidJob)
			if want := job.Validate().Error(); !strings.Contains(err.Error(), want) {
				t.Fatalf("Schedule of an invalid job (%s): error %q does not say %q", name, err, want)
			}
			requireNotPending(t, inspect, job)
		}
		requirePendingAt(t, inspect, valid, future)
	}},
	{"unknown job is not pending", func(t *testing.T, _ session.Scheduler, inspect Inspect, f *fixture) {
		requireNotPending(t, inspect, f.job("u1", gen1, 0))
	}},
	{"scheduled job is pending at its time", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		ctx := context.Background()
		cases := []struct {
			job session.Job
			at  time.Time
		}{
			{f.job("u1", gen1, 0), future},
			{f.job("u2", gen1, 0), future.Add(1500 * time.Millisecond)},
			{f.job("u3", gen2, 3), future.Add(time.Hour).In(india)},
		}
		for _, c := range cases {
			requireNoErr(t, "Schedule", s.Schedule(ctx, c.job, c.at))
		}
		for _, c := range cases {
			requirePendingAt(t, inspect, c.job, c.at)
		}
	}},
	{"scheduling again moves the job", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		ctx := context.Background()
		job := f.job("u1", gen1, 0)
		for _, at := range []time.Time{future, future.Add(-48 * time.Hour), future.Add(72 * time.Hour)} {
			requireNoErr(t, "Schedule", s.Schedule(ctx, job, at))
			requirePendingAt(t, inspect, job, at)
		}
	}},
	{"cancel removes only that job", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		ctx := context.Background()
		first := f.job("u1", gen1, 0)
		retry := f.job("u1", gen1, 1) // differs only in Attempt
		later := f.job("u1", gen2, 0) // differs only in Generation
		jobs := []session.Job{first, retry, later}
		for i, job := range jobs {
			requireNoErr(t, "Schedule", s.Schedule(ctx, job, future.Add(time.Duration(i)*time.Hour)))
		}
		for i, job := range jobs {
			requirePendingAt(t, inspect, job, future.Add(time.Duration(i)*time.Hour))
		}
		requireNoErr(t, "Cancel", s.Cancel(ctx, retry))
		requireNotPending(t, inspect, retry)
		requirePendingAt(t, inspect, first, future)
		requirePendingAt(t, inspect, later, future.Add(2*time.Hour))

		requireNoErr(t, "Cancel again", s.Cancel(ctx, retry))
		requireNoErr(t, "Cancel", s.Cancel(ctx, first))
		requireNotPending(t, inspect, first)
		requirePendingAt(t, inspect, later, future.Add(2*time.Hour))
	}},
	{"postponed runs are jobs of their own", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		ctx := context.Background()
		first := f.job("u1", gen1, 0)
		postponed := first
		postponed.Postponed = 1 // differs only in Postponed
		retry := f.job("u1", gen1, 1)
		retryPostponed := retry
		retryPostponed.Postponed = 1
		jobs := []session.Job{first, postponed, retry, retryPostponed}
		for i, job := range jobs {
			requireNoErr(t, "Schedule", s.Schedule(ctx, job, future.Add(time.Duration(i)*time.Hour)))
		}
		for i, job := range jobs {
			requirePendingAt(t, inspect, job, future.Add(time.Duration(i)*time.Hour))
		}
		requireNoErr(t, "Cancel", s.Cancel(ctx, postponed))
		requireNotPending(t, inspect, postponed)
		requirePendingAt(t, inspect, first, future)
		requirePendingAt(t, inspect, retry, future.Add(2*time.Hour))
		requirePendingAt(t, inspect, retryPostponed, future.Add(3*time.Hour))
	}},
	{"cancel of an unknown job", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		job := f.job("u1", gen1, 0)
		requireNoErr(t, "Cancel", s.Cancel(context.Background(), job))
		requireNotPending(t, inspect, job)
	}},
	{"jobs of other users and sites do not collide", func(t *testing.T, s session.Scheduler, inspect Inspect, f *fixture) {
		ctx := context.Background()
		jobs := []session.Job{
			f.job("u1", gen1, 0),
			f.job("u2", gen1, 0),
			{Site: f.otherSite(), UserID: "u1", Generation: gen1},
		}
		// Jobs that collide if an adapter joins the fields naively, among
		// those a scheduler accepts: a site cannot hold "#", a user id can.
		for _, sep := range separators {
			for _, job := range []session.Job{
				{Site: f.site + "/u1" + sep + "x", UserID: "y", Generation: gen1},
				{Site: f.site + "/u1", UserID: "x" + sep + "y", Generation: gen1},
			} {
				if job.Validate() == nil {
					jobs = append(jobs, job)
				}
			}
		}
		jobs = append(jobs, session.Job{Site: f.site + ":1", UserID: "x", Generation: gen1},
			session.Job{Site: f.site, UserID: "1:x", Generation: gen1})
		jobs = append(jobs,
			session.Job{Site: f.site, UserID: "u1", Generation: 12, Attempt: 3},
			session.Job{Site: f.site, UserID: "u1", Generation: 123})
		at := func(i int) time.Time { return future.Add(time.Duration(i) * time.Minute) }
		for i, job := range jobs {
			requireNoErr(t, "Schedule", s.Schedule(ctx, job, at(i)))
		}
		for i, job := range jobs {
			requirePendingAt(t, inspect, job, at(i))
		}
		requireNoErr(t, "Cancel", s.Cancel(ctx, jobs[0]))
		requireNotPending(t, inspect, jobs[0])
		for i, job := range jobs[1:] {
			requirePendingAt(t, inspect, job, at(i+1))
		}
	}},
}

// invalidJobs break the rule of session.Job.Validate, each in its own way.
func (f *fixture) invalidJobs() map[string]session.Job {
	return map[string]session.Job{
		"blank user":           f.job(" ", gen1, 0),
		"user with a space":    f.job("u 1", gen1, 0),
		"user with a control":  f.job("u1\x00", gen1, 0),
		"empty user":           f.job("", gen1, 0),
		"user over the bound":  f.job(strings.Repeat("u", session.MaxUserIDLen+1), gen1, 0),
		"site with a fragment": {Site: f.site + "#u1", UserID: "x", Generation: gen1},
		"site not normalised":  {Site: strings.ToUpper(f.site) + "/", UserID: "u1", Generation: gen1},
		"site not a URL":       {Site: "chat", UserID: "u1", Generation: gen1},
		"site over the bound":  {Site: f.site + "/" + strings.Repeat("p", session.MaxSiteLen), UserID: "u1", Generation: gen1},
		"no generation":        f.job("u1", 0, 0),
		"negative generation":  f.job("u1", -gen1, 0),
		"negative attempt":     f.job("u1", gen1, -1),
		"attempt over the cap": f.job("u1", gen1, 10001),
	}
}

// requirePendingAt fails the test unless job is pending within a second of at.
func requirePendingAt(t *testing.T, inspect Inspect, job session.Job, at time.Time) {
	t.Helper()
	got, ok, err := inspect(context.Background(), job)
	requireNoErr(t, "Inspect", err)
	if !ok {
		t.Fatalf("job %+v is not pending; want it at %s", job, at.UTC())
	}
	if d := got.Sub(at); d <= -time.Second || d >= time.Second {
		t.Fatalf("job %+v is pending at %s; want %s", job, got.UTC(), at.UTC())
	}
}

// requireNotPending fails the test if job is pending.
func requireNotPending(t *testing.T, inspect Inspect, job session.Job) {
	t.Helper()
	got, ok, err := inspect(context.Background(), job)
	requireNoErr(t, "Inspect", err)
	if ok {
		t.Fatalf("job %+v is pending at %s; want it not pending", job, got.UTC())
	}
}
