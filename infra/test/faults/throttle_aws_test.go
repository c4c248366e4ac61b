package faults_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// throttle answers a fraction of the attempts at DynamoDB, KMS and
// EventBridge Scheduler calls with ThrottlingException, as those services do
// at their request quotas. It sits after the SDK's retry middleware, so that
// every attempt is drawn on its own and the SDK's retryer decides what
// follows. The draws come from a seeded generator: a run is repeatable.
type throttle struct {
	mu        sync.Mutex
	fraction  float64
	rng       *rand.Rand
	attempts  int // attempts at throttled services while on
	throttled int // of which answered ThrottlingException
}

func newThrottle(seed uint64) *throttle {
	return &throttle{rng: rand.New(rand.NewPCG(seed, 0x5107))}
}

func (th *throttle) set(fraction float64) {
	th.mu.Lock()
	defer th.mu.Unlock()
	th.fraction = fraction
}

func (th *throttle) install(c *aws.Config) {
	c.APIOptions = append(c.APIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("throttle", th.attempt), middleware.After)
	})
}

func (th *throttle) attempt(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	switch awsmiddleware.GetServiceID(ctx) {
	case "DynamoDB", "KMS", "Scheduler":
	default:
		return next.HandleFinalize(ctx, in)
	}
	th.mu.Lock()
	on := th.fraction > 0
	hit := on && th.rng.Float64() < th.fraction
	if on {
		th.attempts++
	}
	if hit {
		th.throttled++
	}
	th.mu.Unlock()
	if hit {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{
			Code: "ThrottlingException", Message: "Rate exceeded (injected)", Fault: smithy.FaultClient}
	}
	return next.HandleFinalize(ctx, in)
}

// TestThrottledAtTheQuotaAWS runs every flow with DynamoDB, KMS and
// EventBridge Scheduler throttling half of the attempts, then all of them, as
// at their request quotas, with the SDK retries the functions really use
// (awsapp.RequestRetryer: 3 attempts, at most 1 s apart), not the
// test's no-wait retryer. Each flow must succeed or fail cleanly, telling the
// user what to do, and leave nothing half-written: every stored token has its
// pending job, no session ended but by its own logout, no token alive at
// GitHub untracked (the Inspector's invariants), after the throttling and
// after recovery (with an operator redriving the on-failure queue).
func TestThrottledAtTheQuotaAWS(t *testing.T) {
	skipIfShort(t)
	res := newAWSResources(t)
	for i, fraction := range []float64{0.5, 1} {
		var sum tally
		var mu sync.Mutex
		var slowest time.Duration
		attempts, throttled := 0, 0
		t.Run(fmt.Sprintf("%v of attempts throttled", fraction), func(t *testing.T) {
			for j, flow := range allFlows {
				t.Run(string(flow), func(t *testing.T) {
					t.Parallel()
					th := newThrottle(uint64(10*i + j))
					w := newAWSWorldWith(t, res, nil, th.install)
					s := setup(t, w, flow)
					var began time.Time
					r := s.run(t, func() { th.set(fraction); began = time.Now() }, runOptions{
						afterAct: func(t *testing.T, s *scenario) {
							took := time.Since(began)
							th.set(0)
							mu.Lock()
							slowest = max(slowest, took)
							attempts += th.attempts
							throttled += th.throttled
							mu.Unlock()
							t.Logf("%s with %v of attempts throttled: %s, in %v", flow, fraction, s.out, took.Round(time.Millisecond))
						},
						afterRecovery: func(t *testing.T, s *scenario) {
							if err := s.w.redrive(context.Background()); err != nil {
								t.Fatal(err)
							}
						},
					})
					sum.add(r)
				})
			}
		})
		t.Logf("throttled: %v of attempts at DynamoDB, KMS and Scheduler (%d of %d): %s; slowest flow %v",
			fraction, throttled, attempts, &sum, slowest.Round(time.Millisecond))
	}
}
