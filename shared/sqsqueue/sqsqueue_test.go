package sqsqueue_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"rcgithub/shared/awstest"
	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
	"rcgithub/shared/sqsqueue"
)

var deferred = chatops.Deferred{Key: session.Key{Site: "https://chat.example.com", UserID: "alice-id"}, UserName: "alice",
	MessageID: "msg-1", Trigger: "/github", Text: "/github octo/repo issue Title\n\n  body, spacing kept\n", RoomID: "GENERAL", ThreadID: "THREAD-1"}

type fakeSQS struct{ sent []string }

func (f *fakeSQS) SendMessage(_ context.Context, in *awssqs.SendMessageInput, _ ...func(*awssqs.Options)) (*awssqs.SendMessageOutput, error) {
	f.sent = append(f.sent, aws.ToString(in.MessageBody))
	return &awssqs.SendMessageOutput{}, nil
}

func TestRoundTrip(t *testing.T) {
	body, err := sqsqueue.Encode(deferred)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sqsqueue.Parse(string(body))
	if err != nil || got != deferred {
		t.Fatalf("Parse(Encode(d)) = %+v, %v; want %+v", got, err, deferred)
	}
}

// TestParseWithoutThread: a message queued before thread_id existed still
// parses, with no thread.
func TestParseWithoutThread(t *testing.T) {
	old := `{"version":1,"site":"https://chat.example.com","user_id":"alice-id","user_name":"alice","message_id":"m",` +
		`"trigger":"/github","text":"/github share me","room_id":"GENERAL"}`
	d, err := sqsqueue.Parse(old)
	if err != nil || d.ThreadID != "" || d.RoomID != "GENERAL" {
		t.Fatalf("Parse(old message) = %+v, %v", d, err)
	}
}

// TestSizeLimit: a body of exactly MaxMessageBytes is sent; one byte more is
// refused before any call.
func TestSizeLimit(t *testing.T) {
	empty := deferred
	empty.Text = ""
	base, err := sqsqueue.Encode(empty)
	if err != nil {
		t.Fatal(err)
	}
	at := empty
	at.Text = strings.Repeat("x", sqsqueue.MaxMessageBytes-len(base))
	over := at
	over.Text += "x"
	api := &fakeSQS{}
	q := sqsqueue.New(api, "https://sqs.example/queue")
	if err := q.Defer(context.Background(), at); err != nil || len(api.sent) != 1 || len(api.sent[0]) != sqsqueue.MaxMessageBytes {
		t.Fatalf("a body of %d bytes: %v, sent %d", sqsqueue.MaxMessageBytes, err, len(api.sent))
	}
	if err := q.Defer(context.Background(), over); !errors.Is(err, sqsqueue.ErrTooLarge) || len(api.sent) != 1 {
		t.Fatalf("a body of %d bytes: %v, sent %d; want ErrTooLarge and nothing sent", sqsqueue.MaxMessageBytes+1, err, len(api.sent))
	}
	// JSON escapes count: a control character takes six bytes.
	escaped := empty
	escaped.Text = strings.Repeat("\x01", (sqsqueue.MaxMessageBytes-len(base))/6+1)
	if err := q.Defer(context.Background(), escaped); !errors.Is(err, sqsqueue.ErrTooLarge) {
		t.Fatalf("a body over the limit once escaped: %v", err)
	}
}

func TestParseRefusesMalformedMessages(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":       `{`,
		"unknown field":  `{"version":1,"site":"https://chat.example.com","user_id":"u","token":"x"}`,
		"other version":  `{"version":2,"site":"https://chat.example.com","user_id":"u"}`,
		"no version":     `{"site":"https://chat.example.com","user_id":"u"}`,
		"bad site":       `{"version":1,"site":"chat.example.com","user_id":"u"}`,
		"no user":        `{"version":1,"site":"https://chat.example.com"}`,
		"trailing data":  `{"version":1,"site":"https://chat.example.com","user_id":"u"} {}`,
		"null":           `null`,
		"over the limit": `{"version":1,"site":"https://chat.example.com","user_id":"u","text":"` + strings.Repeat("x", sqsqueue.MaxMessageBytes) + `"}`,
	} {
		if d, err := sqsqueue.Parse(body); err == nil {
			t.Errorf("%s: Parse accepted it: %+v", name, d)
		}
	}
}

// TestDeferToMoto: the command sent is the one read back from the queue.
func TestDeferToMoto(t *testing.T) {
	cfg := awstest.Config(t)
	url, _ := awstest.Queue(t, cfg)
	client := awssqs.NewFromConfig(cfg)
	if err := sqsqueue.New(client, url).Defer(t.Context(), deferred); err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(t.Context(), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %v, %d messages", err, len(out.Messages))
	}
	got, err := sqsqueue.Parse(aws.ToString(out.Messages[0].Body))
	if err != nil || got != deferred {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if err := sqsqueue.New(client, url+"-missing").Defer(t.Context(), deferred); err == nil {
		t.Error("Defer to a missing queue succeeded")
	}
}
