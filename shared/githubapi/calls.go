package githubapi

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-github/v84/github"

	"rcgithub/shared/chatops"
)

// profileItems is how many of each list "me" shows.
const profileItems = 5

// maxPerPage is the most GitHub returns in one page.
const maxPerPage = 100

// Profile returns the user (GET /user) and three searches: open pull requests
// authored, open pull requests requesting the user's review, open issues
// assigned; each sorted by last update, five items and total_count.
// The four calls run at once: the webhook's deadline is short.
func (c *client) Profile(ctx context.Context, publicOnly bool) (chatops.Profile, error) {
	if c.badURL != nil {
		return chatops.Profile{}, c.badURL
	}
	queries := [3]string{
		"is:open is:pr author:@me",
		"is:open is:pr review-requested:@me",
		"is:open is:issue assignee:@me",
	}
	var (
		user  *github.User
		lists [3]chatops.WorkList
		errs  [4]error
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		var err error
		user, _, err = c.gh.Users.Get(ctx, "")
		errs[0] = classify("get user", err, c.now())
	})
	for i, q := range queries {
		if publicOnly {
			q += " is:public"
		}
		wg.Go(func() {
			res, err := c.search(ctx, q, github.SearchOptions{Sort: "updated", Order: "desc",
				ListOptions: github.ListOptions{PerPage: profileItems}})
			if err != nil {
				errs[i+1] = err
				return
			}
			lists[i] = chatops.WorkList{Total: res.Total, Items: res.Items}
		})
	}
	wg.Wait()
	if err := firstError(errs[:]); err != nil {
		return chatops.Profile{}, err
	}
	return chatops.Profile{
		Login: user.GetLogin(), Name: user.GetName(), HTMLURL: user.GetHTMLURL(),
		PullRequests: lists[0], ReviewRequests: lists[1], AssignedIssues: lists[2],
	}, nil
}

// Repo returns the card of r: the repository, its count of open pull
// requests and its latest release, fetched at once.
//
// The pull requests are counted by listing them one per page and reading the
// last page's number from the Link header, not by a search (repo:o/r is:pr
// is:open): a list costs one request of the 5000-an-hour core limit where a
// search would spend one of only 30 a minute, and it is exact where the search
// index may lag. GitHub's open_issues_count counts pull requests too, so they
// are taken off it.
func (c *client) Repo(ctx context.Context, r chatops.Repo) (chatops.RepoCard, error) {
	if c.badURL != nil {
		return chatops.RepoCard{}, c.badURL
	}
	var (
		repo    *github.Repository
		pulls   int
		release *chatops.Release
		errs    [3]error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		var err error
		repo, _, err = c.gh.Repositories.Get(ctx, r.Owner, r.Name)
		errs[0] = classify("get repository", err, c.now())
	})
	wg.Go(func() {
		list, resp, err := c.gh.PullRequests.List(ctx, r.Owner, r.Name, &github.PullRequestListOptions{
			State: "open", ListOptions: github.ListOptions{PerPage: 1}})
		if err != nil {
			errs[1] = classify("list pull requests", err, c.now())
			return
		}
		pulls = len(list)
		if resp.LastPage > 0 {
			pulls = resp.LastPage // one per page: the last page's number is the count
		}
	})
	wg.Go(func() {
		rel, _, err := c.gh.Repositories.GetLatestRelease(ctx, r.Owner, r.Name)
		if err != nil {
			if err = classify("get latest release", err, c.now()); !errors.Is(err, chatops.ErrNotFound) {
				errs[2] = err
			}
			return // 404: no release yet
		}
		release = &chatops.Release{Tag: rel.GetTagName(), Name: rel.GetName(), HTMLURL: rel.GetHTMLURL(),
			Published: rel.GetPublishedAt().Time}
	})
	wg.Wait()
	// The repository's own answer decides first: a 404 there means the
	// repository is unknown or hidden, whatever the other two said.
	if err := firstError(errs[:]); err != nil {
		return chatops.RepoCard{}, err
	}
	visibility := chatops.Visibility(repo.GetVisibility())
	if visibility == "" { // older Enterprise Servers: private only
		visibility = chatops.Public
		if repo.GetPrivate() {
			visibility = chatops.Private
		}
	}
	return chatops.RepoCard{
		Repo:          chatops.Repo{Owner: repo.GetOwner().GetLogin(), Name: repo.GetName()},
		Description:   repo.GetDescription(),
		Visibility:    visibility,
		Stars:         repo.GetStargazersCount(),
		Forks:         repo.GetForksCount(),
		OpenIssues:    max(repo.GetOpenIssuesCount()-pulls, 0),
		OpenPulls:     pulls,
		DefaultBranch: repo.GetDefaultBranch(),
		LatestRelease: release,
		HTMLURL:       repo.GetHTMLURL(),
	}, nil
}

