package awsapp

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"rcgithub/shared/chatops"
	"rcgithub/shared/sqsqueue"
	"rcgithub/shared/web"
)

// DeferredRunner finishes a deferred command and answers the user by direct
// message: (*web.Handler).RunDeferred. An error means it did not finish and
// may be tried again (issue creation is claimed per message, so a retry
// never creates a second issue).
type DeferredRunner interface {
	RunDeferred(ctx context.Context, d chatops.Deferred) error
}

// errNoRunner: this build has no RunDeferred to finish commands with.
var errNoRunner = errors.New("this build cannot finish deferred commands (no RunDeferred)")

// Deferred handles a batch of the commands queue (the commands function's SQS
// event source, with ReportBatchItemFailures): each message is finished on
// its own, concurrently, and the ones that failed are reported by message id,
// so that SQS makes only those visible again, to be retried and then parked in
// the dead-letter queue. A message that does not parse fails too: it can never
// succeed, and lands in the dead-letter queue for an operator to see. One that
// parses but that RunDeferred refuses as web.ErrBadDeferred (not a command of
// this service) is logged as an ERROR and dropped.
func (a *App) Deferred(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	failed := make([]bool, len(ev.Records))
	var wg sync.WaitGroup
	for i, rec := range ev.Records {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := web.WithRequestID(ctx, requestID+"/"+rec.MessageId)
			if err := a.runDeferred(ctx, rec); err != nil {
				failed[i] = true
			}
		}()
	}
	wg.Wait()
	var resp events.SQSEventResponse
	for i, rec := range ev.Records {
		if failed[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// runDeferred finishes one message, logging why it did not.
func (a *App) runDeferred(ctx context.Context, rec events.SQSMessage) error {
	d, err := sqsqueue.Parse(rec.Body)
	if err != nil {
		a.Logger.ErrorContext(ctx, "deferred command: malformed message, nothing done", "message_id", rec.MessageId,
			"body_bytes", len(rec.Body), "error", err)
		return err
	}
	if a.Commands == nil {
		a.Logger.ErrorContext(ctx, "deferred command not finished", "site", d.Site, "user", d.UserID, "error", errNoRunner)
		return errNoRunner
	}
	err = a.Commands.RunDeferred(ctx, d)
	if errors.Is(err, web.ErrBadDeferred) {
		// Retried, it would fail the same way three times, land in the
		// dead-letter queue and sound its alarm: it is dropped, loudly.
		a.Logger.ErrorContext(ctx, "deferred command can never run: dropped", "site", d.Site, "user", d.UserID,
			"message_id", d.MessageID, "error", err)
		return nil
	}
	if err != nil {
		a.Logger.WarnContext(ctx, "deferred command not finished: SQS will retry it", "site", d.Site, "user", d.UserID,
			"message_id", d.MessageID, "receive_count", rec.Attributes["ApproximateReceiveCount"], "error", err)
		return err
	}
	return nil
}
