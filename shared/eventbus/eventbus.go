// Package eventbus publishes the service's domain events (session.Events) to
// an Amazon EventBridge event bus with PutEvents: source "rcgithub", a
// detail-type per kind and the detail JSON of package events. One event, one
// PutEvents call of one entry. Delivery is best effort: an event EventBridge
// refuses or never receives is reported to the service, which logs and counts
// it; nothing retries it beyond the SDK's own retries.
package eventbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"rcgithub/shared/events"
	"rcgithub/shared/session"
)

// MaxEntryBytes is EventBridge's limit on one PutEvents entry, counted as
// EventBridge counts it (EntrySize).
const MaxEntryBytes = 256 * 1024

// API is the part of the EventBridge client the publisher uses.
type API interface {
	PutEvents(ctx context.Context, in *awseventbridge.PutEventsInput, opts ...func(*awseventbridge.Options)) (*awseventbridge.PutEventsOutput, error)
}

// Publisher is a session.Events on one event bus.
type Publisher struct {
	api API
	bus string
}

var _ session.Events = (*Publisher)(nil)

// New returns a publisher to the bus named bus (a name or an ARN).
func New(api API, bus string) *Publisher { return &Publisher{api: api, bus: bus} }

// ErrTooLarge means an entry is over MaxEntryBytes: it is not sent.
var ErrTooLarge = errors.New("eventbus: entry over EventBridge's 256 KiB limit")

// Publish puts e on the bus. An entry EventBridge refuses (FailedEntryCount)
// is an error naming EventBridge's error code.
func (p *Publisher) Publish(ctx context.Context, e session.Event) error {
	entry, err := p.entry(e)
	if err != nil {
		return err
	}
	out, err := p.api.PutEvents(ctx, &awseventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry}})
	if err != nil {
		return fmt.Errorf("eventbus: put %s event on %s: %w", e.Kind, p.bus, err)
	}
	if out.FailedEntryCount > 0 {
		code, msg := "unknown", ""
		if len(out.Entries) > 0 {
			code, msg = aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)
		}
		return fmt.Errorf("eventbus: %s refused the %s event: %s: %s", p.bus, e.Kind, code, msg)
	}
	return nil
}

// entry is e as one PutEvents entry, refused when over MaxEntryBytes.
func (p *Publisher) entry(e session.Event) (types.PutEventsRequestEntry, error) {
	dt, detail, err := events.Encode(e)
	if err != nil {
		return types.PutEventsRequestEntry{}, err
	}
	entry := types.PutEventsRequestEntry{
		EventBusName: aws.String(p.bus),
		Source:       aws.String(events.Source),
		DetailType:   aws.String(dt),
		Detail:       aws.String(string(detail)),
	}
	if !e.At.IsZero() {
		entry.Time = aws.Time(e.At)
	}
	if n := EntrySize(entry); n > MaxEntryBytes {
		return types.PutEventsRequestEntry{}, fmt.Errorf("%w: %s event of %d bytes", ErrTooLarge, e.Kind, n)
	}
	return entry, nil
}

// EntrySize is the size EventBridge counts for an entry ("Calculating Amazon
// EventBridge PutEvents event entry size", EventBridge User Guide): 14 bytes
// for Time when set, and the UTF-8 bytes of Source, DetailType, Detail and
// each of Resources. The bus name is not counted.
func EntrySize(entry types.PutEventsRequestEntry) int {
	n := 0
	if entry.Time != nil {
		n += 14
	}
	for _, s := range []*string{entry.Source, entry.DetailType, entry.Detail} {
		n += len(aws.ToString(s)) // Go strings are UTF-8 bytes already
	}
	for _, r := range entry.Resources {
		n += len(r)
	}
	return n
}
