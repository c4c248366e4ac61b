package dynamodb_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"rcgithub/shared/awstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/session"
)

// TestLimitsAtTheEdge writes at DynamoDB's partition key and item size limits
// (sent, and the key read back) and one byte over them (refused before any
// call, with ErrOverLimit; a read of such a key is ErrNotFound, also with no
// call). Moto 5.2.5 refuses items over 405,000 bytes by its own count, below
// AWS's 400 KB (409,600 bytes), so the item at the limit is answered by a stub
// in front of moto: the test shows that the adapter sends it.
func TestLimitsAtTheEdge(t *testing.T) {
	cfg, counter := awstest.CountedConfig(t)
	var stubPut atomic.Bool
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("stubPutItem",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if _, ok := in.Parameters.(*dynamodbapi.PutItemInput); ok && stubPut.Load() {
					return middleware.InitializeOutput{Result: &dynamodbapi.PutItemOutput{}}, middleware.Metadata{}, nil
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
	store := dynamodb.New(dynamodbapi.NewFromConfig(cfg), awstest.Table(t, cfg))
	ctx := t.Context()
	expires := time.Now().Add(time.Hour).UTC()
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}

	// A state whose key is exactly n bytes long.
	stateOf := func(n int) string { return strings.Repeat("s", n-dynamodb.StateKeyLen("")) }
	atKey := stateOf(dynamodb.MaxPartitionKeyBytes)
	counter.Reset()
	if err := store.PutPending(ctx, session.Pending{State: atKey, Key: k, UserName: "alice", Verifier: "v", Expires: expires}); err != nil {
		t.Fatalf("PutPending at the key limit: %v", err)
	}
	if got := counter.Counts()["DynamoDB.PutItem"]; got != 1 {
		t.Fatalf("PutPending at the key limit made %d PutItem calls, want 1", got)
	}
	if p, err := store.TakePending(ctx, atKey); err != nil || p.State != atKey {
		t.Fatalf("TakePending at the key limit: %v", err)
	}

	overKey := stateOf(dynamodb.MaxPartitionKeyBytes + 1)
	counter.Reset()
	err := store.PutPending(ctx, session.Pending{State: overKey, Key: k, UserName: "alice", Verifier: "v", Expires: expires})
	if !errors.Is(err, dynamodb.ErrOverLimit) || !strings.Contains(err.Error(), "2049 bytes") {
		t.Errorf("PutPending one byte over the key limit: %v, want ErrOverLimit naming the size", err)
	}
	if _, err := store.TakePending(ctx, overKey); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("TakePending over the key limit: %v, want ErrNotFound", err)
	}
	for name, read := range map[string]func(string) error{
		"GetLink":  func(id string) error { _, err := store.GetLink(ctx, id); return err },
		"TakeLink": func(id string) error { _, err := store.TakeLink(ctx, id); return err },
	} {
		if err := read(strings.Repeat("l", dynamodb.MaxPartitionKeyBytes)); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("%s over the key limit: %v, want ErrNotFound", name, err)
		}
	}
	if c := counter.Counts(); len(c) != 0 {
		t.Errorf("keys over the limit made AWS calls: %v", c)
	}

	// A retired session padded to exactly the item size limit.
	sess := session.Session{Key: k, GitHubLogin: "octocat", SealedToken: []byte("sealed"),
		Started: expires, Ends: expires, Generation: 7}
	base, err := dynamodb.RetiredItemSize(sess)
	if err != nil {
		t.Fatal(err)
	}
	sess.UserName = strings.Repeat("n", dynamodb.MaxItemBytes-base)
	if got, err := dynamodb.RetiredItemSize(sess); err != nil || got != dynamodb.MaxItemBytes {
		t.Fatalf("padded item is %d bytes (%v), want %d", got, err, dynamodb.MaxItemBytes)
	}
	counter.Reset()
	stubPut.Store(true)
	if err := store.PutRetired(ctx, sess); err != nil {
		t.Fatalf("PutRetired at the item size limit: %v", err)
	}
	stubPut.Store(false)
	if got := counter.Counts()["DynamoDB.PutItem"]; got != 1 {
		t.Fatalf("PutRetired at the item limit made %d PutItem calls, want 1", got)
	}
	sess.Generation = 8
	sess.UserName += "n"
	counter.Reset()
	err = store.PutRetired(ctx, sess)
	if !errors.Is(err, dynamodb.ErrOverLimit) || !strings.Contains(err.Error(), "409601 bytes") {
		t.Errorf("PutRetired one byte over the item limit: %v, want ErrOverLimit naming the size", err)
	}
	// A live session that could not be retired is not stored either.
	if err := store.PutSession(ctx, sess, 0); !errors.Is(err, dynamodb.ErrOverLimit) {
		t.Errorf("PutSession one byte over the item limit (as retired): %v, want ErrOverLimit", err)
	}
	if c := counter.Counts(); len(c) != 0 {
		t.Errorf("items over the limit made AWS calls: %v", c)
	}
}
