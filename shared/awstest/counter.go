package awstest

import (
	"context"
	"maps"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Counter counts the AWS API calls made through the configs it is installed
// on, by "Service.Operation" (for example "DynamoDB.GetItem"). A call counts
// once however often the SDK retried it. It is safe for concurrent use.
type Counter struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewCounter returns a Counter with no calls counted.
func NewCounter() *Counter { return &Counter{counts: map[string]int{}} }

// CountedConfig returns Config(t) with a new Counter installed, and the Counter.
func CountedConfig(t testing.TB) (aws.Config, *Counter) {
	t.Helper()
	cfg := Config(t)
	c := NewCounter()
	c.Install(&cfg)
	return cfg, c
}

// Install makes every client created from cfg afterwards report its calls to c.
func (c *Counter) Install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, c.addMiddleware)
}

func (c *Counter) addMiddleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awstest.Counter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			c.record(awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (c *Counter) record(call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[call]++
}

// Counts returns a copy of the counts so far.
func (c *Counter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Reset forgets the counts so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.counts)
}
