package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/githubtest"
)

// The API against the stand-in over real HTTP, on the sandbox's world:
// every method, and every reason a call can fail for.

var (
	hello   = chatops.Repo{Owner: "octocat", Name: "hello-world"}
	secret  = chatops.Repo{Owner: "octocat", Name: "secret-plans"}
	bridge  = chatops.Repo{Owner: "sandbox-org", Name: "chat-bridge"}
	archive = chatops.Repo{Owner: "sandbox-org", Name: "archive"}
)

type standIn struct {
	gh  *githubtest.Server
	url string
	api *API
}

func newStandIn(t *testing.T, opts githubtest.Options) *standIn {
	t.Helper()
	now := func() time.Time { return testNow }
	opts.World, opts.Now = true, now
	opts.ClientID = "Iv1.contract"
	gh := githubtest.New(opts)
	url, stop := gh.Start()
	t.Cleanup(stop)
	return &standIn{gh: gh, url: url, api: New(Config{APIURL: url, Now: now})}
}

// as returns the API acting as login with an OAuth token of scopes.
func (s *standIn) as(login string, scopes ...string) chatops.GitHub {
	return s.api.For(s.gh.IssueToken(login, scopes...))
}

func numbers(items []chatops.Item) []string {
	var out []string
	for _, it := range items {
		kind := "#"
		if it.IsPull {
			kind = "!"
		}
		out = append(out, fmt.Sprintf("%s%s%d", it.Repo.Name, kind, it.Number))
	}
	return out
}

