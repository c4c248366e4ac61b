package main

import (
	"context"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
)

// TestConcurrentUsersMatchModel runs 50 simulated users for 28 rounds (about 1000 operations) against
// the local server on a loopback port: every round the clock jumps ahead, then
// all users at once log in (the whole browser flow through HTTP), log in
// again, ask for their status or log out, while the due automatic logouts
// run. Every answer is checked against a model of what should be, and so is
// the final state, with the three invariants (see infra/test/faults).
func TestConcurrentUsersMatchModel(t *testing.T) {
	skipIfShort(t)
	const sessionTTL = 6 * time.Hour // short, so that sessions run out during the run
	e := newEnv(t, func(vars map[string]string) { vars["SESSION_TTL"] = sessionTTL.String() })
	store, sealer := e.app.Service.Store, e.app.Service.Sealer
	ledger := faults.NewPorts(e.app.Service) // no faults: it records generations and jobs
	sim := faults.Simulation{
		Flow:  &faults.Flow{URL: e.url, Chat: e.rc, Authorize: e.gh.Authorize},
		Site:  site,
		Users: 50, Rounds: 28, TTL: sessionTTL, Clock: e.clock,
		RunDue: func(ctx context.Context) error {
			_, err := e.app.Scheduler.RunDue(ctx, e.app.Service.Expire)
			return err
		},
		Inspector:  faults.Inspector{Store: store, Sealer: sealer, Due: e.app.Scheduler.Due, GitHub: e.gh, Ledger: ledger},
		Concurrent: true,
		Seed:       1,
	}
	res, err := sim.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("local server, concurrent: %s", res)
	for _, v := range res.Violations {
		t.Error(v)
	}
	if res.Counts["automatic logout"] == 0 || res.Counts["login"] == 0 || res.Counts["logout"] == 0 {
		t.Errorf("the run did not exercise every operation: %v", res.Counts)
	}
	assertNoSecretsLogged(t, e)
}
