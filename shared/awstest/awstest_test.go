package awstest_test

import (
	"fmt"
	"maps"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"rcgithub/shared/awstest"
)

// recorder is a testing.TB that records Skip and Fatal instead of acting on
// the real test; like the real ones, they end the goroutine.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

// config calls awstest.Config on a recorder, in its own goroutine because
// Skip and Fatal end it.
func config(t *testing.T) (aws.Config, *recorder) {
	r := &recorder{TB: t}
	var cfg aws.Config
	done := make(chan struct{})
	go func() {
		defer close(done)
		cfg = awstest.Config(r)
	}()
	<-done
	return cfg, r
}

func TestConfigWithoutMoto(t *testing.T) {
	t.Setenv("MOTO_ENDPOINT", "")

	t.Setenv("REQUIRE_MOTO", "")
	if _, r := config(t); !strings.Contains(r.skipped, "make test") || r.failed != "" {
		t.Errorf("without REQUIRE_MOTO: skipped %q, failed %q; want a skip that mentions make test", r.skipped, r.failed)
	}
	t.Setenv("REQUIRE_MOTO", "1")
	if _, r := config(t); !strings.Contains(r.failed, "MOTO_ENDPOINT") || r.skipped != "" {
		t.Errorf("with REQUIRE_MOTO=1: skipped %q, failed %q; want a failure that names MOTO_ENDPOINT", r.skipped, r.failed)
	}
}

func TestConfigWithMoto(t *testing.T) {
	t.Setenv("MOTO_ENDPOINT", "http://127.0.0.1:1")
	cfg, r := config(t)
	if r.skipped != "" || r.failed != "" {
		t.Fatalf("skipped %q, failed %q", r.skipped, r.failed)
	}
	if aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:1" || cfg.Region != awstest.Region {
		t.Errorf("endpoint %q, region %q", aws.ToString(cfg.BaseEndpoint), cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID == "" {
		t.Errorf("credentials %+v, %v; want static dummy ones", creds, err)
	}
}

func TestCounter(t *testing.T) {
	cfg, counter := awstest.CountedConfig(t)
	url, _ := awstest.Queue(t, cfg) // CreateQueue and GetQueueAttributes, through cfg
	if got, want := counter.Counts(), map[string]int{"SQS.CreateQueue": 1, "SQS.GetQueueAttributes": 1}; !maps.Equal(got, want) {
		t.Errorf("Counts = %v, want %v", got, want)
	}

	counter.Reset()
	if got := counter.Counts(); len(got) != 0 {
		t.Errorf("Counts after Reset = %v, want none", got)
	}
	client := sqs.NewFromConfig(cfg)
	for range 3 {
		if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); err != nil {
			t.Fatal(err)
		}
	}
	// A failed call counts too: it was made.
	_, _ = client.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(awstest.UniqueName("missing"))})
	want := map[string]int{"SQS.SendMessage": 3, "SQS.GetQueueUrl": 1}
	got := counter.Counts()
	if !maps.Equal(got, want) {
		t.Errorf("Counts = %v, want %v", got, want)
	}
	got["SQS.SendMessage"] = 99 // a copy: changing it changes nothing
	if counter.Counts()["SQS.SendMessage"] != 3 {
		t.Error("Counts returned the counter's own map")
	}
}

func TestUniqueName(t *testing.T) {
	a, b := awstest.UniqueName("x"), awstest.UniqueName("x")
	if a == b || !strings.HasPrefix(a, "x-") || len(a) != 2+16 {
		t.Errorf("UniqueName gave %q and %q", a, b)
	}
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestSecretOverTheLimit: a value AWS would refuse fails the test before any
// call, though moto would store it.
func TestSecretOverTheLimit(t *testing.T) {
	cfg, counter := awstest.CountedConfig(t)
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		awstest.Secret(r, cfg, strings.Repeat("x", 65537))
	}()
	<-done
	if !strings.Contains(r.failed, "65537 bytes") {
		t.Errorf("Secret over the limit: failure %q, want one naming the size", r.failed)
	}
	if c := counter.Counts(); len(c) != 0 {
		t.Errorf("Secret over the limit made calls: %v", c)
	}
}
