package session_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/github"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// limitedGitHub puts GitHub's primary rate limit for the app's
// client-credential calls in front of the GitHub stand-in: at most limit
// revocations per hour of the virtual clock, then 403 with
// x-ratelimit-remaining 0 and x-ratelimit-reset at the hour's end, as
// GitHub's "Rate limits for the REST API" says it answers.
type limitedGitHub struct {
	clock    *sessiontest.Clock
	limit    int
	mu       sync.Mutex
	accepted map[time.Time]int // revocations let through, by hour
	refused  map[time.Time]int // revocations answered 403, by hour
}

// newLimitedGitHub serves f's GitHub stand-in behind the limit and points
// f's service at it through the real GitHub client, pacing its revocations
// at perHour (see github.Config.RevocationsPerHour).
func newLimitedGitHub(t *testing.T, f *fixture, limit, perHour int) *limitedGitHub {
	t.Helper()
	l := &limitedGitHub{clock: f.clock, limit: limit, accepted: map[time.Time]int{}, refused: map[time.Time]int{}}
	next := f.gh.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete || !strings.HasPrefix(r.URL.Path, "/applications/") {
			next.ServeHTTP(w, r)
			return
		}
		hour := l.clock.Now().Truncate(time.Hour)
		l.mu.Lock()
		over := l.accepted[hour] >= l.limit
		if over {
			l.refused[hour]++
		} else {
			l.accepted[hour]++
		}
		l.mu.Unlock()
		if over {
			w.Header().Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(hour.Add(time.Hour).Unix(), 10))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"API rate limit exceeded for client ID."}`))
			return
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.svc.GitHub = github.New(github.Config{ClientID: clientID, ClientSecret: secret, BaseURL: srv.URL, APIURL: srv.URL,
		RedirectURL: redirect, Scopes: []string{"read:user"}, Now: f.clock.Now, RevocationsPerHour: perHour})
	return l
}

// use fills the current hour's quota, as other calls of the app would.
func (l *limitedGitHub) use() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted[l.clock.Now().Truncate(time.Hour)] = l.limit
}

// recordingScheduler remembers every job scheduled through it.
type recordingScheduler struct {
	session.Scheduler
	mu   sync.Mutex
	jobs []session.Job
}

func (s *recordingScheduler) Schedule(ctx context.Context, job session.Job, at time.Time) error {
	s.mu.Lock()
	s.jobs = append(s.jobs, job)
	s.mu.Unlock()
	return s.Scheduler.Schedule(ctx, job, at)
}

// TestRevocationPostponedToGitHubsReset: a logout whose revocation GitHub
// refuses for its rate limit ends the session at once, keeps the sealed token,
// and schedules the revocation for GitHub's reset (spread over the hour after
// it), counting neither a revocation failure nor an attempt; at that time it
// is revoked.
func TestRevocationPostponedToGitHubsReset(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.login(t, alice, "octocat")
	tok := f.token(t, s)
	f.clock.Advance(23 * time.Minute)
	gh := newLimitedGitHub(t, f, 100, -1)
	gh.use()
	reset := t0.Add(time.Hour) // t0 is on the hour
	m := &countingMetrics{counts: map[string]int{}}
	f.svc.Metrics = m

	res, err := f.svc.Logout(ctx, alice)
	if err != nil || res.Revoked {
		t.Fatalf("Logout = %+v, %v; want ended, revocation pending", res, err)
	}
	if _, err := f.svc.GetStatus(ctx, alice); !errors.Is(err, session.ErrNotFound) {
		t.Fatal("the session is not over for the user at once")
	}
	if _, err := f.db.GetRetired(ctx, alice, s.Generation); err != nil {
		t.Fatalf("sealed token dropped before GitHub confirmed: %v", err)
	}
	postponed := session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation, Postponed: 1}
	at, ok, err := f.sched.Due(ctx, postponed)
	if err != nil || !ok {
		t.Fatalf("no postponed revocation pending (err %v)", err)
	}
	if at.Before(reset) || !at.Before(reset.Add(time.Hour)) {
		t.Errorf("postponed revocation due at %v, want within the hour from GitHub's reset %v", at, reset)
	}
	if _, ok, _ := f.sched.Due(ctx, session.Job{Site: site, UserID: alice.UserID, Generation: s.Generation, Attempt: 1}); ok {
		t.Error("an attempt was used up by GitHub's rate limit")
	}
	if n, _ := f.sched.Pending(ctx); n != 2 {
		t.Errorf("%d jobs pending, want 2 (the postponed revocation, and the automatic logout until GitHub confirms)", n)
	}
	if m.counts["Failures/revocation"] != 0 {
		t.Errorf("rate limit counted as a revocation failure: %v", m.counts)
	}

	f.clock.Set(at)
	f.runDue(t)
	if f.gh.TokenAlive(tok) {
		t.Fatal("token alive after the postponed revocation ran")
	}
	if _, err := f.db.GetRetired(ctx, alice, s.Generation); !errors.Is(err, session.ErrNotFound) {
		t.Error("retired token kept after GitHub confirmed")
	}
	if n, _ := f.sched.Pending(ctx); n != 0 {
		t.Errorf("%d jobs left pending", n)
	}
	if len(m.counts) != 2 || m.counts["Logouts/user"] != 1 || m.counts["Failures/revocation_postponed"] != 1 {
		t.Errorf("counts %v, want only the logout and the postponement", m.counts)
	}
}

// TestRevocationBacklogDrainsUnderTheLimit: far more users log out at once
// than GitHub's hourly limit allows revocations. Every revocation is kept and
// drains, hour by hour of the virtual clock, at no more than the limit; no
// attempt is used up and no failure counted; and GitHub is never asked again
// within an hour it refused (a process remembers the reset), or, with the
// client's own pace under the limit, never refuses at all.
func TestRevocationBacklogDrainsUnderTheLimit(t *testing.T) {
	const users, limit = 90, 30
	for _, c := range []struct {
		name           string
		perHour        int // the client's own pace; -1: none
		maxRefusedHour int // GitHub's refusals in any hour
	}{
		{"GitHub's answer alone", -1, 1},
		{"paced by the client under the limit", limit, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			var keys []session.Key
			var tokens []string
			for i := range users {
				k := session.Key{Site: site, UserID: fmt.Sprintf("user-%03d", i)}
				tokens = append(tokens, f.token(t, f.login(t, k, fmt.Sprintf("gh-%03d", i))))
				keys = append(keys, k)
			}
			gh := newLimitedGitHub(t, f, limit, c.perHour)
			sched := &recordingScheduler{Scheduler: f.sched}
			f.svc.Scheduler = sched
			m := &countingMetrics{counts: map[string]int{}}
			f.svc.Metrics = m
			for _, k := range keys {
				if _, err := f.svc.Logout(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			// Run the scheduler every 5 minutes of the virtual clock until
			// every token is dead, for at most a day.
			start := f.clock.Now()
			alive := func() int {
				n := 0
				for _, tok := range tokens {
					if f.gh.TokenAlive(tok) {
						n++
					}
				}
				return n
			}
			for alive() > 0 && f.clock.Now().Sub(start) < 24*time.Hour {
				f.clock.Advance(5 * time.Minute)
				f.runDue(t)
			}
			drained := f.clock.Now().Sub(start)
			t.Logf("%d revocations drained in %v at %d an hour; accepted by hour %v, refused by hour %v",
				users, drained, limit, gh.accepted, gh.refused)
			if n := alive(); n > 0 {
				t.Fatalf("%d tokens still alive after a day", n)
			}
			// users/limit full hours, plus the spread: an hour after the first
			// refusal, two after the second (the window doubles, and the
			// client's rolling hour can start its reset up to an hour later),
			// plus the scheduler's 5-minute step.
			if want := time.Duration(users/limit+2)*time.Hour + 5*time.Minute; drained > want {
				t.Errorf("drained in %v, want at most %v at the limit's rate", drained, want)
			}
			for hour, n := range gh.accepted {
				if n > limit {
					t.Errorf("%d revocations accepted in the hour from %v, over the limit %d", n, hour, limit)
				}
			}
			for hour, n := range gh.refused {
				if n > c.maxRefusedHour {
					t.Errorf("GitHub refused %d revocations in the hour from %v, want at most %d", n, hour, c.maxRefusedHour)
				}
			}
			for _, job := range sched.jobs {
				if job.Attempt != 0 {
					t.Fatalf("job %+v used up an attempt: a rate limit is not GitHub's answer about the token", job)
				}
			}
			if m.counts["Failures/revocation"] != 0 || m.counts["Failures/retry_unscheduled"] != 0 {
				t.Errorf("counts %v: a rate limit counted as a failure", m.counts)
			}
			if n, _ := f.sched.Pending(ctx); n != 0 {
				t.Errorf("%d jobs left pending", n)
			}
			for _, k := range keys {
				if _, err := f.svc.GetStatus(ctx, k); !errors.Is(err, session.ErrNotFound) {
					t.Fatalf("%s still logged in", k.UserID)
				}
			}
		})
	}
}

// TestUntrackedTokenPostponedToGitHubsReset: the token of a login that failed
// after GitHub issued it, whose revocation GitHub refuses for its rate limit,
// is kept sealed with its revocation postponed to the reset (no attempt used),
// and revoked then.
func TestUntrackedTokenPostponedToGitHubsReset(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Advance(10 * time.Minute)
	gh := newLimitedGitHub(t, f, 100, -1)
	gh.use()
	reset := t0.Add(time.Hour)
	sched := &recordingScheduler{Scheduler: f.sched}
	f.svc.Scheduler = sched
	f.gh.SetFault(githubtest.RouteUser, githubtest.Fault{Status: 502})
	authURL, browser := f.startAuth(t, alice)
	code, state := f.callback(t, authURL, "octocat")
	if _, err := f.svc.CompleteLogin(ctx, state, code, browser); err == nil {
		t.Fatal("login succeeded although GitHub did not say whose token it issued")
	}
	f.gh.ClearFault(githubtest.RouteUser)
	if len(sched.jobs) != 1 || sched.jobs[0].Attempt != 0 || sched.jobs[0].Postponed != 1 {
		t.Fatalf("jobs scheduled %+v, want one postponed revocation with no attempt used", sched.jobs)
	}
	at, ok, err := f.sched.Due(ctx, sched.jobs[0])
	if err != nil || !ok || at.Before(reset) || !at.Before(reset.Add(time.Hour)) {
		t.Fatalf("postponed revocation due %v (pending %v, %v), want within the hour from the reset %v", at, ok, err, reset)
	}
	if n := len(f.gh.LiveTokens("octocat")); n != 1 {
		t.Fatalf("%d tokens alive before the postponed revocation, want 1", n)
	}
	f.clock.Set(at)
	f.runDue(t)
	if n := len(f.gh.LiveTokens("octocat")); n != 0 {
		t.Fatalf("%d tokens alive after the postponed revocation ran", n)
	}
}

// TestPostponedRevocationsRunAFewTimesEach: a backlog many hours deep (240
// revocations at 15 an hour, paced by the client) drains with each
// revocation postponed a few times (the window doubles with each refusal),
// not once an hour until its turn, which would cost an invocation, a read, a
// decryption and a schedule per waiting revocation per hour.
func TestPostponedRevocationsRunAFewTimesEach(t *testing.T) {
	const users, limit = 240, 15 // a backlog of 16 hours
	f := newFixture(t)
	ctx := context.Background()
	var keys []session.Key
	for i := range users {
		k := session.Key{Site: site, UserID: fmt.Sprintf("user-%03d", i)}
		f.login(t, k, fmt.Sprintf("gh-%03d", i))
		keys = append(keys, k)
	}
	newLimitedGitHub(t, f, limit, limit)
	sched := &recordingScheduler{Scheduler: f.sched}
	f.svc.Scheduler = sched
	for _, k := range keys {
		if _, err := f.svc.Logout(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	start := f.clock.Now()
	for f.clock.Now().Sub(start) < 7*24*time.Hour {
		if n, _ := f.sched.Pending(ctx); n == 0 {
			break
		}
		f.clock.Advance(10 * time.Minute)
		f.runDue(t)
	}
	if n, _ := f.sched.Pending(ctx); n != 0 {
		t.Fatalf("%d revocations still pending after a week", n)
	}
	most := 0
	for _, job := range sched.jobs {
		most = max(most, job.Postponed)
	}
	t.Logf("drained in %v; %d postponed runs scheduled, at most %d for one revocation",
		f.clock.Now().Sub(start), len(sched.jobs), most)
	// log2(16 hours) + 1 refusals, and four more for chance (7 was seen in
	// about one run in ten; hourly re-runs reach 15).
	if most > 9 || len(sched.jobs) > 4*users {
		t.Errorf("a revocation was postponed %d times and %d postponed runs were scheduled for %d revocations; want each a few times, not once an hour of backlog",
			most, len(sched.jobs), users)
	}
}
