package web

import (
	"errors"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/readmetest"
	"rcgithub/shared/session"
)

// TestREADMECommands holds the README's "Commands in Rocket.Chat" to the
// code: it names every command of the help, and its failure answers are the
// sentences the service writes.
func TestREADMECommands(t *testing.T) {
	section := readmetest.Section(t, "Commands in Rocket.Chat")
	for _, cmd := range []string{"`/github login`", "`/github status`", "`/github logout`", "`/github me`", "`/github <owner>/<repo>`",
		"`/github <owner>/<repo> issues`", "`/github <owner>/<repo> pulls`", "`/github <owner>/<repo> issue <title>`",
		"`/github search <query>`", "`/github share <command>`", "`/github help`"} {
		if !strings.Contains(section, cmd) {
			t.Errorf("the section lacks %s", cmd)
		}
	}
	hello := chatops.Repo{Owner: "octocat", Name: "nope"}
	_, nameErr := chatops.ParseRepo("octo--cat/x")
	for name, err := range map[string]error{
		"malformed":     nameErr,
		"unknown":       chatops.ErrNotFound,
		"no permission": &chatops.ForbiddenError{Message: "Issues are disabled for this repo"},
		"empty title":   chatops.ErrEmptyTitle,
		"scope":         &chatops.NeedsScopeError{Scope: "public_repo"},
		"rate limited":  &chatops.RateLimitedError{Until: time.Date(2030, 1, 1, 14, 5, 0, 0, time.UTC)},
		"app":           &chatops.NotAccessibleError{Permission: "issues=write"},
		"not logged in": session.ErrNotFound,
		"revoked":       session.ErrEndedAtGitHub,
		"unreachable":   errors.New("dial tcp: connection refused"),
	} {
		text := chatErrorText(err, "/github", hello)
		if !strings.Contains(section, text) {
			t.Errorf("%s: the section lacks the answer %q", name, text)
		}
	}
	private := chatErrorText(&chatops.NotShareableError{Repo: chatops.Repo{Owner: "octocat", Name: "secret"}, Visibility: chatops.Private}, "/github", hello)
	if !strings.Contains(strings.Join(strings.Fields(section), " "), private) {
		t.Errorf("the section lacks the refusal %q", private)
	}
	for _, text := range []string{deferredText, notFinishedText} {
		if !strings.Contains(strings.Join(strings.Fields(section), " "), text) {
			t.Errorf("the section lacks %q", text)
		}
	}
}
