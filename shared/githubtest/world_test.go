package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// getJSON makes an authenticated GET to the stand-in and decodes the JSON answer.
func (e *env) getJSON(t *testing.T, token, path string, into any) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, raw := e.do(t, req)
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	return resp
}

type searchAnswer struct {
	Total int `json:"total_count"`
	Items []struct {
		Number        int    `json:"number"`
		RepositoryURL string `json:"repository_url"`
		PullRequest   any    `json:"pull_request"`
	} `json:"items"`
}

func (a searchAnswer) names() []string {
	var out []string
	for _, it := range a.Items {
		kind := "#"
		if it.PullRequest != nil {
			kind = "!"
		}
		out = append(out, it.RepositoryURL[strings.LastIndex(it.RepositoryURL, "/")+1:]+kind+fmt.Sprint(it.Number))
	}
	slices.Sort(out)
	return out
}

func TestSearchUnderstandsItsSubsetOfGitHubsSyntax(t *testing.T) {
	e := newEnv(t, Options{World: true})
	octocat := e.s.IssueToken(SandboxUser, "repo")
	mona := e.s.IssueToken("mona", "repo")
	cases := []struct {
		token, q string
		status   int
		want     []string
	}{
		{octocat, "is:open is:pr author:@me", 200, []string{"chat-bridge!2", "hello-world!7"}},
		{octocat, "is:open is:pr review-requested:@me", 200, []string{"hello-world!8"}},
		{octocat, "is:issue is:open -label:bug repo:octocat/hello-world", 200, []string{"hello-world#2", "hello-world#3", "hello-world#6"}},
		{octocat, `"dark theme"`, 200, []string{"hello-world#3"}},
		{octocat, "(crash) AND is:issue", 200, []string{"hello-world#1"}},
		{octocat, "is:closed", 200, []string{"hello-world#5"}},
		{octocat, "org:sandbox-org", 200, []string{"archive#1", "chat-bridge!2", "chat-bridge#1"}},
		{octocat, "launch", 200, []string{"secret-plans#1"}},
		{octocat, "launch is:public", 200, nil},
		{mona, "launch", 200, nil}, // a private repository of another stays hidden
		{octocat, "label:bug OR label:i18n", 422, nil},
		{octocat, "   ", 422, nil},
	}
	for _, tc := range cases {
		var got searchAnswer
		resp := e.getJSON(t, tc.token, "/search/issues?q="+url.QueryEscape(tc.q), &got)
		if resp.StatusCode != tc.status || !slices.Equal(got.names(), tc.want) || (tc.status == 200 && got.Total != len(tc.want)) {
			t.Errorf("%q: %d %d %v, want %d %v", tc.q, resp.StatusCode, got.Total, got.names(), tc.status, tc.want)
		}
	}
}

func TestListsArePagedAsGitHubPagesThem(t *testing.T) {
	e := newEnv(t, Options{World: true})
	token := e.s.IssueToken(SandboxUser, "repo")
	var page2 []struct {
		Number int `json:"number"`
	}
	resp := e.getJSON(t, token, "/repos/octocat/hello-world/issues?per_page=2&page=2&sort=updated", &page2)
	link := resp.Header.Get("Link")
	// 8 open issues and pull requests: pages 1 to 4 of 2.
	for _, want := range []string{`page=1&per_page=2&sort=updated>; rel="prev"`, `page=3&per_page=2&sort=updated>; rel="next"`, `page=4&per_page=2&sort=updated>; rel="last"`, `page=1&per_page=2&sort=updated>; rel="first"`} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %s", link, want)
		}
	}
	if len(page2) != 2 {
		t.Errorf("page 2 has %d items", len(page2))
	}
	var all []struct{}
	e.getJSON(t, token, "/repos/octocat/hello-world/issues?per_page=1000", &all)
	if len(all) != 8 {
		t.Errorf("per_page=1000 gave %d items, want all 8 (capped at 100)", len(all))
	}
	var last []struct{}
	resp = e.getJSON(t, token, "/repos/octocat/hello-world/issues?per_page=2&page=4", &last)
	if l := resp.Header.Get("Link"); strings.Contains(l, `rel="next"`) || len(last) != 2 {
		t.Errorf("last page: Link %q, %d items", l, len(last))
	}
}
