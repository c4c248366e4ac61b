package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../../.."

// smallConfig is a population small enough for a unit test, over two weeks
// (one of warm-up), with the GitHub outage of the default run.
func smallConfig(workers int) Config {
	cfg := defaultConfig(3000, 14, 10, 7)
	cfg.Workers = workers
	return cfg
}

// A small population keeps every invariant: storage bounded by live
// sessions, the retry window and the links within the TTL lag (never by the
// logins); every session ends, its automatic logout run at its time; no
// token alive at GitHub after its session's end; and every kind of ending
// happens, including revocations retried through a GitHub outage.
func TestSimulationInvariants(t *testing.T) {
	res, err := Run(context.Background(), smallConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 {
		t.Errorf("%d errors from the service: %v", res.Errors, res.FirstErrors)
	}
	if res.SessionsPastEnd != 0 {
		t.Errorf("%d sessions live past their end", res.SessionsPastEnd)
	}
	if res.OrphanTokens != 0 {
		t.Errorf("%d tokens alive at GitHub that no session holds", res.OrphanTokens)
	}
	if res.StorageBoundBroken != 0 {
		t.Errorf("stored records over their bound on %d days", res.StorageBoundBroken)
	}
	last := res.Days[len(res.Days)-1]
	ended := res.Metrics["Logouts/user"] + res.Metrics["Logouts/automatic"] + res.Metrics["Logouts/replaced"] + res.Metrics["Logouts/revoked_at_github"]
	if logins := res.Metrics["Logins"]; logins != ended+int64(last.Records.Live) {
		t.Errorf("logins %d != sessions ended %d + live %d", logins, ended, last.Records.Live)
	}
	if last.Records.Total() >= int(last.TotalLogins) {
		t.Errorf("%d records after %d logins: storage grows with the logins", last.Records.Total(), last.TotalLogins)
	}
	if last.SchedulesAlive != last.Records.Live {
		t.Errorf("%d schedules for %d live sessions", last.SchedulesAlive, last.Records.Live)
	}
	for _, m := range []string{"Logouts/user", "Logouts/automatic", "Logouts/replaced", "Logouts/revoked_at_github", "Failures/revocation"} {
		if res.Metrics[m] == 0 {
			t.Errorf("no %s in the run: the model misses a path", m)
		}
	}
	if res.RevocationsFailed == 0 || res.RetiredAtEnd != 0 || res.RevocationAbandoned != 0 {
		t.Errorf("outage: %d revocations failed, %d retired records left, %d abandoned; want some failed, all retried",
			res.RevocationsFailed, res.RetiredAtEnd, res.RevocationAbandoned)
	}
	for f, info := range flows {
		var n int64
		for _, per := range res.PerMinute {
			n += int64(per[f])
		}
		if n == 0 && flow(f) != flowExpireStale && !rateLimitedFlow(flow(f)) {
			t.Errorf("flow %q never ran", info.name)
		}
	}
}

// rateLimitedFlow tells the flows that only run when GitHub refuses for its
// rate limit, which 3,000 users never meet at 5,000 an hour.
func rateLimitedFlow(f flow) bool {
	return f == flowLogoutLimited || f == flowExpireLimited || f == flowRetryLimited
}

// With GitHub's limit low enough that the Monday wave meets it (3,000 users,
// 50 revocations an hour), GitHub never accepts more than the limit in a
// window, the service postpones what GitHub refuses, the backlog of retired
// records drains, and no token is lost: every token of an ended session is
// revoked, or still held by a retired record with its revocation scheduled.
func TestSimulationRateLimited(t *testing.T) {
	cfg := smallConfig(2)
	cfg.RevocationLimit = 50
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 {
		t.Errorf("%d errors from the service: %v", res.Errors, res.FirstErrors)
	}
	var accepted, refused, first int64
	for m := range res.GHRevokeAccepted {
		accepted += int64(res.GHRevokeAccepted[m])
		refused += int64(res.GHRevokeRefused[m])
		first += int64(res.GHRevokeFirst[m])
	}
	var inWindows int64
	for i, n := range res.RevocationWindows {
		if n > int32(cfg.RevocationLimit) {
			t.Errorf("window %d: GitHub accepted %d revocations, over its limit of %d", i, n, cfg.RevocationLimit)
		}
		inWindows += int64(n)
	}
	if inWindows != accepted {
		t.Errorf("%d revocations accepted, %d of them in the limit's windows", accepted, inWindows)
	}
	if refused == 0 {
		t.Fatal("GitHub never refused: the limit was not met, the test shows nothing")
	}
	for _, f := range []flow{flowLogoutLimited, flowExpireLimited, flowRetryLimited} {
		var n int64
		for _, per := range res.PerMinute {
			n += int64(per[f])
		}
		if n == 0 {
			t.Errorf("flow %q never ran", flows[f].name)
		}
	}
	peak, peakAt := 0, 0
	for i, b := range res.Backlog {
		if b.Retired > peak {
			peak, peakAt = b.Retired, i
		}
	}
	if peak == 0 {
		t.Fatal("no backlog of retired records while GitHub refused")
	}
	drained := false
	for _, b := range res.Backlog[peakAt:] {
		drained = drained || b.Retired == 0
	}
	if !drained || res.RetiredAtEnd != 0 {
		t.Errorf("backlog peaked at %d (%s) and never drained: %d retired at the end", peak, res.Backlog[peakAt].At, res.RetiredAtEnd)
	}
	if res.OrphanTokens != 0 || res.RetiredUnscheduled != 0 || res.RevocationAbandoned != 0 {
		t.Errorf("tokens lost: %d alive that no session holds, %d retired records with nothing scheduled, %d abandoned",
			res.OrphanTokens, res.RetiredUnscheduled, res.RevocationAbandoned)
	}
	if res.LifeRevoked+res.KilledAwaiting != first {
		t.Errorf("%d tokens revoked after their session ended and %d revoked by their users meanwhile, of %d the service asked to revoke",
			res.LifeRevoked, res.KilledAwaiting, first)
	}
	if res.LifeLongest <= time.Hour || res.LifeP99 > res.LifeLongest {
		t.Errorf("token life after the session: p99 %v, longest %v; want the longest past an hour (refusals postpone to the next window)",
			res.LifeP99, res.LifeLongest)
	}
	if res.SessionsPastEnd != 0 || res.StorageBoundBroken != 0 || res.BacklogMiscounted != 0 {
		t.Errorf("%d sessions past their end, %d days over the storage bound, %d days the backlog was miscounted",
			res.SessionsPastEnd, res.StorageBoundBroken, res.BacklogMiscounted)
	}
	in, err := readInputs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	analyse(res, in).write(&b, "test")
	if strings.Contains(b.String(), "FAILED") {
		t.Errorf("report shows a failed check:\n%s", b.String())
	}
	if want := "GitHub accepts **50 revocations per window**"; !strings.Contains(b.String(), want) {
		t.Errorf("report lacks %q", want)
	}
}

// The run is the same whatever the number of workers: each user's
// behaviour comes from the seed, and users do not share records.
func TestSimulationDeterministic(t *testing.T) {
	cfg := smallConfig(1)
	cfg.Days = 9
	one, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 3
	three, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for m := range one.PerMinute {
		if one.PerMinute[m] != three.PerMinute[m] {
			t.Fatalf("minute %d: flows %v with 1 worker, %v with 3", m, one.PerMinute[m], three.PerMinute[m])
		}
	}
}

// The end-of-run check finds a token left alive at GitHub when its session
// is gone from the store: the check can fail.
func TestCheckFindsOrphanToken(t *testing.T) {
	s, err := newSim(defaultConfig(4, 1, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.clock.set(s.cfg.Start.Add(9 * time.Hour))
	s.login(ctx, 0, 540, false)
	s.login(ctx, 1, 540, false)
	res := &Result{}
	s.check(ctx, res)
	if res.OrphanTokens != 0 || s.errs.Load() != 0 {
		t.Fatalf("after two logins: %d orphan tokens, errors %v", res.OrphanTokens, s.firstErr)
	}
	// The store loses user 1's session while its token lives on.
	cur, err := s.store.GetSession(ctx, s.key(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.RetireSession(ctx, s.key(1), cur.Generation); err != nil {
		t.Fatal(err)
	}
	if err := s.store.DeleteRetired(ctx, s.key(1), cur.Generation); err != nil {
		t.Fatal(err)
	}
	res = &Result{}
	s.check(ctx, res)
	if res.OrphanTokens != 1 {
		t.Errorf("a token whose session is gone: %d orphans, want 1", res.OrphanTokens)
	}
	// A token whose revocation GitHub refused is held by a retired record
	// with its revocation scheduled: the backlog, not an orphan.
	s.login(ctx, 2, 540, false)
	s.github.limit = 1
	if err := s.github.Revoke(ctx, "gho_unknown"); err != nil { // the window's one revocation
		t.Fatal(err)
	}
	if _, err := s.svc.Logout(ctx, s.key(2)); err != nil {
		t.Fatal(err)
	}
	res = &Result{}
	s.check(ctx, res)
	if res.OrphanTokens != 1 || res.RetiredHeld != 1 || res.RetiredScheduled != 1 || res.RetiredUnscheduled != 0 {
		t.Fatalf("a token postponed: %d orphans, %d held, %d unscheduled; want 1 (user 1's), 1, 0",
			res.OrphanTokens, res.RetiredHeld, res.RetiredUnscheduled)
	}
	// Its revocation is lost (the schedule gone): the retired record no
	// longer excuses the token.
	for _, jobs := range s.tracked.pendingRetries(ctx) {
		for _, j := range jobs {
			if err := s.scheduler.Cancel(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
	}
	res = &Result{}
	s.check(ctx, res)
	if res.OrphanTokens != 2 || res.RetiredHeld != 0 || res.RetiredUnscheduled != 1 {
		t.Errorf("a retired token with nothing scheduled: %d orphans, %d held, %d unscheduled; want 2, 0, 1",
			res.OrphanTokens, res.RetiredHeld, res.RetiredUnscheduled)
	}
	// A session past its end whose automatic logout never ran.
	s.clock.set(s.cfg.Start.Add(9*time.Hour + sessionTTL + 2*time.Minute))
	res = &Result{}
	s.check(ctx, res)
	if res.SessionsPastEnd != 1 {
		t.Errorf("a session past its end: %d found, want 1", res.SessionsPastEnd)
	}
}

// The inputs come from the repository: the AWS calls per flow that the
// AWS-calls test wrote, the template's throttles and the bench's durations.
func TestReadInputs(t *testing.T) {
	in, err := readInputs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if in.webhookRate <= 0 || in.webhookBurst <= 0 || in.defaultRate <= 0 || in.defaultBurst <= 0 {
		t.Errorf("throttles %+v", in)
	}
	if n := in.calls["callback"].Calls["Scheduler.CreateSchedule"]; n != 1 {
		t.Errorf("callback: %d CreateSchedule, want 1 (from aws-calls.json)", n)
	}
	if n := in.calls["webhook: login"].TransactWriteItems; n < 2 {
		t.Errorf("webhook: login writes %d items in its transaction, want the link and its message at least", n)
	}
	for _, fn := range []string{"WebhookFunction", "CallbackFunction", "LogoutFunction"} {
		if in.warmMS[fn] <= 0 {
			t.Errorf("no warm duration for %s", fn)
		}
	}
	if b := in.accessLogBytes(); b < 100 || b > 1000 {
		t.Errorf("access log line of %d bytes", b)
	}
}

// The report of a small run names each limit with its source, and the cost.
func TestReport(t *testing.T) {
	cfg := smallConfig(2)
	cfg.Days = 9
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	in, err := readInputs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	analyse(res, in).write(&b, "test")
	for _, want := range []string{"## Checked at the end of the run", "## Live sessions and stored records", "Schedules alive at the peak",
		"## Peak and mean rates", "docs.github.com", "scheduler-quotas", "requests-per-second", "gettingstarted-limits", "rate.ts",
		"## As users grow", "(extrapolated)", "## Token revocations against GitHub's rate limit", "backlog of retired records", "## Monthly cost", "**total**", "At 10 M users"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "FAILED") {
		t.Errorf("report shows a failed check:\n%s", b.String())
	}
}
