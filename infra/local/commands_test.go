package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"rcgithub/shared/rocketchattest"
)

// loginWith walks the browser flow from a login asked for with text (say
// "/github login public_repo") as GitHub user ghLogin.
func (e *env) loginWith(t *testing.T, u rocketchattest.User, text, ghLogin string) {
	t.Helper()
	link := linkPattern.FindString(dm(t, e.say(t, u, text), u))
	if link == "" {
		t.Fatalf("no login link for %q", text)
	}
	b := newBrowser(t)
	cb, err := e.gh.Authorize(e.pressContinue(t, b, link), ghLogin)
	if err != nil {
		t.Fatal(err)
	}
	if resp, page := b.get(t, cb); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Connected to GitHub as @"+ghLogin) {
		t.Fatalf("callback %d: %s", resp.StatusCode, page)
	}
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: answer lacks %q:\n%s", what, w, text)
		}
	}
}

// The commands that act at GitHub, end to end through the one-machine
// server against the stand-in's seeded world: what `make run` shows after
// the sandbox login.
func TestCommandsAgainstTheSandboxWorld(t *testing.T) {
	e := newEnv(t)
	e.gh.Seed()
	e.login(t, alice, "octocat") // a plain login: read:user
	mustContain(t, "help", dm(t, e.say(t, alice, "/github help"), alice), "`/github login public_repo`", "`/github me`", "`/github share <command>`")

	mustContain(t, "me", dm(t, e.say(t, alice, "/github me"), alice),
		"[@octocat]", "Open pull requests: 2", "Review requests: 1", "Assigned issues: 3", "octocat/hello-world#8")
	card := dm(t, e.say(t, alice, "/github octocat/hello-world"), alice)
	mustContain(t, "card", card, "**[octocat/hello-world](", "· public", "5 open issues", "3 open pull requests",
		"default branch `main`", "Latest release: [v1.2.0: quieter logs](")
	issues := dm(t, e.say(t, alice, "/gh octocat/hello-world issues"), alice)
	mustContain(t, "issues", issues, "#1", "Crash when the config file is empty", "by [mona](", "`bug`")
	if strings.Contains(issues, "/pull/") {
		t.Errorf("issues lists pull requests:\n%s", issues)
	}
	mustContain(t, "pulls", dm(t, e.say(t, alice, "/github octocat/hello-world pulls"), alice), "/pull/7)", "by [dependabot")
	mustContain(t, "search", dm(t, e.say(t, alice, "/github search is:issue is:open label:i18n"), alice),
		"match `is:issue is:open label:i18n`", "Greeting is not translated into German")

	// Bad input: one sentence each, nothing created.
	mustContain(t, "malformed", dm(t, e.say(t, alice, "/github nope/"), alice), "is not a GitHub repository name")
	mustContain(t, "unknown", dm(t, e.say(t, alice, "/github octocat/nothing-here"), alice), "GitHub has no repository octocat/nothing-here")
	mustContain(t, "no title", dm(t, e.say(t, alice, "/github octocat/hello-world issue"), alice), "Give the issue a title")
	// read:user cannot open issues: the answer names the scope and the command.
	before := len(e.gh.Issues("octocat", "hello-world"))
	mustContain(t, "needs scope", dm(t, e.say(t, alice, "/github octocat/hello-world issue Crash on start"), alice),
		"public_repo", "`/github login public_repo`")

	e.loginWith(t, alice, "/github login repo", "octocat")
	// A private repository is shown privately, and never shared into a room.
	mustContain(t, "private card", dm(t, e.say(t, alice, "/github octocat/secret-plans"), alice), "· private")
	refusal := dm(t, e.say(t, alice, "/github share octocat/secret-plans"), alice)
	mustContain(t, "share private", refusal, "private")
	shared := e.say(t, alice, "/github share octocat/hello-world")
	if shared.Posted == nil || shared.Posted.Channel != "" || !strings.Contains(shared.Posted.Text, "octocat/hello-world") {
		t.Errorf("share: want the card posted to the room (no channel), got %+v", shared.Posted)
	}

	// An issue, with its body's lines and spacing kept, created once for a
	// message Rocket.Chat delivers twice.
	msg := e.rc.Message(alice, "/github octocat/hello-world issue Crash on start\nSteps:\n  1. run it\n\nThanks")
	var answers []string
	for range 2 {
		d, err := e.rc.Send(t.Context(), msg)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, dm(t, d, alice))
	}
	url := regexp.MustCompile(`/octocat/hello-world/issues/\d+`).FindString(answers[0])
	if url == "" || !strings.Contains(answers[1], url) {
		t.Fatalf("re-delivery answered %q after %q; want the same issue", answers[1], answers[0])
	}
	after := e.gh.Issues("octocat", "hello-world")
	if len(after) != before+1 {
		t.Fatalf("%d issues created for one message delivered twice; want 1", len(after)-before)
	}
	if got := after[len(after)-1]; got.Title != "Crash on start" || got.Body != "Steps:\n  1. run it\n\nThanks" || got.Author != "octocat" {
		t.Errorf("created issue %+v", got)
	}
}
