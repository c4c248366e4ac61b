package chatops

import "time"

// Repo names a GitHub repository.
type Repo struct {
	Owner string
	Name  string
}

// String returns "owner/name".
func (r Repo) String() string { return r.Owner + "/" + r.Name }

// Item is an issue or a pull request in a list.
type Item struct {
	Repo    Repo
	Number  int
	Title   string
	Author  string
	Labels  []string
	HTMLURL string
	IsPull  bool
	Updated time.Time
}

// WorkList is the most recent few of a longer list, and its length.
type WorkList struct {
	Total int
	Items []Item
}

// Profile is what "me" shows.
type Profile struct {
	Login          string
	Name           string
	HTMLURL        string
	PullRequests   WorkList // open, authored by the user
	ReviewRequests WorkList // open pull requests that request the user's review
	AssignedIssues WorkList // open issues assigned to the user
}

// Visibility of a repository, as GitHub reports it.
type Visibility string

// The visibilities GitHub reports.
const (
	Public   Visibility = "public"
	Private  Visibility = "private"
	Internal Visibility = "internal" // Enterprise: visible to the enterprise's members
)

// RepoCard is what "<owner>/<repo>" shows.
type RepoCard struct {
	Repo          Repo
	Description   string
	Visibility    Visibility
	Stars         int
	Forks         int
	OpenIssues    int // open issues, pull requests not counted
	OpenPulls     int
	DefaultBranch string
	LatestRelease *Release // nil when there is none
	HTMLURL       string
}

// Release is a repository's latest release.
type Release struct {
	Tag       string
	Name      string
	HTMLURL   string
	Published time.Time
}

// SearchResult is the first page of a search.
type SearchResult struct {
	Total int
	Items []Item
	// Incomplete is GitHub's incomplete_results: the search timed out and
	// Total and Items may be short.
	Incomplete bool
}

// Created is an issue the service opened.
type Created struct {
	Repo    Repo
	Number  int
	HTMLURL string
}
