package dynamodb_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	dynamodbapi "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"rcgithub/shared/awstest"
	"rcgithub/shared/dynamodb"
	"rcgithub/shared/session"
)

// firstDeleteAnswer replaces the answer to the first attempt of the next
// DeleteItem with DynamoDB's 500 InternalServerError, as a lost answer looks:
// when reach is true the request reaches DynamoDB and takes effect first
// (DynamoDB documents that a 500 can follow a write that took effect); when
// false it never leaves. The SDK then retries.
type firstDeleteAnswer struct {
	mu    sync.Mutex
	armed bool
	reach bool
}

func (f *firstDeleteAnswer) arm(reach bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.reach = true, reach
}

func (f *firstDeleteAnswer) add(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("firstDeleteAnswer",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
			middleware.DeserializeOutput, middleware.Metadata, error,
		) {
			if awsmiddleware.GetOperationName(ctx) != "DeleteItem" {
				return next.HandleDeserialize(ctx, in)
			}
			f.mu.Lock()
			armed, reach := f.armed, f.reach
			f.armed = false
			f.mu.Unlock()
			if !armed {
				return next.HandleDeserialize(ctx, in)
			}
			if reach {
				out, _, err := next.HandleDeserialize(ctx, in)
				if err != nil {
					return out, middleware.Metadata{}, err
				}
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			}
			body := `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected: answer lost"}`
			header := http.Header{}
			header.Set("Content-Type", "application/x-amz-json-1.0")
			return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: &http.Response{
				StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error", Header: header,
				Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
			}}}, middleware.Metadata{}, nil
		}), middleware.After)
}

// TestTakeWithTheAnswerLost: a take whose first DeleteItem took effect but
// whose answer was lost finds the item gone on the SDK's retry. That is not
// "already used" (session.ErrNotFound, which the user reads as a link or
// sign-in used before): it is a storage failure, after which the user is told
// to try again. A retry after an attempt that never reached DynamoDB takes
// the item as usual, and a second take of a taken item is ErrNotFound.
func TestTakeWithTheAnswerLost(t *testing.T) {
	cfg := awstest.Config(t)
	lose := &firstDeleteAnswer{}
	faulty := cfg.Copy()
	faulty.APIOptions = append(faulty.APIOptions, lose.add)
	store := dynamodb.New(dynamodbapi.NewFromConfig(faulty), awstest.Table(t, cfg))
	ctx := context.Background()
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	takes := map[string]struct {
		put  func(id string) error
		take func(id string) error
	}{
		"link": {
			put: func(id string) error {
				_, err := store.CreateLink(ctx, session.Link{ID: id, Key: k, MessageID: "m-" + id, Expires: expires}, unlimited)
				return err
			},
			take: func(id string) error { _, err := store.TakeLink(ctx, id); return err },
		},
		"pending sign-in": {
			put: func(id string) error {
				return store.PutPending(ctx, session.Pending{State: id, Key: k, Expires: expires})
			},
			take: func(id string) error { _, err := store.TakePending(ctx, id); return err },
		},
	}
	for name, c := range takes {
		t.Run(name, func(t *testing.T) {
			id := awstest.UniqueName("take")
			if err := c.put(id); err != nil {
				t.Fatal(err)
			}
			lose.arm(true)
			err := c.take(id)
			if err == nil || errors.Is(err, session.ErrNotFound) {
				t.Fatalf("take with the answer lost = %v; want a storage error, not ErrNotFound (\"already used\")", err)
			}
			if err := c.take(id); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("take after the lost answer = %v; want ErrNotFound (the first attempt took it)", err)
			}

			id = awstest.UniqueName("take")
			if err := c.put(id); err != nil {
				t.Fatal(err)
			}
			lose.arm(false)
			if err := c.take(id); err != nil {
				t.Fatalf("take whose first attempt never reached DynamoDB = %v; want the item", err)
			}
			if err := c.take(id); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("second take = %v; want ErrNotFound", err)
			}
		})
	}
}
