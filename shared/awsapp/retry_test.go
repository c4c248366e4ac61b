package awsapp_test

import (
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"rcgithub/shared/awsapp"
)

// TestRequestRetryerBounds: a call throttled on every attempt is retried
// RequestMaxAttempts-1 times, waiting at most RequestMaxBackoff each time, so
// the callback's five AWS calls, each throttled to its last attempt, wait at
// most 10 s: with its two GitHub calls of at most 8 s each, inside API
// Gateway's 30 s. A non-retryable error is not retried.
func TestRequestRetryerBounds(t *testing.T) {
	r := awsapp.RequestRetryer()
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	if !r.IsErrorRetryable(throttled) {
		t.Fatal("ThrottlingException is not retried")
	}
	if r.IsErrorRetryable(&smithy.GenericAPIError{Code: "ValidationException"}) {
		t.Error("a ValidationException is retried")
	}
	if got := r.MaxAttempts(); got != awsapp.RequestMaxAttempts {
		t.Fatalf("MaxAttempts = %d, want %d", got, awsapp.RequestMaxAttempts)
	}
	var worst time.Duration
	for attempt := 1; attempt < r.MaxAttempts(); attempt++ {
		var most time.Duration
		for range 2000 { // the delay is random: take the largest of many
			d, err := r.RetryDelay(attempt, throttled)
			if err != nil {
				t.Fatal(err)
			}
			most = max(most, d)
		}
		if most > awsapp.RequestMaxBackoff {
			t.Errorf("attempt %d waits up to %v, over RequestMaxBackoff %v", attempt, most, awsapp.RequestMaxBackoff)
		}
		worst += awsapp.RequestMaxBackoff
	}
	const callbackAWSCalls, githubCalls, githubTimeout, apiGateway = 5, 2, 8 * time.Second, 30 * time.Second
	if total := callbackAWSCalls*worst + githubCalls*githubTimeout; total >= apiGateway {
		t.Errorf("callback worst case %v, not inside API Gateway's %v", total, apiGateway)
	}
}
