package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// The commands that act at GitHub, through the built webhook Lambda under
// the emulator: the profile, a repository card and an issue created once
// for a message Rocket.Chat delivers twice, against the stand-in's seeded
// world (whose user is octocat; no other e2e test logs in as octocat).
func TestCommandsActAtGitHub(t *testing.T) {
	f := deployment(t)
	f.github.Seed()
	u := newUser("carol")
	f.loginWith(t, u, "octocat", "/github login public_repo")

	me := f.reply(t, u, "/github me")
	for _, want := range []string{"[@octocat](", "Open pull requests: 2", "Review requests: 1", "Assigned issues: 3"} {
		if !strings.Contains(me, want) {
			t.Errorf("/github me lacks %q:\n%s", want, me)
		}
	}
	card := f.reply(t, u, "/github octocat/hello-world")
	for _, want := range []string{"**[octocat/hello-world](", "· public", "5 open issues", "3 open pull requests", "Latest release: [v1.2.0"} {
		if !strings.Contains(card, want) {
			t.Errorf("the repository card lacks %q:\n%s", want, card)
		}
	}

	before := len(f.github.Issues("octocat", "hello-world"))
	msg := f.outgoing.Message(u, "/github octocat/hello-world issue Filed from chat\nIt works\n  indented")
	var answers []string
	for range 2 { // Rocket.Chat re-delivers on a retry, a replay or an edit
		d := f.send(t, msg)
		if d.Posted == nil || d.Posted.Channel != "@"+u.Name {
			t.Fatalf("issue creation answered %+v (status %d, body %s); want a DM", d.Posted, d.Status, d.Body)
		}
		answers = append(answers, d.Posted.Text)
	}
	link := regexp.MustCompile(`/octocat/hello-world/issues/\d+`).FindString(answers[0])
	if link == "" || !strings.Contains(answers[1], link) {
		t.Fatalf("the re-delivery answered %q after %q; want the same issue", answers[1], answers[0])
	}
	after := f.github.Issues("octocat", "hello-world")
	if len(after) != before+1 {
		t.Fatalf("%d issues for one message delivered twice; want 1", len(after)-before)
	}
	if got := after[len(after)-1]; got.Title != "Filed from chat" || got.Body != "It works\n  indented" || got.Author != "octocat" {
		t.Errorf("the created issue is %+v", got)
	}
}
