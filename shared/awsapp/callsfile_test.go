package awsapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// callsFile is where TestAWSCallsPerFlow writes the calls it measured, for
// the simulation (infra/perf/simulate) to price and rate them: its figures
// then come from moto, never from a hand-typed table.
var callsFile = filepath.Join("testdata", "aws-calls.json")

// updateCallsEnv names the variable that rewrites callsFile instead of
// failing when it is stale: UPDATE_AWS_CALLS=1.
const updateCallsEnv = "UPDATE_AWS_CALLS"

// AWSCalls is the form of callsFile.
type AWSCalls struct {
	Comment string `json:"comment"`
	// Flows by the names TestAWSCallsPerFlow measures them under.
	Flows map[string]FlowCalls `json:"flows"`
}

// FlowCalls are the AWS calls of one flow.
type FlowCalls struct {
	// Function is the Lambda function that serves the flow ("" for the cold
	// start, which happens inside another flow's invocation).
	Function string `json:"function,omitempty"`
	// Calls are the calls by "Service.Operation", each counted once however
	// often the SDK retried it.
	Calls map[string]int `json:"calls"`
	// TransactWriteItems is how many items the flow's DynamoDB transactions
	// write: each costs two write request units.
	TransactWriteItems int `json:"transact_write_items,omitempty"`
}

// transactItems counts the items DynamoDB transactions write.
type transactItems struct {
	mu sync.Mutex
	n  int
}

func (r *transactItems) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n = 0
}

func (r *transactItems) taken() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *transactItems) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("transactItems",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if in, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok && awsmiddleware.GetOperationName(ctx) == "TransactWriteItems" {
				r.mu.Lock()
				r.n += len(in.TransactItems)
				r.mu.Unlock()
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// checkCallsFile fails the test when callsFile does not hold the calls
// measured (or rewrites it, with UPDATE_AWS_CALLS=1). It does nothing once
// the test has failed: the counts are then not the expected ones.
func checkCallsFile(t *testing.T, got map[string]map[string]int, items map[string]int, function func(flow string) string) {
	t.Helper()
	if t.Failed() {
		return
	}
	f := AWSCalls{
		Comment: "Written by TestAWSCallsPerFlow (shared/awsapp) from the calls it counts against moto; " +
			"rewrite with UPDATE_AWS_CALLS=1 go test ./shared/awsapp -run TestAWSCallsPerFlow. Read by infra/perf/simulate.",
		Flows: map[string]FlowCalls{},
	}
	for name, calls := range got {
		if calls == nil {
			calls = map[string]int{}
		}
		f.Flows[name] = FlowCalls{Function: function(name), Calls: calls, TransactWriteItems: items[name]}
	}
	want, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatalf("encode %s: %v", callsFile, err)
	}
	want = append(want, '\n')
	if os.Getenv(updateCallsEnv) != "" {
		if err := os.MkdirAll(filepath.Dir(callsFile), 0o755); err != nil {
			t.Fatalf("write %s: %v", callsFile, err)
		}
		if err := os.WriteFile(callsFile, want, 0o644); err != nil {
			t.Fatalf("write %s: %v", callsFile, err)
		}
		return
	}
	have, err := os.ReadFile(callsFile)
	if err != nil || !bytes.Equal(have, want) {
		t.Errorf("%s is stale or missing (%v): rerun with %s=1 to rewrite it from these counts, and commit it", callsFile, err, updateCallsEnv)
	}
}