// Issues returns the n most recently updated open issues of r. GitHub's list
// of issues includes pull requests; they are dropped, so a page holds n plus
// room for them, and more pages are read while it is short.
func (c *client) Issues(ctx context.Context, r chatops.Repo, n int) ([]chatops.Item, error) {
	if c.badURL != nil {
		return nil, c.badURL
	}
	n = clampItems(n)
	opts := &github.IssueListByRepoOptions{State: "open", Sort: "updated", Direction: "desc",
		ListOptions: github.ListOptions{PerPage: min(2*n, maxPerPage)}}
	var items []chatops.Item
	// A bounded number of pages: a repository with hundreds of open pull
	// requests and few issues would otherwise cost a request per 100 of them.
	for range 3 {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, r.Owner, r.Name, opts)
		if err != nil {
			return nil, classify("list issues", err, c.now())
		}
		for _, is := range page {
			if is.IsPullRequest() {
				continue
			}
			items = append(items, itemOf(is, r))
			if len(items) == n {
				return items, nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.ListOptions.Page = resp.NextPage
	}
	return items, nil
}

// Pulls returns the n most recently updated open pull requests of r.
func (c *client) Pulls(ctx context.Context, r chatops.Repo, n int) ([]chatops.Item, error) {
	if c.badURL != nil {
		return nil, c.badURL
	}
	list, _, err := c.gh.PullRequests.List(ctx, r.Owner, r.Name, &github.PullRequestListOptions{
		State: "open", Sort: "updated", Direction: "desc",
		ListOptions: github.ListOptions{PerPage: clampItems(n)}})
	if err != nil {
		return nil, classify("list pull requests", err, c.now())
	}
	items := make([]chatops.Item, 0, len(list))
	for _, pr := range list {
		labels := make([]string, 0, len(pr.Labels))
		for _, l := range pr.Labels {
			labels = append(labels, l.GetName())
		}
		items = append(items, chatops.Item{Repo: r, Number: pr.GetNumber(), Title: pr.GetTitle(),
			Author: pr.GetUser().GetLogin(), Labels: labels, HTMLURL: pr.GetHTMLURL(), IsPull: true,
			Updated: pr.GetUpdatedAt().Time})
	}
	return items, nil
}

// CreateIssue opens an issue in r as the user.
func (c *client) CreateIssue(ctx context.Context, r chatops.Repo, title, body string) (chatops.Created, error) {
	if c.badURL != nil {
		return chatops.Created{}, c.badURL
	}
	req := &github.IssueRequest{Title: &title}
	if body != "" {
		req.Body = &body
	}
	is, _, err := c.gh.Issues.Create(ctx, r.Owner, r.Name, req)
	if err != nil {
		return chatops.Created{}, classify("create issue", err, c.now())
	}
	return chatops.Created{Repo: r, Number: is.GetNumber(), HTMLURL: is.GetHTMLURL()}, nil
}

// typeQualifier finds a qualifier that restricts a search to issues or to
// pull requests.
var typeQualifier = regexp.MustCompile(`(?i)(^|[\s(])(is|type):(issue|pr|pull-request|pull_request)\b`)

// Search returns the first n issues and pull requests matching query, with
// advanced search (GET /search/issues?advanced_search=true, what GitHub's REST
// description documents for issues and pull requests since the plain search
// was deprecated in 2025: boolean AND/OR and parentheses).
//
// GitHub refuses (422) a search by a GitHub App user token that does not
// say is:issue or is:pr; for such a token and query both are searched and
// merged, most recently updated first, totals added.
func (c *client) Search(ctx context.Context, query string, n int, publicOnly bool) (chatops.SearchResult, error) {
	if c.badURL != nil {
		return chatops.SearchResult{}, c.badURL
	}
	if publicOnly {
		// The wrapper holds only if query is one group by itself: a query
		// such as "repo:o/secret) OR (repo:o/secret" would otherwise take
		// is:public off one side of its OR. The service checks first; this
		// adapter, which writes the wrapper, checks again.
		if err := chatops.CheckShareableQuery(query); err != nil {
			return chatops.SearchResult{}, err
		}
		query = "(" + query + ") is:public"
	}
	opts := github.SearchOptions{ListOptions: github.ListOptions{PerPage: clampItems(n)}}
	if !c.appToken || typeQualifier.MatchString(query) {
		return c.search(ctx, query, opts)
	}
	var (
		results [2]chatops.SearchResult
		errs    [2]error
		wg      sync.WaitGroup
	)
	for i, kind := range []string{"is:issue", "is:pr"} {
		wg.Go(func() { results[i], errs[i] = c.search(ctx, "("+query+") "+kind, opts) })
	}
	wg.Wait()
	if err := firstError(errs[:]); err != nil {
		return chatops.SearchResult{}, err
	}
	merged := chatops.SearchResult{Total: results[0].Total + results[1].Total,
		Items:      append(results[0].Items, results[1].Items...),
		Incomplete: results[0].Incomplete || results[1].Incomplete}
	slices.SortStableFunc(merged.Items, func(a, b chatops.Item) int { return b.Updated.Compare(a.Updated) })
	merged.Items = merged.Items[:min(len(merged.Items), opts.PerPage)]
	return merged, nil
}

// search runs one advanced search of issues and pull requests. opts is a
// copy: searches run at once.
func (c *client) search(ctx context.Context, query string, opts github.SearchOptions) (chatops.SearchResult, error) {
	opts.AdvancedSearch = github.Ptr(true)
	res, _, err := c.gh.Search.Issues(ctx, query, &opts)
	if err != nil {
		return chatops.SearchResult{}, classify("search", err, c.now())
	}
	items := make([]chatops.Item, 0, len(res.Issues))
	for _, is := range res.Issues {
		items = append(items, itemOf(is, repoOf(is.GetRepositoryURL())))
	}
	return chatops.SearchResult{Total: res.GetTotal(), Items: items, Incomplete: res.GetIncompleteResults()}, nil
}

// itemOf is an issue or pull request of GitHub's issue list or search.
func itemOf(is *github.Issue, r chatops.Repo) chatops.Item {
	labels := make([]string, 0, len(is.Labels))
	for _, l := range is.Labels {
		labels = append(labels, l.GetName())
	}
	return chatops.Item{Repo: r, Number: is.GetNumber(), Title: is.GetTitle(), Author: is.GetUser().GetLogin(),
		Labels: labels, HTMLURL: is.GetHTMLURL(), IsPull: is.IsPullRequest(), Updated: is.GetUpdatedAt().Time}
}

// repoOf reads owner and name from an item's repository_url
// (".../repos/OWNER/NAME"), which search results carry instead of a repository.
func repoOf(repositoryURL string) chatops.Repo {
	u, err := url.Parse(repositoryURL)
	if err != nil {
		return chatops.Repo{}
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 3 || parts[len(parts)-3] != "repos" {
		return chatops.Repo{}
	}
	owner, _ := url.PathUnescape(parts[len(parts)-2])
	name, _ := url.PathUnescape(parts[len(parts)-1])
	return chatops.Repo{Owner: owner, Name: name}
}

// clampItems keeps n within what one page can hold.
func clampItems(n int) int {
	return cmp.Or(min(max(n, 0), maxPerPage), 1)
}

// firstError returns the first error in order: the order of the calls says
// which reason the user hears.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
