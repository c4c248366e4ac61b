package faults_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"rcgithub/infra/test/faults"
)

// The sweeps fail each call a flow makes, one at a time: first a run without
// faults records the calls the flow makes (after its setup), then one run per
// call makes exactly that call fail, and checks what alice saw, the
// invariants, and that what she was told came true once the fault ended.

// position is the nth call of op in a flow.
type position struct {
	op string
	n  int
}

func (p position) String() string { return fmt.Sprintf("%s#%d", p.op, p.n) }

// positions numbers the calls; keep selects which ones to fail.
func positions(calls []string, keep func(op string) bool) []position {
	seen := map[string]int{}
	var out []position
	for _, op := range calls {
		seen[op]++
		if keep(op) {
			out = append(out, position{op, seen[op]})
		}
	}
	return out
}

// probe runs flow without faults and returns the calls recorded by calls.
func probe(t *testing.T, newWorld func(t *testing.T) *world, flow flowName, calls func(w *world) []string) []string {
	t.Helper()
	w := newWorld(t)
	s := setup(t, w, flow)
	s.act(t)
	if r := s.classify(t); r != succeeded {
		t.Fatalf("%s without faults: %s", flow, s.out)
	}
	return calls(w)
}

// tally counts the outcomes of a sweep, for its summary line.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *tally) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[key]++
}

func (c *tally) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, n := range c.counts {
		total += n
	}
	return fmt.Sprintf("%d runs: %d succeeded, %d failed cleanly, %d aborted",
		total, c.counts["succeeded"], c.counts["failed"], c.counts["aborted"])
}

var resultNames = map[result]string{succeeded: "succeeded", failed: "failed", aborted: "aborted"}

// TestFaultSweepEmbedded fails, one at a time, each call the service makes to
// the bbolt store and scheduler and to the sealer in each flow, then each of
// them for the whole flow.
func TestFaultSweepEmbedded(t *testing.T) {
	skipIfShort(t)
	var sum tally
	t.Cleanup(func() { t.Logf("embedded sweep: %s", &sum) })
	for _, flow := range allFlows {
		t.Run(string(flow), func(t *testing.T) {
			calls := probe(t, newEmbeddedWorld, flow, func(w *world) []string { return w.ports.Calls() })
			isPort := func(op string) bool { return !strings.HasPrefix(op, "GitHub.") }
			for _, p := range positions(calls, isPort) {
				t.Run(p.String()+" fails", func(t *testing.T) {
					t.Parallel()
					w := newEmbeddedWorld(t)
					s := setup(t, w, flow)
					r := s.run(t, func() { w.ports.Set(faults.PortRule{Op: p.op, Call: p.n, Effect: faults.Fail}) }, runOptions{})
					sum.add(resultNames[r])
				})
			}
		})
	}
}

// awsMode is how an AWS call fails in the sweep.
type awsMode struct {
	name       string
	rule       func(p position) faults.AWSRule
	writes     bool // only for calls that write
	dynamoOnly bool // only for DynamoDB calls
	// hidden: the SDK's retry hides the fault, so the flow must succeed.
	hidden bool
}

var awsModes = []awsMode{
	{name: "5xx once, retried", hidden: true, rule: func(p position) faults.AWSRule {
		return faults.AWSRule{Op: p.op, Call: p.n, Attempts: 1, Kind: faults.ServerError}
	}},
	{name: "throttled", dynamoOnly: true, rule: func(p position) faults.AWSRule {
		return faults.AWSRule{Op: p.op, Call: p.n, Kind: faults.Throttling}
	}},
	{name: "5xx", rule: func(p position) faults.AWSRule {
		return faults.AWSRule{Op: p.op, Call: p.n, Kind: faults.ServerError}
	}},
	{name: "5xx after the write took effect, retried", writes: true, rule: func(p position) faults.AWSRule {
		return faults.AWSRule{Op: p.op, Call: p.n, Attempts: 1, Lost: true, Kind: faults.ServerError}
	}},
	{name: "5xx after the write took effect, every attempt", writes: true, rule: func(p position) faults.AWSRule {
		return faults.AWSRule{Op: p.op, Call: p.n, Lost: true, Kind: faults.ServerError}
	}},
}

// awsWrites are the operations whose answer can be lost after they took effect.
var awsWrites = map[string]bool{
	"DynamoDB.PutItem": true, "DynamoDB.DeleteItem": true, "DynamoDB.TransactWriteItems": true,
	"Scheduler.CreateSchedule": true, "Scheduler.UpdateSchedule": true, "Scheduler.DeleteSchedule": true,
}

// TestFaultSweepAWS fails, one at a time, each AWS call the service makes in
// each flow (DynamoDB, EventBridge Scheduler, KMS) in each way: once (the SDK
// retries), throttled or 5xx on every attempt (the SDK gives up), and for
// writes, with the answer lost after the write took effect. Throttling is
// swept on DynamoDB only: for KMS and the Scheduler it takes the same path as a 5xx.
func TestFaultSweepAWS(t *testing.T) {
	newWorld := awsWorlds(t)
	var sum tally
	t.Cleanup(func() { t.Logf("AWS sweep: %s", &sum) })
	for _, flow := range allFlows {
		t.Run(string(flow), func(t *testing.T) {
			calls := probe(t, newWorld, flow, func(w *world) []string { return w.aws.Calls() })
			for _, p := range positions(calls, func(string) bool { return true }) {
				for _, mode := range awsModes {
					if mode.writes && !awsWrites[p.op] || mode.dynamoOnly && !strings.HasPrefix(p.op, "DynamoDB.") {
						continue
					}
					t.Run(p.String()+" "+mode.name, func(t *testing.T) {
						t.Parallel()
						w := newWorld(t)
						s := setup(t, w, flow)
						r := s.run(t, func() { w.aws.Set(mode.rule(p)) }, runOptions{})
						if mode.hidden && r != succeeded {
							t.Errorf("a fault the SDK retries reached alice: %s", s.out)
						}
						sum.add(resultNames[r])
					})
				}
			}
		})
	}
}
