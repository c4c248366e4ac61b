package e2e

import (
	"errors"
	"strings"
	"testing"

	"rcgithub/infra/test/e2e/lambdarun"
	"rcgithub/infra/test/e2e/stack"
	"rcgithub/shared/rocketchattest"
)

// The automatic logout: EventBridge Scheduler invokes the logout function
// with the schedule's input when the session's end has come.
//
// Moto never fires schedules, and the session lasts SESSION_TTL (the
// template's 168h; the configuration accepts no less than 5m). The tests
// therefore invoke the function with the schedule's input themselves, and
// make the end come by moving the live session's end time into the past in
// the table (endSessionNow). Nothing in the shipped binaries is bent for the
// test: the session, its sealed token and its schedule are what the
// functions made, and the logout function decides from the stored end time
// and its own clock, exactly as it will on AWS. The early firing, which needs
// no such help, shows that the function goes by the stored end and not by
// being invoked.
func TestScheduledLogout(t *testing.T) {
	f := deployment(t)

	t.Run("fires at the end", func(t *testing.T) {
		u := newUser("bob")
		in := f.login(t, u, newGitHubLogin("bob"))
		s := f.onlySchedule(t, u)

		f.endSessionNow(t, u, s.Job.Generation)
		f.fire(t, s)
		f.checkLoggedOutAutomatically(t, u, in)

		// Scheduler delivers at least once: a second delivery is harmless.
		f.fire(t, s)
	})

	t.Run("fires early, then at the end", func(t *testing.T) {
		u := newUser("carol")
		in := f.login(t, u, newGitHubLogin("carol"))
		first := f.onlySchedule(t, u)

		// Invoked days before the end (a replayed event, clock trouble): the
		// function ends nothing and schedules itself again for the end.
		f.fire(t, first)
		if !f.github.TokenAlive(in.token) {
			t.Fatal("the early invocation revoked the token")
		}
		if text := f.reply(t, u, "/github status"); !strings.HasPrefix(text, "You are logged in to GitHub as @"+in.githubLogin) {
			t.Fatalf("status after the early invocation: %q", text)
		}
		if f.gotMessage(u, "Your GitHub session ended") {
			t.Error("the early invocation told the user the session ended")
		}
		all := f.schedulesOf(t, u)
		if len(all) != 2 || all[1].Job.Attempt != 1 || all[1].Job.Generation != first.Job.Generation {
			t.Fatalf("schedules after the early invocation: %+v; want the first and a retry (attempt 1) of the same generation", all)
		}
		retry := all[1]
		if got, want := *retry.Out.ScheduleExpression, *first.Out.ScheduleExpression; got != want {
			t.Errorf("the retry is scheduled %s, want the session's end %s", got, want)
		}

		f.endSessionNow(t, u, first.Job.Generation)
		f.fire(t, retry)
		f.checkLoggedOutAutomatically(t, u, in)
	})
}

// checkLoggedOutAutomatically checks what the automatic logout leaves: the
// token revoked at GitHub, a direct message to the user, no schedule left,
// and /github status saying so.
func (f *fixture) checkLoggedOutAutomatically(t *testing.T, u rocketchattest.User, in loggedIn) {
	t.Helper()
	if f.github.TokenAlive(in.token) {
		t.Error("the token still works at GitHub after the automatic logout")
	}
	if !f.gotMessage(u, "Your GitHub session ended") {
		t.Errorf("no direct message about the automatic logout; got %q", f.messagesTo(u))
	}
	if left := f.schedulesOf(t, u); len(left) != 0 {
		t.Errorf("schedules left after the automatic logout: %+v", left)
	}
	if text := f.reply(t, u, "/github status"); !strings.HasPrefix(text, "You are not logged in to GitHub.") {
		t.Errorf("status after the automatic logout: %q", text)
	}
}

// A user logs in again before the first session ended: the first token is
// revoked and its schedule removed; should that schedule fire anyway (its
// deletion raced with its delivery), the second session survives it.
func TestReloginThenStaleScheduleFires(t *testing.T) {
	f := deployment(t)
	u := newUser("dave")
	gh := newGitHubLogin("dave")

	first := f.login(t, u, gh)
	stale := f.onlySchedule(t, u)
	second := f.login(t, u, gh)

	if f.github.TokenAlive(first.token) {
		t.Error("the first token still works at GitHub after logging in again")
	}
	current := f.onlySchedule(t, u)
	if current.Job.Generation == stale.Job.Generation {
		t.Fatalf("the second login kept the first session's schedule %s", stale.Name)
	}

	f.fire(t, stale)

	if !f.github.TokenAlive(second.token) {
		t.Error("the stale schedule revoked the second session's token")
	}
	if text := f.reply(t, u, "/github status"); !strings.HasPrefix(text, "You are logged in to GitHub as @"+gh+" since ") {
		t.Errorf("status after the stale schedule fired: %q", text)
	}
	if s := f.onlySchedule(t, u); s.Name != current.Name {
		t.Errorf("the second session's schedule is now %s, want %s", s.Name, current.Name)
	}
	if f.gotMessage(u, "Your GitHub session ended") {
		t.Error("the stale schedule told the user the session ended")
	}
}

// A payload that is not a logout job fails the invocation (so that Lambda's
// retries and on-failure queue see it) and ends nothing.
func TestLogoutRejectsAForeignPayload(t *testing.T) {
	f := deployment(t)
	u := newUser("erin")
	in := f.login(t, u, newGitHubLogin("erin"))
	s := f.onlySchedule(t, u)

	payload := strings.Replace(s.Input, "{", `{"admin":true,`, 1)
	_, err := f.emulators[stack.Logout.Name].Invoke(t.Context(), []byte(payload))
	var fe *lambdarun.FunctionError
	if !errors.As(err, &fe) || !strings.Contains(fe.Body, `unknown field \"admin\"`) {
		t.Fatalf("logout function invoked with %s: %v; want a function error naming the unknown field", payload, err)
	}
	if !f.github.TokenAlive(in.token) {
		t.Error("a rejected payload revoked the token")
	}
}
