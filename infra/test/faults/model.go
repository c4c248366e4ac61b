package faults

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

// Simulation plays many users who log in, log in again, log out, ask for
// their status and let their sessions run out, against a running service. It
// keeps a model of what should be (per user: logged in since when, or not),
// checks every answer against it, and at the end checks the service's state
// against it and the three invariants.
//
// Time moves only between rounds: each round the clock jumps ahead (at least
// 11 minutes, so every round is a new window for the login-link quota), then
// every user does one operation while the due automatic logouts run.
type Simulation struct {
	Flow   *Flow
	Site   string // the sessions' site, as normalised
	Users  int
	Rounds int           // each user does one operation per round
	TTL    time.Duration // the service's session length
	Clock  interface {
		Now() time.Time
		Advance(d time.Duration)
	}
	RunDue    func(ctx context.Context) error // runs the automatic logouts that are due
	Inspector Inspector
	// Concurrent runs the users' operations of a round and RunDue at the same
	// time; otherwise one at a time, in a random order.
	Concurrent bool
	Seed       uint64
}

// SimResult is what a simulation did and found.
type SimResult struct {
	Users int
	Ops   int // operations users made (logins, status, logouts)
	// Counts has the operations by kind, and under "automatic logout" the
	// sessions that reached their end while live (their automatic logout ran
	// in that round, alongside whatever their user did).
	Counts     map[string]int
	Violations []string
}

func (r SimResult) String() string {
	kinds := make([]string, 0, len(r.Counts))
	for k := range r.Counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, r.Counts[k])
	}
	return fmt.Sprintf("%d users, %d user operations (%s), %d violations",
		r.Users, r.Ops, strings.Join(parts, ", "), len(r.Violations))
}

// simUser is one user and what the model says of them.
type simUser struct {
	rc       rocketchattest.User
	ghLogin  string
	loggedIn bool
	since    time.Time // when the live session started
}

// op is one operation of a round.
type op string

const (
	opLogin  op = "login"
	opStatus op = "status"
	opLogout op = "logout"
	opWait   op = "wait" // do nothing while time passes
)

// RunChecked runs the simulation in test t, logs its result under label, and
// fails t for every violation found and for every kind of operation in
// exercised that never happened (a run that tested nothing of it).
func (s *Simulation) RunChecked(t testing.TB, label string, exercised ...string) SimResult {
	t.Helper()
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", label, res)
	for _, v := range res.Violations {
		t.Error(v)
	}
	for _, kind := range exercised {
		if res.Counts[kind] == 0 {
			t.Errorf("the run did not exercise %q: %v", kind, res.Counts)
		}
	}
	return res
}

// Run plays the simulation. Its error is about the harness (an answer that is
// not a direct message, the inspector failing); what the service got wrong
// is in the result's violations.
func (s *Simulation) Run(ctx context.Context) (SimResult, error) {
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	res := SimResult{Users: s.Users, Counts: map[string]int{}}
	users := make([]*simUser, s.Users)
	for i := range users {
		users[i] = &simUser{rc: rocketchattest.User{ID: fmt.Sprintf("sim-%03d-%d", i, s.Seed), Name: fmt.Sprintf("user%03d", i)},
			ghLogin: fmt.Sprintf("user%03d-gh", i)}
	}
	var mu sync.Mutex // guards res while operations run
	violate := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		res.Violations = append(res.Violations, fmt.Sprintf(format, args...))
	}
	for round := 0; round < s.Rounds; round++ {
		s.Clock.Advance(11*time.Minute + time.Duration(rng.Int64N(int64(s.TTL/2))))
		now := s.Clock.Now()
		ops := make([]op, len(users))
		due := make([]bool, len(users))
		for i, u := range users {
			ops[i] = []op{opLogin, opLogin, opStatus, opStatus, opStatus, opLogout, opWait, opWait}[rng.IntN(8)]
			due[i] = u.loggedIn && !now.Before(u.since.Add(s.TTL))
			if due[i] {
				res.Counts["automatic logout"]++
			}
			if ops[i] != opWait {
				res.Counts[string(ops[i])]++
				res.Ops++
			}
		}
		var harness error
		var harnessOnce sync.Once
		fail := func(err error) { harnessOnce.Do(func() { harness = err }) }
		tasks := make([]func(), 0, len(users)+1)
		for i, u := range users {
			tasks = append(tasks, func() {
				if err := s.do(ctx, u, ops[i], due[i], now, violate); err != nil {
					fail(err)
				}
			})
		}
		tasks = append(tasks, func() {
			if err := s.RunDue(ctx); err != nil {
				fail(fmt.Errorf("running due jobs: %w", err))
			}
		})
		if s.Concurrent {
			var wg sync.WaitGroup
			for _, task := range tasks {
				wg.Add(1)
				go func() { defer wg.Done(); task() }()
			}
			wg.Wait()
		} else {
			rng.Shuffle(len(tasks), func(i, j int) { tasks[i], tasks[j] = tasks[j], tasks[i] })
			for _, task := range tasks {
				task()
			}
		}
		if harness != nil {
			return res, harness
		}
		for i, u := range users {
			if due[i] && (ops[i] == opStatus || ops[i] == opWait) {
				u.loggedIn = false // its automatic logout ran this round
			}
		}
	}
	if err := s.checkFinal(ctx, users, violate); err != nil {
		return res, err
	}
	return res, nil
}

