package githubapi_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/githubapi"
	"rcgithub/shared/githubtest"
)

// The wiring makes one API for GITHUB_API_URL and hands api.For to the
// chat commands as their chatops.Connect; each command acts with the token
// of the user who typed it.
func Example() {
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.example", World: true})
	url, stop := gh.Start() // GITHUB_API_URL: https://api.github.com, https://HOST/api/v3, or this
	defer stop()

	api := githubapi.New(githubapi.Config{APIURL: url, HTTPClient: &http.Client{Timeout: 8 * time.Second}})
	var connect chatops.Connect = api.For

	ctx := context.Background()
	card, err := connect(gh.IssueToken(githubtest.SandboxUser, "repo")).Repo(ctx, chatops.Repo{Owner: "octocat", Name: "hello-world"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d open issues, %d open pull requests, latest release %s\n",
		card.Repo, card.OpenIssues, card.OpenPulls, card.LatestRelease.Tag)

	_, err = connect("gho_revoked").Repo(ctx, card.Repo)
	fmt.Println(err)
	// Output:
	// octocat/hello-world: 5 open issues, 3 open pull requests, latest release v1.2.0
	// github: token refused (401)
}
