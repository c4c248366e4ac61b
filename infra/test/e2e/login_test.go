package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	schedulertypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

// A user logs in from Rocket.Chat, checks the status and logs out: the
// token is revoked at GitHub and the automatic logout is unscheduled.
func TestLoginStatusLogout(t *testing.T) {
	f := deployment(t)
	u := newUser("alice")
	gh := newGitHubLogin("alice")

	if text := f.reply(t, u, "/github status"); !strings.HasPrefix(text, "You are not logged in to GitHub.") {
		t.Errorf("status before login: %q", text)
	}
	loginStarted := time.Now()
	in := f.login(t, u, gh)
	if !f.gotMessage(u, "You are connected to GitHub as @"+gh+" until ") {
		t.Errorf("no direct message about the login; got %q", f.messagesTo(u))
	}

	s := f.onlySchedule(t, u)
	f.checkSchedule(t, s, loginStarted.Add(168*time.Hour), time.Now().Add(168*time.Hour))
	if s.Job.Attempt != 0 || s.Job.Generation == 0 {
		t.Errorf("schedule input %s: want the session's generation and no attempt", s.Input)
	}

	status := f.reply(t, u, "/github status")
	if !strings.HasPrefix(status, "You are logged in to GitHub as @"+gh+" since ") || !strings.Contains(status, "(in 7 days)") {
		t.Errorf("status after login: %q", status)
	}
	if text := f.reply(t, u, "/github logout"); text != "You are logged out of GitHub (@"+gh+") and the token is revoked." {
		t.Errorf("logout: %q", text)
	}
	if f.github.TokenAlive(in.token) {
		t.Error("the token still works at GitHub after /github logout")
	}
	if left := f.schedulesOf(t, u); len(left) != 0 {
		t.Errorf("schedules left after /github logout: %+v", left)
	}
	if text := f.reply(t, u, "/github status"); !strings.HasPrefix(text, "You are not logged in to GitHub.") {
		t.Errorf("status after logout: %q", text)
	}
	if text := f.reply(t, u, "/github logout"); !strings.HasPrefix(text, "You are not logged in to GitHub, so there is nothing to log out.") {
		t.Errorf("second logout: %q", text)
	}
}

// checkSchedule checks a logout schedule against what template.yaml wires:
// a one-time at() schedule between earliest and latest that invokes the
// logout function with the scheduler role, sends what it cannot deliver to
// the dead-letter queue, and deletes itself after it ran.
func (f *fixture) checkSchedule(t *testing.T, s schedule, earliest, latest time.Time) {
	t.Helper()
	out := s.Out
	if got := aws.ToString(out.Target.Arn); got != f.stack.LogoutFunctionARN() {
		t.Errorf("schedule target %s, want the logout function %s", got, f.stack.LogoutFunctionARN())
	}
	if got := aws.ToString(out.Target.RoleArn); got != f.stack.SchedulerRoleARN() {
		t.Errorf("schedule role %s, want %s", got, f.stack.SchedulerRoleARN())
	}
	if out.Target.DeadLetterConfig == nil || aws.ToString(out.Target.DeadLetterConfig.Arn) != f.stack.DeadLetterQueueARN {
		t.Errorf("schedule dead-letter config %+v, want the queue %s", out.Target.DeadLetterConfig, f.stack.DeadLetterQueueARN)
	}
	if out.ActionAfterCompletion != schedulertypes.ActionAfterCompletionDelete {
		t.Errorf("schedule ActionAfterCompletion %q, want DELETE", out.ActionAfterCompletion)
	}
	if out.FlexibleTimeWindow == nil || out.FlexibleTimeWindow.Mode != schedulertypes.FlexibleTimeWindowModeOff {
		t.Errorf("schedule flexible time window %+v, want OFF", out.FlexibleTimeWindow)
	}
	at, err := time.Parse("at(2006-01-02T15:04:05)", aws.ToString(out.ScheduleExpression))
	if tz := aws.ToString(out.ScheduleExpressionTimezone); tz != "" && tz != "UTC" {
		t.Errorf("schedule time zone %q, want UTC", tz)
	}
	if err != nil || at.Before(earliest.Truncate(time.Second)) || at.After(latest.Add(time.Second)) {
		t.Errorf("schedule expression %q, want at() between %s and %s (%v)", aws.ToString(out.ScheduleExpression),
			earliest.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339), err)
	}
}