// do runs one operation of u and checks the answer against the model, then
// updates the model. due tells that u's session reached its end this round:
// its automatic logout runs at the same time, so either order is right.
func (s *Simulation) do(ctx context.Context, u *simUser, o op, due bool, now time.Time, violate func(string, ...any)) error {
	gh := "@" + u.ghLogin
	live := u.loggedIn && !due
	switch o {
	case opLogin:
		out, err := s.Flow.Login(ctx, u.rc, u.ghLogin)
		if err != nil {
			return err
		}
		if !(out.Step == StepCallback && out.Status == 200 && out.Has("Connected to GitHub as "+gh+" until")) {
			violate("%s: login: %s", u.rc.ID, out)
		}
		u.loggedIn, u.since = true, now
	case opStatus:
		out, err := s.Flow.Say(ctx, u.rc, "/github status")
		if err != nil {
			return err
		}
		if live && !out.Has("You are logged in to GitHub as "+gh) || !live && !out.Has("You are not logged in to GitHub") {
			violate("%s: status (logged in: %v): %s", u.rc.ID, live, out)
		}
	case opLogout:
		out, err := s.Flow.Say(ctx, u.rc, "/github logout")
		if err != nil {
			return err
		}
		loggedOut := out.Has("You are logged out of GitHub (" + gh + ") and the token is revoked.")
		notIn := out.Has("You are not logged in to GitHub")
		if live && !loggedOut || !u.loggedIn && !notIn || due && !loggedOut && !notIn {
			violate("%s: logout (logged in: %v, due: %v): %s", u.rc.ID, u.loggedIn, due, out)
		}
		u.loggedIn = false
	}
	return nil
}

// checkFinal compares the state with the model: the right users are logged
// in, with the session of their last login; every logged-in user has exactly
// one pending job, their automatic logout; nobody else has any; no retired
// session is left; and the invariants hold.
func (s *Simulation) checkFinal(ctx context.Context, users []*simUser, violate func(string, ...any)) error {
	in := s.Inspector
	sc := Scope{Want: map[session.Key]int64{}}
	wantJobs := 0
	for _, u := range users {
		k := session.Key{Site: s.Site, UserID: u.rc.ID}
		sc.Keys = append(sc.Keys, k)
		sc.Logins = append(sc.Logins, u.ghLogin)
		live, err := in.Store.GetSession(ctx, k)
		switch {
		case errors.Is(err, session.ErrNotFound):
			sc.Want[k] = 0
			if u.loggedIn {
				violate("%s: the model says logged in since %s, the store has no session", u.rc.ID, u.since)
			}
		case err != nil:
			return fmt.Errorf("final state of %s: %w", u.rc.ID, err)
		default:
			sc.Want[k] = live.Generation
			if !u.loggedIn {
				violate("%s: the model says logged out, the store has a live session", u.rc.ID)
			} else if !live.Started.Equal(u.since) {
				violate("%s: the live session started %s, the last login was %s", u.rc.ID, live.Started, u.since)
			}
			wantJobs++
		}
		if n := len(in.GitHub.LiveTokens(u.ghLogin)); n != map[bool]int{true: 1, false: 0}[u.loggedIn] {
			violate("%s: %d tokens alive at GitHub (logged in: %v)", u.rc.ID, n, u.loggedIn)
		}
	}
	rep, err := in.Check(ctx, sc)
	if err != nil {
		return err
	}
	for _, v := range rep.Violations {
		violate("%s", v)
	}
	if rep.Retired != 0 {
		violate("%d retired sessions are left in the store", rep.Retired)
	}
	pending := 0
	for _, job := range in.Ledger.Jobs() {
		_, ok, err := in.Due(ctx, job)
		if err != nil {
			return fmt.Errorf("final jobs: %w", err)
		}
		if ok {
			pending++
			if job.Attempt != 0 || sc.Want[job.Key()] != job.Generation {
				violate("a job is pending for %s generation %d attempt %d, which is not a live session's automatic logout",
					job.UserID, job.Generation, job.Attempt)
			}
		}
	}
	if pending != wantJobs {
		violate("%d jobs pending, want %d (one per logged-in user)", pending, wantJobs)
	}
	return nil
}
