package faults

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// AWSRule says which AWS call fails and how.
type AWSRule struct {
	// Op is "Service.Operation" as the SDK names them ("DynamoDB.PutItem",
	// "KMS.Decrypt", "Scheduler.CreateSchedule"), or a service alone
	// ("DynamoDB") for every operation of it.
	Op string
	// Call is which call of Op fails, counting from 1 since Reset; 0 is every call.
	Call int
	// Attempts is how many of the SDK's attempts at the call fail, from the
	// first: 1 lets the SDK's own retry succeed; 0 fails every attempt, so the
	// SDK gives up and the service sees the error.
	Attempts int
	Kind     ErrorKind
	// Lost lets the request reach AWS and take effect; only its answer is
	// replaced by the error. DynamoDB documents that a 500 can follow a write
	// that took effect, and a timeout on the way back does the same.
	Lost bool
}

// AWSFaults is AWS SDK middleware that answers chosen calls with the error AWS
// would send. It sits right before the HTTP transport, inside the SDK's retry
// loop, and answers with an HTTP response (status, error type, body) rather
// than a Go error, so the SDK's own error parsing and retry decisions apply as
// they would to a real fault. It is safe for concurrent use.
//
// moto does not implement DynamoDB's idempotency of TransactWriteItems (the
// SDK sends one ClientRequestToken for all attempts of a call, and DynamoDB
// answers a repeated token with success without writing again). So that a
// retry after a Lost answer meets what DynamoDB would do, AWSFaults answers it
// itself.
type AWSFaults struct {
	mu     sync.Mutex
	rules  []AWSRule
	calls  map[string]int  // calls per operation since Reset
	seq    []string        // operations in call order since Reset
	hits   int             // attempts answered with an injected error
	landed map[string]bool // client tokens of TransactWriteItems that took effect
}

// NewAWSFaults returns middleware with no rules.
func NewAWSFaults() *AWSFaults {
	return &AWSFaults{calls: map[string]int{}, landed: map[string]bool{}}
}

// Install makes every client created from cfg afterwards go through f.
func (f *AWSFaults) Install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, f.addMiddleware)
}

// Set replaces the rules.
func (f *AWSFaults) Set(rules ...AWSRule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append([]AWSRule(nil), rules...)
}

// Reset removes the rules and forgets the calls counted so far.
func (f *AWSFaults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
	clear(f.calls)
	f.seq = nil
	f.hits = 0
}

// Calls returns the operations called since Reset, in order.
func (f *AWSFaults) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seq...)
}

// Hits is how many attempts were answered with an injected error since Reset.
func (f *AWSFaults) Hits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

// awsCall is one API call, carried in the context from the Initialize step
// (once per call) to the Deserialize step (once per attempt).
type awsCall struct {
	service, op string
	n           int    // which call of op since Reset
	attempt     int    // attempts so far
	token       string // TransactWriteItems client token
}

type callKey struct{}

func (f *AWSFaults) addMiddleware(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("faults.Count", f.count), middleware.After)
	if err != nil {
		return err
	}
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("faults.Answer", f.answer), middleware.After)
}

// count numbers the call. It runs after the SDK filled in the idempotency token.
func (f *AWSFaults) count(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	service := awsmiddleware.GetServiceID(ctx)
	c := &awsCall{service: service, op: service + "." + awsmiddleware.GetOperationName(ctx)}
	if p, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
		c.token = aws.ToString(p.ClientRequestToken)
	}
	f.mu.Lock()
	f.calls[c.op]++
	c.n = f.calls[c.op]
	f.seq = append(f.seq, c.op)
	f.mu.Unlock()
	return next.HandleInitialize(context.WithValue(ctx, callKey{}, c), in)
}

// answer runs once per attempt, right before the transport.
func (f *AWSFaults) answer(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	c, _ := ctx.Value(callKey{}).(*awsCall)
	if c == nil {
		return next.HandleDeserialize(ctx, in)
	}
	f.mu.Lock()
	c.attempt++
	rule, hit := f.matchLocked(c)
	if hit {
		f.hits++
	}
	replay := c.token != "" && f.landed[c.token]
	f.mu.Unlock()

	switch {
	case !hit && replay:
		return middleware.DeserializeOutput{RawResponse: response(http.StatusOK, nil, "{}")}, middleware.Metadata{}, nil
	case !hit:
		return next.HandleDeserialize(ctx, in)
	}
	if rule.Lost && !replay {
		out, _, err := next.HandleDeserialize(ctx, in)
		if err != nil {
			return out, middleware.Metadata{}, err // the transport failed: that is the answer
		}
		if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 300 && c.token != "" {
				f.mu.Lock()
				f.landed[c.token] = true
				f.mu.Unlock()
			}
		}
	}
	return middleware.DeserializeOutput{RawResponse: errorResponse(c.service, rule.Kind)}, middleware.Metadata{}, nil
}

func (f *AWSFaults) matchLocked(c *awsCall) (AWSRule, bool) {
	for _, r := range f.rules {
		if r.Op != c.op && r.Op != c.service {
			continue
		}
		if r.Call != 0 && r.Call != c.n {
			continue
		}
		if r.Attempts != 0 && c.attempt > r.Attempts {
			continue
		}
		return r, true
	}
	return AWSRule{}, false
}

// response is an HTTP answer as the SDK's transport would return it.
func response(status int, header http.Header, body string) *smithyhttp.Response {
	if header == nil {
		header = http.Header{}
	}
	return &smithyhttp.Response{Response: &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Header:        header,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Proto:         "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}}
}
