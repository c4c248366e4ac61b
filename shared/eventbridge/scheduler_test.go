package eventbridge

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	schedulerapi "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"rcgithub/shared/awstest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

const (
	targetARN = "arn:aws:lambda:us-east-1:123456789012:function:logout"
	roleARN   = "arn:aws:iam::123456789012:role/scheduler-invoke-logout"
)

// newScheduler returns a Scheduler on a fresh schedule group in moto, the
// client it uses, and its config.
func newScheduler(t *testing.T, cfg aws.Config) (*Scheduler, *schedulerapi.Client, Config) {
	_, dlq := awstest.Queue(t, cfg)
	client := schedulerapi.NewFromConfig(cfg)
	c := Config{Group: awstest.ScheduleGroup(t, cfg), TargetARN: targetARN, RoleARN: roleARN,
		DeadLetterARN: dlq, MaxRetries: 3, MaxEventAge: 3600}
	return New(client, c), client, c
}

func TestSchedulerContract(t *testing.T) {
	cfg := awstest.Config(t)
	s, _, _ := newScheduler(t, cfg)
	sessiontest.TestScheduler(t, func(*testing.T) (session.Scheduler, sessiontest.Inspect) {
		return s, s.Due
	})
}

// TestScheduleFields reads the schedule back and checks every field the
// logout depends on.
func TestScheduleFields(t *testing.T) {
	s, client, c := newScheduler(t, awstest.Config(t))
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 9007199254740991, Attempt: 2}
	at := time.Date(2035, 6, 7, 8, 9, 10, 0, time.UTC)
	if err := s.Schedule(t.Context(), job, at); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetSchedule(t.Context(), &schedulerapi.GetScheduleInput{
		GroupName: aws.String(c.Group), Name: aws.String(scheduleName(job))})
	if err != nil {
		t.Fatal(err)
	}
	requireFields(t, out, c, job, "at(2035-06-07T08:09:10)")
}

// requireFields checks every field of a schedule made for job.
func requireFields(t *testing.T, out *schedulerapi.GetScheduleOutput, c Config, job session.Job, expr string) {
	t.Helper()
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("GroupName", aws.ToString(out.GroupName), c.Group)
	check("Name", aws.ToString(out.Name), scheduleName(job))
	check("ScheduleExpression", aws.ToString(out.ScheduleExpression), expr)
	check("ScheduleExpressionTimezone", aws.ToString(out.ScheduleExpressionTimezone), "UTC")
	if out.FlexibleTimeWindow == nil {
		t.Fatal("FlexibleTimeWindow missing")
	}
	check("FlexibleTimeWindow.Mode", out.FlexibleTimeWindow.Mode, types.FlexibleTimeWindowModeOff)
	check("ActionAfterCompletion", out.ActionAfterCompletion, types.ActionAfterCompletionDelete)
	check("State", out.State, types.ScheduleStateEnabled)
	if out.Target == nil || out.Target.RetryPolicy == nil || out.Target.DeadLetterConfig == nil {
		t.Fatalf("Target incomplete: %+v", out.Target)
	}
	check("Target.Arn", aws.ToString(out.Target.Arn), c.TargetARN)
	check("Target.RoleArn", aws.ToString(out.Target.RoleArn), c.RoleARN)
	check("Target.RetryPolicy.MaximumRetryAttempts", aws.ToInt32(out.Target.RetryPolicy.MaximumRetryAttempts), c.MaxRetries)
	check("Target.RetryPolicy.MaximumEventAgeInSeconds", aws.ToInt32(out.Target.RetryPolicy.MaximumEventAgeInSeconds), c.MaxEventAge)
	check("Target.DeadLetterConfig.Arn", aws.ToString(out.Target.DeadLetterConfig.Arn), c.DeadLetterARN)

	// The input is exactly the job in session.Job's JSON form.
	var input map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Target.Input)), &input); err != nil {
		t.Fatalf("Target.Input %q: %v", aws.ToString(out.Target.Input), err)
	}
	want := map[string]any{"site": job.Site, "user": job.UserID, "generation": float64(job.Generation)}
	if job.Attempt != 0 {
		want["attempt"] = float64(job.Attempt)
	}
	if !maps.Equal(input, want) {
		t.Errorf("Target.Input = %v, want %v", input, want)
	}
	if got, err := ParseJob([]byte(aws.ToString(out.Target.Input))); err != nil || got != job {
		t.Errorf("ParseJob(Target.Input) = %+v, %v; want %+v", got, err, job)
	}
}

