package awsapp_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"rcgithub/shared/awsapp"
	"rcgithub/shared/chatops"
	"rcgithub/shared/logtest"
	"rcgithub/shared/session"
	"rcgithub/shared/sqsqueue"
	"rcgithub/shared/web"
	"rcgithub/shared/wiring"
)

// runnerFunc is a DeferredRunner.
type runnerFunc func(context.Context, chatops.Deferred) error

func (f runnerFunc) RunDeferred(ctx context.Context, d chatops.Deferred) error { return f(ctx, d) }

func message(t *testing.T, id, user, text string) events.SQSMessage {
	t.Helper()
	body, err := sqsqueue.Encode(chatops.Deferred{Key: session.Key{Site: "https://chat.example.com", UserID: user},
		MessageID: id, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{MessageId: "sqs-" + id, Body: string(body)}
}

// TestDeferredReportsFailedItems: in a batch, only the messages that failed
// (a command not finished, a malformed message) are reported, by their SQS
// message id; the others are finished, each once.
func TestDeferredReportsFailedItems(t *testing.T) {
	var mu sync.Mutex
	var ran []string
	var logs logtest.Buffer
	app := &awsapp.App{App: wiring.App{Logger: slog.New(slog.NewJSONHandler(&logs, nil))},
		Commands: runnerFunc(func(_ context.Context, d chatops.Deferred) error {
			mu.Lock()
			ran = append(ran, d.MessageID)
			mu.Unlock()
			if d.Text == "fail" {
				return errors.New("GitHub still slow")
			}
			return nil
		})}
	batch := events.SQSEvent{Records: []events.SQSMessage{
		message(t, "m1", "alice", "/github me"),
		message(t, "m2", "bob", "fail"),
		{MessageId: "sqs-m3", Body: `{"version":1,"site":"not a site","user_id":"u"}`},
		message(t, "m4", "carol", "/github search x"),
	}}
	resp, err := app.Deferred(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	slices.Sort(failed)
	slices.Sort(ran)
	if !slices.Equal(failed, []string{"sqs-m2", "sqs-m3"}) {
		t.Errorf("reported failures %v, want sqs-m2 and sqs-m3", failed)
	}
	if !slices.Equal(ran, []string{"m1", "m2", "m4"}) {
		t.Errorf("ran %v, want m1, m2 and m4 once each", ran)
	}
	for _, want := range []string{"deferred command: malformed message", "deferred command not finished: SQS will retry it"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no log line %q:\n%s", want, logs.String())
		}
	}
}

// TestDeferredWithoutRunner: a build that cannot finish commands fails every
// message rather than dropping it.
func TestDeferredWithoutRunner(t *testing.T) {
	app := &awsapp.App{App: wiring.App{Logger: slog.New(slog.DiscardHandler)}}
	resp, err := app.Deferred(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message(t, "m1", "alice", "/github me")}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "sqs-m1" {
		t.Fatalf("Deferred without a runner = %+v, %v; want the message reported as failed", resp, err)
	}
}

// TestDeferredDropsWhatCanNeverRun: a command RunDeferred refuses as
// web.ErrBadDeferred is logged as an ERROR and not reported as failed: SQS
// would retry it three times into the dead-letter queue and sound its alarm
// for a message that can never run.
func TestDeferredDropsWhatCanNeverRun(t *testing.T) {
	var logs logtest.Buffer
	app := &awsapp.App{App: wiring.App{Logger: slog.New(slog.NewJSONHandler(&logs, nil))},
		Commands: runnerFunc(func(_ context.Context, d chatops.Deferred) error {
			return fmt.Errorf("run deferred command: %w: it does not act at GitHub", web.ErrBadDeferred)
		})}
	resp, err := app.Deferred(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message(t, "m1", "alice", "/github login")}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Deferred = %+v, %v; want no failure reported", resp, err)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "can never run") {
		t.Fatalf("log %s\nwants an ERROR saying it can never run", logs.String())
	}
}
