package eventbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"rcgithub/shared/awstest"
	"rcgithub/shared/eventbus"
	"rcgithub/shared/events"
	"rcgithub/shared/session"
)

var loggedIn = session.Event{Kind: session.EventLoggedIn, Site: "https://chat.example.com", UserID: "alice-id",
	GitHubLogin: "octocat", Generation: 7, At: time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)}

// fakeAPI answers PutEvents with out, and keeps the inputs.
type fakeAPI struct {
	out   *awseventbridge.PutEventsOutput
	err   error
	calls []*awseventbridge.PutEventsInput
}

func (f *fakeAPI) PutEvents(_ context.Context, in *awseventbridge.PutEventsInput, _ ...func(*awseventbridge.Options)) (*awseventbridge.PutEventsOutput, error) {
	f.calls = append(f.calls, in)
	return f.out, f.err
}

// TestRefusedEntryIsAnError: PutEvents answers 200 with FailedEntryCount for
// an entry it refused; the publisher reports it with EventBridge's code.
func TestRefusedEntryIsAnError(t *testing.T) {
	api := &fakeAPI{out: &awseventbridge.PutEventsOutput{FailedEntryCount: 1,
		Entries: []types.PutEventsResultEntry{{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")}}}}
	err := eventbus.New(api, "bus").Publish(context.Background(), loggedIn)
	if err == nil || !strings.Contains(err.Error(), "InternalFailure") {
		t.Fatalf("Publish of a refused entry = %v, want an error naming InternalFailure", err)
	}
	api = &fakeAPI{err: errors.New("throttled")}
	if err := eventbus.New(api, "bus").Publish(context.Background(), loggedIn); err == nil {
		t.Fatal("a failed PutEvents call was not reported")
	}
}

// TestEntrySizeLimit: an entry of exactly MaxEntryBytes is sent; one byte
// more is refused before any call.
func TestEntrySizeLimit(t *testing.T) {
	sizeWith := func(login string) (int, *fakeAPI, error) {
		api := &fakeAPI{out: &awseventbridge.PutEventsOutput{}}
		e := loggedIn
		e.GitHubLogin = login
		err := eventbus.New(api, "bus").Publish(context.Background(), e)
		if len(api.calls) == 0 {
			return 0, api, err
		}
		return eventbus.EntrySize(api.calls[0].Entries[0]), api, err
	}
	base, _, err := sizeWith("")
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", eventbus.MaxEntryBytes-base)
	if n, api, err := sizeWith(pad); err != nil || n != eventbus.MaxEntryBytes || len(api.calls) != 1 {
		t.Fatalf("entry of %d bytes: %v, %d calls; want it sent", n, err, len(api.calls))
	}
	if _, api, err := sizeWith(pad + "x"); !errors.Is(err, eventbus.ErrTooLarge) || len(api.calls) != 0 {
		t.Fatalf("entry of %d bytes: %v, %d calls; want ErrTooLarge and no call", eventbus.MaxEntryBytes+1, err, len(api.calls))
	}
	// The limit counts UTF-8 bytes: a two-byte rune takes two.
	if _, _, err := sizeWith(pad[:len(pad)-1] + "é"); !errors.Is(err, eventbus.ErrTooLarge) {
		t.Fatalf("entry of %d bytes counted by runes: %v", eventbus.MaxEntryBytes+1, err)
	}
}

func TestEntrySize(t *testing.T) {
	entry := types.PutEventsRequestEntry{Source: aws.String("src"), DetailType: aws.String("dt"), Detail: aws.String(`{"a":"é"}`),
		Resources: []string{"arn:x"}, EventBusName: aws.String("not counted")}
	if got, want := eventbus.EntrySize(entry), 3+2+10+5; got != want {
		t.Errorf("EntrySize = %d, want %d", got, want)
	}
	entry.Time = aws.Time(time.Now())
	if got, want := eventbus.EntrySize(entry), 3+2+10+5+14; got != want {
		t.Errorf("EntrySize with Time = %d, want %d", got, want)
	}
}

// TestPublishToMoto: on moto's EventBridge, a rule on the source routes each
// kind to an SQS queue; the test reads what arrives there.
func TestPublishToMoto(t *testing.T) {
	ctx := context.Background()
	cfg := awstest.Config(t)
	bus := awstest.EventBus(t, cfg)
	queueURL, queueARN := awstest.Queue(t, cfg)
	eb := awseventbridge.NewFromConfig(cfg)
	rule := awstest.UniqueName("rcgithub")
	pattern := `{"source":["` + events.Source + `"]}`
	if _, err := eb.PutRule(ctx, &awseventbridge.PutRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus),
		EventPattern: aws.String(pattern)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &awseventbridge.PutTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus),
		Targets: []types.Target{{Id: aws.String("queue"), Arn: aws.String(queueARN)}}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = eb.RemoveTargets(context.Background(), &awseventbridge.RemoveTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus), Ids: []string{"queue"}})
		_, _ = eb.DeleteRule(context.Background(), &awseventbridge.DeleteRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus)})
	})

	p := eventbus.New(eb, bus)
	for _, k := range session.EventKinds() {
		e := loggedIn
		e.Kind = k
		if err := p.Publish(ctx, e); err != nil {
			t.Fatalf("Publish %s: %v", k, err)
		}
	}
	q := sqs.NewFromConfig(cfg)
	got := map[session.EventKind]bool{}
	for range 5 {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var ev struct {
				Source     string        `json:"source"`
				DetailType string        `json:"detail-type"`
				Detail     events.Detail `json:"detail"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatalf("message %s: %v", aws.ToString(m.Body), err)
			}
			kind := session.EventKind(ev.Detail.Kind)
			want, _ := events.DetailType(kind)
			e := loggedIn
			e.Kind = kind
			if ev.Source != events.Source || ev.DetailType != want || ev.Detail != events.NewDetail(e) {
				t.Errorf("received %s\nwant source %s, detail-type %s, detail %+v", aws.ToString(m.Body), events.Source, want, events.NewDetail(e))
			}
			got[kind] = true
		}
		if len(got) == len(session.EventKinds()) {
			break
		}
	}
	for _, k := range session.EventKinds() {
		if !got[k] {
			t.Errorf("no %s event reached the queue", k)
		}
	}

	// A bus that does not exist: the call fails, and Publish says so.
	if err := eventbus.New(eb, awstest.UniqueName("missing")).Publish(ctx, loggedIn); err == nil {
		t.Error("Publish to a missing bus succeeded")
	}
}