// TestScheduleAgainUpdatesEveryField takes the ConflictException path: the
// second Schedule must leave a complete schedule, since UpdateSchedule resets
// whatever it is not given.
func TestScheduleAgainUpdatesEveryField(t *testing.T) {
	cfg := awstest.Config(t)
	counter := awstest.NewCounter()
	counter.Install(&cfg)
	s, client, c := newScheduler(t, cfg)
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 5}
	if err := s.Schedule(t.Context(), job, time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	if err := s.Schedule(t.Context(), job, time.Date(2036, 2, 3, 4, 5, 6, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"Scheduler.CreateSchedule": 1, "Scheduler.UpdateSchedule": 1}
	if got := counter.Counts(); !maps.Equal(got, want) {
		t.Errorf("second Schedule made calls %v, want %v", got, want)
	}
	out, err := client.GetSchedule(t.Context(), &schedulerapi.GetScheduleInput{
		GroupName: aws.String(c.Group), Name: aws.String(scheduleName(job))})
	if err != nil {
		t.Fatal(err)
	}
	requireFields(t, out, c, job, "at(2036-02-03T04:05:06)")
}

// TestScheduleSoonIsAMinuteAhead checks that a time in the past (a logout
// already due) is put a minute ahead rather than sent as a past at().
func TestScheduleSoonIsAMinuteAhead(t *testing.T) {
	s, _, _ := newScheduler(t, awstest.Config(t))
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	s.now = func() time.Time { return now }
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 5}
	if err := s.Schedule(t.Context(), job, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	at, ok, err := s.Due(t.Context(), job)
	if err != nil || !ok || !at.Equal(now.Add(time.Minute)) {
		t.Fatalf("Due = %s, %v, %v; want %s", at, ok, err, now.Add(time.Minute))
	}
}

func TestCancelMissingSchedule(t *testing.T) {
	cfg := awstest.Config(t)
	counter := awstest.NewCounter()
	counter.Install(&cfg)
	s, _, _ := newScheduler(t, cfg)
	counter.Reset()
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 5}
	if err := s.Cancel(t.Context(), job); err != nil {
		t.Fatalf("Cancel of a missing schedule: %v", err)
	}
	if got, want := counter.Counts(), map[string]int{"Scheduler.DeleteSchedule": 1}; !maps.Equal(got, want) {
		t.Errorf("Cancel made calls %v, want %v", got, want)
	}
}

// TestErrorsAreReported checks that failures other than the expected
// conflict and not-found are returned: here the schedule group is missing.
func TestErrorsAreReported(t *testing.T) {
	cfg := awstest.Config(t)
	s := New(schedulerapi.NewFromConfig(cfg), Config{Group: awstest.UniqueName("missing"),
		TargetARN: targetARN, RoleARN: roleARN, MaxRetries: 3, MaxEventAge: 3600})
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 5}
	if err := s.Schedule(t.Context(), job, time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("Schedule into a missing group succeeded")
	}
	if err := s.Schedule(t.Context(), session.Job{Site: "no-url", UserID: "u1", Generation: 5}, time.Now()); err == nil {
		t.Error("Schedule of an invalid job succeeded")
	}
}

// TestDueRejectsAForeignSchedule checks that Due does not report a schedule
// whose input is another job as this job's.
func TestDueRejectsAForeignSchedule(t *testing.T) {
	s, client, _ := newScheduler(t, awstest.Config(t))
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 5}
	other := session.Job{Site: "https://chat.example.com", UserID: "u2", Generation: 5}
	in, err := s.createInput(other, time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	in.Name = aws.String(scheduleName(job)) // the other job, under this job's name
	if _, err := client.CreateSchedule(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Due(t.Context(), job); err == nil || ok {
		t.Errorf("Due of a schedule holding another job = %v, %v; want an error", ok, err)
	}
}
