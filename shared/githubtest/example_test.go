package githubtest_test

import (
	"fmt"
	"net/url"

	"rcgithub/shared/githubtest"
)

// A test plays the browser: Authorize returns where GitHub sends it back.
func ExampleServer_Authorize() {
	gh := githubtest.New(githubtest.Options{
		ClientID:     "Iv1.example",
		ClientSecret: "example-secret",
		RedirectURLs: []string{"https://chat.example.com/github/callback"},
	})
	ghURL, stop := gh.Start()
	defer stop()

	authURL := ghURL + "/login/oauth/authorize?" + url.Values{
		"client_id": {"Iv1.example"},
		"state":     {"xyz"},
		"scope":     {"read:user"},
	}.Encode()
	callback, err := gh.Authorize(authURL, "mona")
	if err != nil {
		fmt.Println(err)
		return
	}
	cb, _ := url.Parse(callback)
	fmt.Println(cb.Host+cb.Path, cb.Query().Get("state"), len(cb.Query().Get("code")))

	denied, _ := gh.Deny(authURL)
	cb, _ = url.Parse(denied)
	fmt.Println(cb.Query().Get("error"))
	// Output:
	// chat.example.com/github/callback xyz 20
	// access_denied
}