func TestProfileAgainstTheStandIn(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	p, err := s.as("octocat", "repo", "read:user").Profile(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Login != "octocat" || p.HTMLURL == "" {
		t.Errorf("profile = %+v", p)
	}
	check := func(name string, got chatops.WorkList, total int, want ...string) {
		t.Helper()
		if got.Total != total || !slices.Equal(numbers(got.Items), want) {
			t.Errorf("%s = %d %v, want %d %v", name, got.Total, numbers(got.Items), total, want)
		}
	}
	check("pull requests", p.PullRequests, 2, "hello-world!7", "chat-bridge!2")
	check("review requests", p.ReviewRequests, 1, "hello-world!8")
	check("assigned issues", p.AssignedIssues, 4, "hello-world#1", "hello-world#4", "secret-plans#1", "chat-bridge#1")
	if it := p.ReviewRequests.Items[0]; it.Author != "mona" || !slices.Equal(it.Labels, []string{"i18n"}) || it.HTMLURL != s.url+"/octocat/hello-world/pull/8" {
		t.Errorf("review request item = %+v", it)
	}

	public, err := s.as("octocat", "repo").Profile(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	check("assigned issues, public only", public.AssignedIssues, 3, "hello-world#1", "hello-world#4", "chat-bridge#1")
}

func TestRepoAgainstTheStandIn(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	gh := s.as("octocat", "repo")
	card, err := gh.Repo(context.Background(), hello)
	if err != nil {
		t.Fatal(err)
	}
	want := chatops.RepoCard{Repo: hello, Description: card.Description, Visibility: chatops.Public, Stars: 2718, Forks: 314,
		OpenIssues: 5, OpenPulls: 3, DefaultBranch: "main", HTMLURL: s.url + "/octocat/hello-world"}
	rel := card.LatestRelease
	card.LatestRelease = nil
	if card != want || card.Description == "" {
		t.Errorf("card = %+v\nwant %+v", card, want)
	}
	if rel == nil || rel.Tag != "v1.2.0" || rel.Name != "v1.2.0: quieter logs" || rel.Published.IsZero() {
		t.Errorf("latest release = %+v", rel)
	}

	private, err := gh.Repo(context.Background(), secret)
	if err != nil || private.Visibility != chatops.Private || private.OpenIssues != 1 || private.OpenPulls != 0 {
		t.Errorf("private card = %+v, %v", private, err)
	}
	noRelease, err := gh.Repo(context.Background(), bridge)
	if err != nil || noRelease.LatestRelease != nil || noRelease.OpenPulls != 1 || noRelease.OpenIssues != 1 {
		t.Errorf("chat-bridge card = %+v, %v", noRelease, err)
	}
}

func TestIssuesAndPullsAgainstTheStandIn(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	gh := s.as("octocat", "repo")
	ctx := context.Background()
	issues, err := gh.Issues(ctx, hello, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := numbers(issues), []string{"hello-world#1", "hello-world#4", "hello-world#2", "hello-world#3", "hello-world#6"}; !slices.Equal(got, want) {
		t.Errorf("issues = %v, want %v", got, want)
	}
	if it := issues[2]; it.Author != "hubot" || !slices.Equal(it.Labels, []string{"documentation", "good first issue"}) || it.Title != "Document the --verbose flag" {
		t.Errorf("issue = %+v", it)
	}
	if two, err := gh.Issues(ctx, hello, 2); err != nil || len(two) != 2 {
		t.Errorf("two issues = %v, %v", numbers(two), err)
	}
	pulls, err := gh.Pulls(ctx, hello, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := numbers(pulls), []string{"hello-world!7", "hello-world!8", "hello-world!9"}; !slices.Equal(got, want) {
		t.Errorf("pulls = %v, want %v", got, want)
	}
	if pr := pulls[0]; pr.Author != "octocat" || !slices.Equal(pr.Labels, []string{"bug"}) || pr.HTMLURL != s.url+"/octocat/hello-world/pull/7" || pr.Updated.IsZero() {
		t.Errorf("pull = %+v", pr)
	}
}

// Issues past the first page: pull requests fill GitHub's list of issues.
func TestIssuesReadsOnWhenPullRequestsFillThePage(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	s.gh.AddRepo(githubtest.RepoSpec{Owner: "octocat", Name: "busy"})
	for i := range 25 {
		s.gh.AddIssue("octocat", "busy", githubtest.IssueSpec{Title: fmt.Sprint("pull ", i), Author: "mona", Pull: true, Updated: testNow.Add(-time.Duration(i) * time.Minute)})
	}
	s.gh.AddIssue("octocat", "busy", githubtest.IssueSpec{Title: "an old issue", Author: "mona", Updated: testNow.Add(-48 * time.Hour)})
	issues, err := s.as("octocat").Issues(context.Background(), chatops.Repo{Owner: "octocat", Name: "busy"}, 10)
	if err != nil || !slices.Equal(numbers(issues), []string{"busy#26"}) {
		t.Errorf("issues = %v, %v; want the one issue behind 25 pull requests", numbers(issues), err)
	}
}

func TestCreateIssueAgainstTheStandIn(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	body := "First line\n\n    indented code\nlast line  "
	created, err := s.as("octocat", "public_repo").CreateIssue(context.Background(), hello, "From chat", body)
	if err != nil {
		t.Fatal(err)
	}
	if created.Repo != hello || created.Number != 10 || created.HTMLURL != s.url+"/octocat/hello-world/issues/10" {
		t.Errorf("created = %+v", created)
	}
	all := s.gh.Issues("octocat", "hello-world")
	if got := all[len(all)-1]; got.Title != "From chat" || got.Body != body || got.Author != "octocat" {
		t.Errorf("stored issue = %+v", got)
	}
}

func TestSearchAgainstTheStandIn(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	gh := s.as("octocat", "repo")
	ctx := context.Background()
	res, err := gh.Search(ctx, "crash", 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Incomplete || !slices.Equal(numbers(res.Items), []string{"hello-world!7", "hello-world#1"}) {
		t.Errorf("search = %d %v", res.Total, numbers(res.Items))
	}
	if res.Items[0].Repo != hello {
		t.Errorf("item repository = %v", res.Items[0].Repo)
	}
	private, err := gh.Search(ctx, "launch", 10, false)
	if err != nil || private.Total != 1 {
		t.Errorf("private search = %+v, %v", private, err)
	}
	public, err := gh.Search(ctx, "launch", 10, true)
	if err != nil || public.Total != 0 {
		t.Errorf("public-only search = %+v, %v", public, err)
	}
	top, err := gh.Search(ctx, "is:open", 3, false)
	if err != nil || len(top.Items) != 3 || top.Total <= 3 {
		t.Errorf("top 3 = %d %v, %v", top.Total, numbers(top.Items), err)
	}
}

// GitHub refuses a GitHub App user token's search that mixes issues and
// pull requests: the API asks for each and merges.
func TestSearchWithAGitHubAppTokenAsksForEachKind(t *testing.T) {
	s := newStandIn(t, githubtest.Options{GitHubApp: true})
	gh := s.api.For(s.gh.IssueToken("octocat"))
	res, err := gh.Search(context.Background(), "crash", 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || !slices.Equal(numbers(res.Items), []string{"hello-world!7", "hello-world#1"}) {
		t.Errorf("search = %d %v", res.Total, numbers(res.Items))
	}
	if n := s.gh.Requests(githubtest.RouteSearch); n != 2 {
		t.Errorf("%d searches, want 2", n)
	}
	if _, err := gh.Search(context.Background(), "is:pr crash", 10, false); err != nil {
		t.Errorf("typed search: %v", err)
	}
	if n := s.gh.Requests(githubtest.RouteSearch); n != 3 {
		t.Errorf("%d searches, want 3: a typed query is asked once", n)
	}
}

func TestEnterprisePathsAgainstTheStandIn(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	api := New(Config{APIURL: s.url + "/api/v3"})
	card, err := api.For(s.gh.IssueToken("octocat", "repo")).Repo(context.Background(), hello)
	if err != nil || card.OpenPulls != 3 || card.LatestRelease == nil {
		t.Errorf("card via /api/v3 = %+v, %v", card, err)
	}
}

// Every method, against each refusal the stand-in can give.
func TestEveryMethodTurnsRefusalsIntoReasons(t *testing.T) {
	ctx := context.Background()
	type method struct {
		name  string
		route githubtest.Route
		call  func(ctx context.Context, gh chatops.GitHub, r chatops.Repo) error
	}
	methods := []method{
		{"Profile", githubtest.RouteSearch, func(ctx context.Context, gh chatops.GitHub, _ chatops.Repo) error {
			_, err := gh.Profile(ctx, false)
			return err
		}},
		{"Repo", githubtest.RouteRepo, func(ctx context.Context, gh chatops.GitHub, r chatops.Repo) error {
			_, err := gh.Repo(ctx, r)
			return err
		}},
		{"Issues", githubtest.RouteIssues, func(ctx context.Context, gh chatops.GitHub, r chatops.Repo) error {
			_, err := gh.Issues(ctx, r, 10)
			return err
		}},
		{"Pulls", githubtest.RoutePulls, func(ctx context.Context, gh chatops.GitHub, r chatops.Repo) error {
			_, err := gh.Pulls(ctx, r, 10)
			return err
		}},
		{"CreateIssue", githubtest.RouteCreateIssue, func(ctx context.Context, gh chatops.GitHub, r chatops.Repo) error {
			_, err := gh.CreateIssue(ctx, r, "title", "")
			return err
		}},
		{"Search", githubtest.RouteSearch, func(ctx context.Context, gh chatops.GitHub, _ chatops.Repo) error {
			_, err := gh.Search(ctx, "crash", 10, false)
			return err
		}},
	}
	for _, m := range methods {
		search := m.route == githubtest.RouteSearch
		t.Run(m.name+"/revoked token", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			gh := s.as("octocat", "repo")
			s.gh.RevokeAll("octocat")
			is(chatops.ErrUnauthorized)(t, m.call(ctx, gh, hello))
		})
		t.Run(m.name+"/primary rate limit", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			gh := s.as("octocat", "repo")
			resource := "core"
			if search {
				resource = "search"
			}
			s.gh.ExhaustRateLimit("octocat", resource)
			limited(s.gh.RateLimitReset("octocat", resource), search)(t, m.call(ctx, gh, hello))
		})
		t.Run(m.name+"/secondary rate limit", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			s.gh.SecondaryRateLimit(m.route, 90*time.Second)
			limited(testNow.Add(90*time.Second), false)(t, m.call(ctx, s.as("octocat", "repo"), hello))
		})
		t.Run(m.name+"/GitHub failing", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			s.gh.FailNext(m.route, http.StatusBadGateway)
			err := m.call(ctx, s.as("octocat", "repo"), hello)
			if err == nil || !strings.Contains(err.Error(), "502") {
				t.Errorf("err = %v, want the 502", err)
			}
			assertNoReason(t, err)
		})
		t.Run(m.name+"/slow GitHub", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			s.gh.SetFault(m.route, githubtest.Fault{Delay: time.Minute})
			ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			defer cancel()
			err := m.call(ctx, s.as("octocat", "repo"), hello)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want the caller's deadline", err)
			}
		})
		if search {
			continue
		}
		t.Run(m.name+"/private repository of another", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			is(chatops.ErrNotFound)(t, m.call(ctx, s.as("mona", "repo"), secret))
		})
		t.Run(m.name+"/unknown repository", func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			is(chatops.ErrNotFound)(t, m.call(ctx, s.as("octocat", "repo"), chatops.Repo{Owner: "octocat", Name: "nope"}))
		})
	}

	t.Run("CreateIssue/empty title", func(t *testing.T) {
		s := newStandIn(t, githubtest.Options{})
		_, err := s.as("octocat", "repo").CreateIssue(ctx, hello, " ", "body")
		invalid("Validation Failed: title missing_field")(t, err)
	})
	t.Run("CreateIssue/archived", func(t *testing.T) {
		s := newStandIn(t, githubtest.Options{})
		_, err := s.as("octocat", "repo").CreateIssue(ctx, archive, "t", "")
		var fe *chatops.ForbiddenError
		if !errors.As(err, &fe) || !strings.Contains(fe.Message, "archived") {
			t.Errorf("err = %#v, want ForbiddenError", err)
		}
	})
	t.Run("CreateIssue/no public_repo scope", func(t *testing.T) {
		s := newStandIn(t, githubtest.Options{})
		_, err := s.as("octocat", "read:user").CreateIssue(ctx, hello, "t", "")
		is(chatops.ErrNotFound)(t, err)
	})
	t.Run("CreateIssue/GitHub App without issues write", func(t *testing.T) {
		s := newStandIn(t, githubtest.Options{GitHubApp: true, AppPermissions: map[string]string{"issues": "read", "metadata": "read"}})
		_, err := s.api.For(s.gh.IssueToken("octocat")).CreateIssue(ctx, hello, "t", "")
		var na *chatops.NotAccessibleError
		if !errors.As(err, &na) || na.Permission != "issues=write" {
			t.Errorf("err = %#v, want NotAccessibleError{issues=write}", err)
		}
	})
	for _, create := range []bool{false, true} {
		t.Run(fmt.Sprintf("issues disabled, create %v", create), func(t *testing.T) {
			s := newStandIn(t, githubtest.Options{})
			s.gh.AddRepo(githubtest.RepoSpec{Owner: "octocat", Name: "quiet", IssuesDisabled: true})
			gh, quiet := s.as("octocat", "repo"), chatops.Repo{Owner: "octocat", Name: "quiet"}
			var err error
			if create {
				_, err = gh.CreateIssue(ctx, quiet, "t", "")
			} else {
				_, err = gh.Issues(ctx, quiet, 10)
			}
			var fe *chatops.ForbiddenError
			if !errors.As(err, &fe) || fe.Message != "Issues are disabled for this repo" {
				t.Errorf("err = %#v, want ForbiddenError", err)
			}
		})
	}
	t.Run("Search/empty query", func(t *testing.T) {
		s := newStandIn(t, githubtest.Options{})
		_, err := s.as("octocat", "repo").Search(ctx, "", 10, false)
		invalid("Validation Failed: q missing")(t, err)
	})
}

// TestSharedSearchThatEscapesIsNotSent: "(query) is:public" with unbalanced
// parentheses in query would search private repositories on one side of an
// OR; such a query is refused before any request.
func TestSharedSearchThatEscapesIsNotSent(t *testing.T) {
	s := newStandIn(t, githubtest.Options{})
	gh := s.as("octocat", "repo")
	for _, q := range []string{"repo:octocat/secret-plans) OR (repo:octocat/secret-plans", `launch "`, "launch is:private"} {
		_, err := gh.Search(context.Background(), q, 10, true)
		var unshareable *chatops.UnshareableQueryError
		if !errors.As(err, &unshareable) {
			t.Errorf("Search(%q, public only) = %v, want *chatops.UnshareableQueryError", q, err)
		}
	}
	if n := s.gh.Requests(githubtest.RouteSearch); n != 0 {
		t.Fatalf("%d searches sent, want none", n)
	}
}
