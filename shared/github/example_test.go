package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/oauth2"

	"rcgithub/shared/github"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
)

// The whole life of a token: sign in with PKCE, read the user, revoke. The
// GitHub stand-in plays github.com and the person's browser.
func Example() {
	gh := githubtest.New(githubtest.Options{
		ClientID:     "Iv1.example",
		ClientSecret: "example-secret",
		RedirectURLs: []string{"https://chat.example.com/github/callback"},
	})
	ghURL, stop := gh.Start()
	defer stop()

	client := github.New(github.Config{
		ClientID:     "Iv1.example",
		ClientSecret: "example-secret",
		BaseURL:      ghURL, // https://github.com in production
		APIURL:       ghURL, // https://api.github.com in production
		RedirectURL:  "https://chat.example.com/github/callback",
		Scopes:       []string{"read:user"},
	})
	ctx := context.Background()

	// The service keeps state and verifier, and sends the browser here:
	verifier := oauth2.GenerateVerifier()
	authURL := client.AuthCodeURL("random-state", verifier, []string{"read:user"})

	// The person presses Authorize; GitHub redirects to the callback.
	callback, err := gh.Authorize(authURL, "octocat")
	if err != nil {
		fmt.Println(err)
		return
	}
	cb, _ := url.Parse(callback)

	token, err := client.Exchange(ctx, cb.Query().Get("code"), verifier)
	if err != nil {
		fmt.Println(err)
		return
	}
	user, err := client.User(ctx, token.AccessToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(user.Login, user.Scopes)

	if err := client.Revoke(ctx, token.AccessToken); err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.User(ctx, token.AccessToken)
	fmt.Println("dead after revoke:", errors.Is(err, session.ErrTokenDead))
	// Output:
	// octocat [read:user]
	// dead after revoke: true
}
