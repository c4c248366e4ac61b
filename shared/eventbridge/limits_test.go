package eventbridge

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	schedulerapi "github.com/aws/aws-sdk-go-v2/service/scheduler"

	"rcgithub/shared/awstest"
	"rcgithub/shared/session"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{strings.Repeat("a", MaxNameLen), true},
		{"a", true},
		{"logout-0123abcd_x.y-9", true},
		{strings.Repeat("a", MaxNameLen+1), false},
		{"", false},
		{"logout/x", false},
		{"logout x", false},
		{"lögout", false},
	}
	for _, tt := range tests {
		err := checkName("schedule name", tt.name)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrOverLimit)) {
			t.Errorf("checkName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestCheckInput(t *testing.T) {
	if err := checkInput(strings.Repeat("x", MaxInputBytes)); err != nil {
		t.Errorf("input at the limit refused: %v", err)
	}
	if err := checkInput(strings.Repeat("x", MaxInputBytes+1)); !errors.Is(err, ErrOverLimit) {
		t.Errorf("input one byte over the limit: %v, want ErrOverLimit", err)
	}
	// The largest job a valid session key makes is far below the limit.
	job := session.Job{Site: "https://a.example/" + strings.Repeat("%25", (session.MaxSiteLen-18)/3),
		UserID: strings.Repeat(`"`, session.MaxUserIDLen), Generation: 1<<53 - 1, Attempt: 10000}
	if err := job.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(job)
	if len(b) > 2048 {
		t.Errorf("largest job input is %d bytes, want at most 2048 (the README says so)", len(b))
	}
	t.Logf("largest job input: %d bytes (limit %d)", len(b), MaxInputBytes)
}

// TestGroupNameAtTheEdge runs a scheduler on a group whose name is exactly 64
// characters (its calls are made) and on one of 65 characters or with a
// character outside the pattern (refused before any call, with ErrOverLimit).
// Moto accepts any group name the adapter passes it.
func TestGroupNameAtTheEdge(t *testing.T) {
	cfg := awstest.Config(t)
	counter := awstest.NewCounter()
	counter.Install(&cfg)
	client := schedulerapi.NewFromConfig(cfg)
	edge := awstest.UniqueName("g")
	edge += strings.Repeat("x", MaxNameLen-len(edge))
	if _, err := client.CreateScheduleGroup(t.Context(), &schedulerapi.CreateScheduleGroupInput{Name: aws.String(edge)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteScheduleGroup(t.Context(), &schedulerapi.DeleteScheduleGroupInput{Name: aws.String(edge)})
	})
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 5}
	at := time.Date(2035, 6, 7, 8, 9, 10, 0, time.UTC)
	s := New(client, Config{Group: edge, TargetARN: targetARN, RoleARN: roleARN, MaxRetries: 3, MaxEventAge: 3600})
	counter.Reset()
	if err := s.Schedule(t.Context(), job, at); err != nil {
		t.Fatalf("Schedule in a group of %d characters: %v", len(edge), err)
	}
	if _, ok, err := s.Due(t.Context(), job); err != nil || !ok {
		t.Fatalf("Due in a group of %d characters: %v %v", len(edge), ok, err)
	}
	if err := s.Cancel(t.Context(), job); err != nil {
		t.Fatalf("Cancel in a group of %d characters: %v", len(edge), err)
	}
	if c := counter.Counts(); c["Scheduler.CreateSchedule"] != 1 || c["Scheduler.GetSchedule"] != 1 || c["Scheduler.DeleteSchedule"] != 1 {
		t.Fatalf("calls at the edge: %v", c)
	}
	for _, group := range []string{edge + "x", "rcgithub/logout", ""} {
		s := New(client, Config{Group: group, TargetARN: targetARN, RoleARN: roleARN, MaxRetries: 3, MaxEventAge: 3600})
		counter.Reset()
		if err := s.Schedule(t.Context(), job, at); !errors.Is(err, ErrOverLimit) {
			t.Errorf("Schedule in group %q: %v, want ErrOverLimit", group, err)
		}
		if _, _, err := s.Due(t.Context(), job); !errors.Is(err, ErrOverLimit) {
			t.Errorf("Due in group %q: %v, want ErrOverLimit", group, err)
		}
		if err := s.Cancel(t.Context(), job); !errors.Is(err, ErrOverLimit) {
			t.Errorf("Cancel in group %q: %v, want ErrOverLimit", group, err)
		}
		if c := counter.Counts(); len(c) != 0 {
			t.Errorf("group %q: calls made: %v", group, c)
		}
	}
}
