package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"rcgithub/shared/session"
)

// Config says where schedules go and what they invoke.
type Config struct {
	Group         string // schedule group, made by the SAM template
	TargetARN     string // the logout Lambda function
	RoleARN       string // role EventBridge Scheduler assumes to invoke it
	DeadLetterARN string // SQS queue for invocations that failed; optional
	// MaxRetries (0-185) and MaxEventAge (seconds, 60-86400) bound EventBridge's
	// retries of an invocation that failed (throttling, permissions); errors the
	// function returns are retried by Lambda's asynchronous invocation instead.
	MaxRetries  int32
	MaxEventAge int32
}

// Scheduler is a session.Scheduler on EventBridge Scheduler.
type Scheduler struct {
	client *scheduler.Client
	cfg    Config
	now    func() time.Time
}

var _ session.Scheduler = (*Scheduler)(nil)

// New returns a Scheduler that puts schedules in cfg.Group.
func New(client *scheduler.Client, cfg Config) *Scheduler {
	return &Scheduler{client: client, cfg: cfg, now: time.Now}
}

// scheduleAttempts bounds the create/update dance of Schedule when the
// schedule keeps appearing and disappearing under it.
const scheduleAttempts = 3

// Schedule creates the job's schedule, or moves it when it exists: a second
// Schedule of the same job conflicts and updates it instead. A time less than
// a minute ahead is moved to a minute ahead (see minLead).
func (s *Scheduler) Schedule(ctx context.Context, job session.Job, at time.Time) error {
	if err := job.Validate(); err != nil {
		return fmt.Errorf("schedule logout: %w", err)
	}
	in, err := s.createInput(job, runAt(at, s.now()))
	if err != nil {
		return err
	}
	for range scheduleAttempts {
		_, err := s.client.CreateSchedule(ctx, in)
		var conflict *types.ConflictException
		if !errors.As(err, &conflict) {
			if err != nil {
				return fmt.Errorf("create schedule %s: %w", aws.ToString(in.Name), err)
			}
			return nil
		}
		_, err = s.client.UpdateSchedule(ctx, updateInput(in))
		var gone *types.ResourceNotFoundException
		if !errors.As(err, &gone) {
			if err != nil {
				return fmt.Errorf("update schedule %s: %w", aws.ToString(in.Name), err)
			}
			return nil
		}
		// It ran and deleted itself between the two calls: create it afresh.
	}
	return fmt.Errorf("schedule %s: it kept changing concurrently", aws.ToString(in.Name))
}

// createInput is every field of the job's schedule. UpdateSchedule resets the
// fields it is not given, so updateInput copies them all.
func (s *Scheduler) createInput(job session.Job, at time.Time) (*scheduler.CreateScheduleInput, error) {
	input, err := encodeJob(job)
	if err != nil {
		return nil, err
	}
	name := scheduleName(job)
	if err := s.checkNames(name); err != nil {
		return nil, fmt.Errorf("schedule logout: %w", err)
	}
	if err := checkInput(input); err != nil {
		return nil, fmt.Errorf("schedule logout: %w", err)
	}
	target := &types.Target{
		Arn:     aws.String(s.cfg.TargetARN),
		RoleArn: aws.String(s.cfg.RoleARN),
		Input:   aws.String(input),
		RetryPolicy: &types.RetryPolicy{
			MaximumRetryAttempts:     aws.Int32(s.cfg.MaxRetries),
			MaximumEventAgeInSeconds: aws.Int32(s.cfg.MaxEventAge),
		},
	}
	if s.cfg.DeadLetterARN != "" {
		target.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(s.cfg.DeadLetterARN)}
	}
	return &scheduler.CreateScheduleInput{
		GroupName:                  aws.String(s.cfg.Group),
		Name:                       aws.String(name),
		ScheduleExpression:         aws.String(atExpression(at)),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		State:                      types.ScheduleStateEnabled,
		Target:                     target,
	}, nil
}

func updateInput(in *scheduler.CreateScheduleInput) *scheduler.UpdateScheduleInput {
	return &scheduler.UpdateScheduleInput{
		GroupName:                  in.GroupName,
		Name:                       in.Name,
		ScheduleExpression:         in.ScheduleExpression,
		ScheduleExpressionTimezone: in.ScheduleExpressionTimezone,
		FlexibleTimeWindow:         in.FlexibleTimeWindow,
		ActionAfterCompletion:      in.ActionAfterCompletion,
		State:                      in.State,
		Target:                     in.Target,
		Description:                in.Description,
		StartDate:                  in.StartDate,
		EndDate:                    in.EndDate,
		KmsKeyArn:                  in.KmsKeyArn,
	}
}

// Cancel deletes the job's schedule. A schedule that is not there (it ran and
// deleted itself, or never existed) is not an error.
func (s *Scheduler) Cancel(ctx context.Context, job session.Job) error {
	name := scheduleName(job)
	if err := s.checkNames(name); err != nil {
		return fmt.Errorf("delete schedule: %w", err)
	}
	_, err := s.client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{
		GroupName: aws.String(s.cfg.Group),
		Name:      aws.String(name),
	})
	var gone *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("delete schedule %s: %w", name, err)
	}
	return nil
}

// Due tells whether the job's schedule exists and when it runs; it has the
// signature of sessiontest.Inspect. A schedule whose input is not this job
// (a name collision, or a schedule written by something else) is an error.
func (s *Scheduler) Due(ctx context.Context, job session.Job) (time.Time, bool, error) {
	name := scheduleName(job)
	if err := s.checkNames(name); err != nil {
		return time.Time{}, false, fmt.Errorf("get schedule: %w", err)
	}
	out, err := s.client.GetSchedule(ctx, &scheduler.GetScheduleInput{
		GroupName: aws.String(s.cfg.Group),
		Name:      aws.String(name),
	})
	var gone *types.ResourceNotFoundException
	if errors.As(err, &gone) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("get schedule %s: %w", name, err)
	}
	if out.Target == nil {
		return time.Time{}, false, fmt.Errorf("schedule %s has no target", name)
	}
	got, err := ParseJob([]byte(aws.ToString(out.Target.Input)))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("schedule %s: %w", name, err)
	}
	if got != job {
		return time.Time{}, false, fmt.Errorf("schedule %s holds another job", name)
	}
	at, err := parseAt(aws.ToString(out.ScheduleExpression), aws.ToString(out.ScheduleExpressionTimezone))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("schedule %s: %w", name, err)
	}
	return at, true, nil
}
