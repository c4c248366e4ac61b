package faults_test

import (
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
	sim.RunChecked(t, "AWS (moto), one at a time", "automatic logout", "login")
}
