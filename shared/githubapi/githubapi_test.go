package githubapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/chatops"
)

func TestBaseURLKeepsThePathAndEndsInASlash(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "https://api.github.com/"},
		{"https://api.github.com", "https://api.github.com/"},
		{"https://api.github.com/", "https://api.github.com/"},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/"},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/"},
		{"http://127.0.0.1:8080/sandbox/github", "http://127.0.0.1:8080/sandbox/github/"},
	}
	for _, tc := range cases {
		u, err := baseURL(tc.in)
		if err != nil || u.String() != tc.want {
			t.Errorf("baseURL(%q) = %v, %v; want %s", tc.in, u, err, tc.want)
		}
	}
	for _, bad := range []string{"api.github.com", "ftp://x", "https://user:pw@ghe.example.com", "://"} {
		if _, err := baseURL(bad); err == nil {
			t.Errorf("baseURL(%q) accepted", bad)
		}
	}
}

// Each request goes to GITHUB_API_URL's path, with the token as a bearer.
func TestRequestsGoUnderTheAPIURL(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		var got []string
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[]`))
		}))
		_, err := New(Config{APIURL: ts.URL + prefix}).For(secretToken).Pulls(context.Background(), chatops.Repo{Owner: "o", Name: "r"}, 10)
		ts.Close()
		want := "GET " + prefix + "/repos/o/r/pulls Bearer " + secretToken
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("prefix %q: requests %q, err %v; want %q", prefix, got, err, want)
		}
	}
}

func TestABadAPIURLFailsEveryCall(t *testing.T) {
	gh := New(Config{APIURL: "not a url"}).For(secretToken)
	ctx := context.Background()
	r := chatops.Repo{Owner: "o", Name: "r"}
	calls := map[string]func() error{
		"Profile":     func() error { _, err := gh.Profile(ctx, false); return err },
		"Repo":        func() error { _, err := gh.Repo(ctx, r); return err },
		"Issues":      func() error { _, err := gh.Issues(ctx, r, 10); return err },
		"Pulls":       func() error { _, err := gh.Pulls(ctx, r, 10); return err },
		"CreateIssue": func() error { _, err := gh.CreateIssue(ctx, r, "t", ""); return err },
		"Search":      func() error { _, err := gh.Search(ctx, "bug", 10, false); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || !strings.Contains(err.Error(), "GITHUB_API_URL") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestRepoOfReadsRepositoryURL(t *testing.T) {
	cases := map[string]chatops.Repo{
		"https://api.github.com/repos/octo/hello":               {Owner: "octo", Name: "hello"},
		"https://ghe.example.com/api/v3/repos/octo/hello-world": {Owner: "octo", Name: "hello-world"},
		"https://api.github.com/users/octo":                     {},
		"":                                                      {},
	}
	for in, want := range cases {
		if got := repoOf(in); got != want {
			t.Errorf("repoOf(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTypeQualifierFindsIssueOrPullRequest(t *testing.T) {
	cases := map[string]bool{
		"is:issue crash":           true,
		"crash is:pr":              true,
		"(is:pull-request) bug":    true,
		"type:pr label:bug":        true,
		"IS:ISSUE":                 true,
		"is:private crash":         false,
		"is:open crash":            false,
		"this:issue":               false,
		"crash is:prs":             false,
		"bug (is:issue OR is:pr)":  true,
		"review-requested:@me bug": false,
	}
	for q, want := range cases {
		if got := typeQualifier.MatchString(q); got != want {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
}

// TestDefaultClientLeavesTheCallToTheContext: the default client has no
// per-request timeout (a deferred run may outwait a slow GitHub for as long
// as its own context allows), only generous transport bounds on connecting
// and on a GitHub that never answers.
func TestDefaultClientLeavesTheCallToTheContext(t *testing.T) {
	c := New(Config{}).base.Client()
	if c.Timeout != 0 {
		t.Fatalf("default client timeout %v, want none: the caller's context bounds a call", c.Timeout)
	}
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("default transport %T, want an *http.Transport with its own bounds", c.Transport)
	}
	if tr.TLSHandshakeTimeout <= 0 || tr.ResponseHeaderTimeout < time.Minute || tr.Proxy == nil {
		t.Fatalf("transport TLS handshake %v, response header %v, proxy from environment %v", tr.TLSHandshakeTimeout,
			tr.ResponseHeaderTimeout, tr.Proxy != nil)
	}
}

// TestContextBoundsACall: the webhook's deadline still ends a call GitHub
// does not answer.
func TestContextBoundsACall(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer ts.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := New(Config{APIURL: ts.URL}).For("gho_t").Repo(ctx, chatops.Repo{Owner: "o", Name: "r"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's deadline", err)
	}
}
