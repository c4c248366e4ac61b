package faults_test

import (
	"context"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
)

// TestModelAWS runs the simulation against the AWS wiring on moto: the same
// operations as the concurrency test of the local server, interleaved in a
// random order but one at a time, since moto does not serialise concurrent
// conditional writes the way DynamoDB does.
func TestModelAWS(t *testing.T) {
	res := newAWSResources(t)
	w := newAWSWorld(t, res, func(env map[string]string) { env["SESSION_TTL"] = "6h" })
	sim := faults.Simulation{
		Flow: w.flow, Site: site, Users: 10, Rounds: 20, TTL: 6 * time.Hour,
		Clock: w.clock, RunDue: w.runDue, Inspector: w.inspector, Seed: 7,
	}
	res2, err := sim.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("AWS (moto), one at a time: %s", res2)
	for _, v := range res2.Violations {
		t.Error(v)
	}
	if res2.Counts["automatic logout"] == 0 || res2.Counts["login"] == 0 {
		t.Errorf("the simulation did not exercise every operation: %v", res2.Counts)
	}
}
