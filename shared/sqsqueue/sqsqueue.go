// Package sqsqueue is chatops.Deferrer on an Amazon SQS queue: the webhook
// function sends a command it cannot finish inside Rocket.Chat's wait to the
// commands queue, and the commands function (its SQS event source) finishes
// it and answers by direct message. A Lambda is frozen once its handler
// returns, so the work must leave the webhook's process.
//
// The message body is the JSON of Message: what the user typed and where,
// never a token. Parse reads it back, strictly.
package sqsqueue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

// MaxMessageBytes is the largest body sent: 256 KiB, SQS's long-standing
// limit and the commands queue's MaximumMessageSize in template.yaml.
const MaxMessageBytes = 256 * 1024

// Version is Message.Version.
const Version = 1

// Message is the body of a deferred command on the queue.
type Message struct {
	Version   int    `json:"version"`
	Site      string `json:"site"`
	UserID    string `json:"user_id"`
	UserName  string `json:"user_name"`
	MessageID string `json:"message_id"`
	Trigger   string `json:"trigger"`
	Text      string `json:"text"`
	RoomID    string `json:"room_id"`
	// ThreadID is left out when empty; a message queued before it existed
	// parses with no thread.
	ThreadID string `json:"thread_id,omitempty"`
}

// API is the part of the SQS client the deferrer uses.
type API interface {
	SendMessage(ctx context.Context, in *awssqs.SendMessageInput, opts ...func(*awssqs.Options)) (*awssqs.SendMessageOutput, error)
}

// Deferrer sends deferred commands to one queue.
type Deferrer struct {
	api      API
	queueURL string
}

var _ chatops.Deferrer = (*Deferrer)(nil)

// New returns a Deferrer on the queue at queueURL.
func New(api API, queueURL string) *Deferrer { return &Deferrer{api: api, queueURL: queueURL} }

// ErrTooLarge means a command's message is over MaxMessageBytes: nothing is sent.
var ErrTooLarge = errors.New("sqsqueue: deferred command over 256 KiB")

// Defer sends d to the queue. An error means nobody will finish it.
func (q *Deferrer) Defer(ctx context.Context, d chatops.Deferred) error {
	body, err := Encode(d)
	if err != nil {
		return err
	}
	if _, err := q.api.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(q.queueURL), MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("sqsqueue: send deferred command of %s: %w", d.UserID, err)
	}
	return nil
}

// Encode returns d as a message body, refused over MaxMessageBytes.
func Encode(d chatops.Deferred) ([]byte, error) {
	body, err := json.Marshal(Message{Version: Version, Site: d.Site, UserID: d.UserID, UserName: d.UserName,
		MessageID: d.MessageID, Trigger: d.Trigger, Text: d.Text, RoomID: d.RoomID, ThreadID: d.ThreadID})
	if err != nil {
		return nil, fmt.Errorf("sqsqueue: encode deferred command: %w", err)
	}
	if len(body) > MaxMessageBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(body))
	}
	return body, nil
}

// Parse reads a message body back: unknown fields, another version, trailing
// data or a key that breaks session.Key's rule are refused.
func Parse(body string) (chatops.Deferred, error) {
	if len(body) > MaxMessageBytes {
		return chatops.Deferred{}, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(body))
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	var m Message
	if err := dec.Decode(&m); err != nil {
		return chatops.Deferred{}, fmt.Errorf("sqsqueue: malformed deferred command: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return chatops.Deferred{}, errors.New("sqsqueue: malformed deferred command: data after the object")
	}
	if m.Version != Version {
		return chatops.Deferred{}, fmt.Errorf("sqsqueue: deferred command of version %d, want %d", m.Version, Version)
	}
	k := session.Key{Site: m.Site, UserID: m.UserID}
	if err := k.Validate(); err != nil {
		return chatops.Deferred{}, fmt.Errorf("sqsqueue: deferred command: %w", err)
	}
	return chatops.Deferred{Key: k, UserName: m.UserName, MessageID: m.MessageID, Trigger: m.Trigger, Text: m.Text, RoomID: m.RoomID,
		ThreadID: m.ThreadID}, nil
}
