package localapp_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"rcgithub/shared/chatops"
	"rcgithub/shared/githubapi"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/localapp"
)

// `make run` in sandbox mode comes with the stand-in's seeded world, served
// under SandboxPath with links that keep that path.
func TestSandboxServesTheSeededWorld(t *testing.T) {
	a := newApp(t, nil)
	ts := httptest.NewServer(a.Handler)
	defer ts.Close()
	api := githubapi.New(githubapi.Config{APIURL: ts.URL + localapp.SandboxPath})
	gh := api.For(a.Sandbox.IssueToken(githubtest.SandboxUser, "repo", "read:user"))
	card, err := gh.Repo(context.Background(), chatops.Repo{Owner: githubtest.SandboxUser, Name: "hello-world"})
	if err != nil {
		t.Fatal(err)
	}
	if card.OpenPulls == 0 || card.OpenIssues == 0 || card.LatestRelease == nil ||
		card.HTMLURL != ts.URL+localapp.SandboxPath+"/octocat/hello-world" {
		t.Errorf("card = %+v", card)
	}
	me, err := gh.Profile(context.Background(), false)
	if err != nil || me.PullRequests.Total == 0 || me.ReviewRequests.Total == 0 || me.AssignedIssues.Total == 0 {
		t.Errorf("profile = %+v, %v", me, err)
	}
	// The profile link keeps the sandbox's path too, so that it opens.
	if want := ts.URL + localapp.SandboxPath + "/" + githubtest.SandboxUser; me.HTMLURL != want {
		t.Errorf("profile link %q, want %q", me.HTMLURL, want)
	}
}
