package faults

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// Inspector checks the invariants from outside the service: it reads the store,
// sealer and scheduler directly (never through fault injection), asks the
// GitHub stand-in which tokens work, and learns from the ledger which
// generations and jobs to look for.
type Inspector struct {
	Store  session.Store
	Sealer session.Sealer
	// Due tells whether a job is pending and when: bolt's Scheduler.Due or the
	// EventBridge adapter's Due (GetSchedule).
	Due    func(ctx context.Context, job session.Job) (time.Time, bool, error)
	GitHub *githubtest.Server
	Ledger *Ports
	// Handed, when set, returns the jobs that failed for good and were handed
	// to an operator (on AWS, the logout function's on-failure queue, which
	// raises an alarm). For I1 they count as pending; the report counts them.
	Handed func() []session.Job
}

// Scope says what to check.
type Scope struct {
	Keys   []session.Key // the users to look at
	Logins []string      // their GitHub logins, whose tokens the service may hold
	// Want maps the users whose state the test knows to the generation that
	// must be live (0: none). I2.
	Want map[session.Key]int64
	// Untracked is how many tokens alive at GitHub the service cannot know of:
	// 0 except in the named cases where the token is issued but the service
	// never learns it (it died, or the answer was lost, right after the exchange). I3.
	Untracked int
}

// Report is what Check found.
type Report struct {
	Violations []string
	Live       int // live sessions
	Retired    int // retired sessions still stored
	Tokens     int // tokens alive at GitHub for the logins in scope
	Untracked  int // of which the service tracks none
	Handed     int // stored tokens whose only job went to the on-failure queue
}

// Check reads the state and returns the violations of the invariants:
//
//	I1: every stored token (live or retired session) has a pending job that
//	    will deal with it: a live one its automatic logout at its end at the
//	    latest, a retired one a revocation retry (or the automatic logout).
//	I2: no session was ended except by its own logout: the live generations
//	    are those of Scope.Want, and every live session's token still works.
//	I3: every token alive at GitHub is tracked by a live or retired session,
//	    except Scope.Untracked of them.
//
// Messages name users by id and generations, never tokens.
func (in Inspector) Check(ctx context.Context, sc Scope) (Report, error) {
	var r Report
	tracked := map[string]bool{}
	handed := map[session.Job]bool{}
	if in.Handed != nil {
		for _, j := range in.Handed() {
			handed[j] = true
		}
	}
	for _, k := range sc.Keys {
		live, err := in.Store.GetSession(ctx, k)
		found := err == nil
		if err != nil && !errors.Is(err, session.ErrNotFound) {
			return r, fmt.Errorf("inspect live session of %s: %w", k.UserID, err)
		}
		if found {
			r.Live++
			tok, err := in.Sealer.Open(ctx, k, live.SealedToken)
			if err != nil {
				return r, fmt.Errorf("inspect: open token of %s: %w", k.UserID, err)
			}
			tracked[string(tok)] = true
			ends := live.Ends
			ok, viaQueue, err := in.pending(ctx, k, live.Generation, &ends, handed)
			if err != nil {
				return r, err
			}
			if viaQueue {
				r.Handed++
			}
			if !ok {
				r.Violations = append(r.Violations, fmt.Sprintf(
					"I1: the live session of %s (generation %d) has no pending automatic logout", k.UserID, live.Generation))
			}
			if !in.GitHub.TokenAlive(string(tok)) {
				r.Violations = append(r.Violations, fmt.Sprintf(
					"I2: the live session of %s (generation %d) holds a token GitHub no longer accepts: it was ended without a logout", k.UserID, live.Generation))
			}
		}
		for _, gen := range in.Ledger.Generations(k) {
			if found && gen == live.Generation {
				continue
			}
			ret, err := in.Store.GetRetired(ctx, k, gen)
			if errors.Is(err, session.ErrNotFound) {
				continue
			}
			if err != nil {
				return r, fmt.Errorf("inspect retired session of %s: %w", k.UserID, err)
			}
			r.Retired++
			tok, err := in.Sealer.Open(ctx, k, ret.SealedToken)
			if err != nil {
				return r, fmt.Errorf("inspect: open retired token of %s: %w", k.UserID, err)
			}
			tracked[string(tok)] = true
			ok, viaQueue, err := in.pending(ctx, k, gen, nil, handed)
			if err != nil {
				return r, err
			}
			if viaQueue {
				r.Handed++
			}
			if !ok {
				state := "dead"
				if in.GitHub.TokenAlive(string(tok)) {
					state = "alive"
				}
				r.Violations = append(r.Violations, fmt.Sprintf(
					"I1: a retired session of %s (generation %d, token %s at GitHub) is stored with no pending job", k.UserID, gen, state))
			}
		}
		if want, ok := sc.Want[k]; ok {
			var got int64
			if found {
				got = live.Generation
			}
			if got != want {
				r.Violations = append(r.Violations, fmt.Sprintf("I2: %s has live generation %d, want %d", k.UserID, got, want))
			}
		}
	}
	for _, login := range sc.Logins {
		for _, tok := range in.GitHub.LiveTokens(login) {
			r.Tokens++
			if !tracked[tok] {
				r.Untracked++
			}
		}
	}
	if r.Untracked != sc.Untracked {
		r.Violations = append(r.Violations, fmt.Sprintf(
			"I3: %d tokens are alive at GitHub that the service does not track, want %d", r.Untracked, sc.Untracked))
	}
	return r, nil
}

// pending tells whether a job for generation gen of k is pending, at ends
// (plus the schedulers' slack) at the latest when ends is given. viaQueue is
// true when the only such job is one handed to an operator.
func (in Inspector) pending(ctx context.Context, k session.Key, gen int64, ends *time.Time, handed map[session.Job]bool) (ok, viaQueue bool, err error) {
	const slack = 2 * time.Minute // EventBridge at() rounds up to the second; minLead is a minute
	for _, job := range in.Ledger.Jobs() {
		if job.Key() != k || job.Generation != gen {
			continue
		}
		at, pending, err := in.Due(ctx, job)
		if err != nil {
			return false, false, fmt.Errorf("inspect job of %s: %w", k.UserID, err)
		}
		if pending && (ends == nil || !at.After(ends.Add(slack))) {
			return true, false, nil
		}
		if handed[job] {
			viaQueue = true
		}
	}
	return viaQueue, viaQueue, nil
}
