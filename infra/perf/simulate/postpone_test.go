package main

// A revocation GitHub refuses for its rate limit is postponed to the reset
// plus a random spread; refused again, it waits in a window twice as wide
// (shared/session's postponeSpread). Each revocation waiting in a backlog of
// H hours then runs about log2(H) + 1 times, not once an hour until its turn
// (B²/2L runs for a backlog of B drained at L an hour), which made a
// million-user run at GitHub's 5,000 an hour take hours.

import (
	"context"
	"testing"
	"time"
)

func TestPostponedBacklogRerunsBounded(t *testing.T) {
	const users, limit = 2000, 100
	s, err := newSim(defaultConfig(users, 1, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := s.cfg.Start.Add(9 * time.Hour)
	s.clock.set(start)
	for u := range users {
		s.login(ctx, u, 540, false)
	}
	s.github.limit = limit
	for u := range users {
		s.logout(ctx, u) // limit accepted, the rest postponed: the backlog
	}
	runs := 0
	for m := range 48 * 60 {
		s.clock.set(start.Add(time.Duration(m) * time.Minute))
		n, err := s.scheduler.RunDue(ctx, s.expire)
		if err != nil {
			t.Fatal(err)
		}
		runs += n
	}
	if n := s.counted.retired.Load(); n != 0 {
		t.Fatalf("%d revocations still waiting after 48 h at %d an hour", n, limit)
	}
	backlog := users - limit
	// About log2(19 hours) + 1 = 5.2 runs each at most on average; hourly
	// re-runs took 9 each here.
	if perRun := float64(runs) / float64(backlog); perRun > 5.2 {
		t.Errorf("draining a backlog of %d revocations at %d an hour took %d postponed runs (%.1f each; want at most 5.2 each)",
			backlog, limit, runs, perRun)
	}
}
