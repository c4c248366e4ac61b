package githubtest

import (
	"slices"
	"strings"
	"time"
)

// This file is the stand-in's world: repositories with their issues, pull
// requests and releases, which the REST routes in repos.go and search.go
// serve. Tests build one with AddRepo, AddIssue and AddRelease; Seed makes
// the sandbox's.

// SandboxUser is the login the sandbox's world is made for: the consent
// page proposes it, and it owns the private repository.
const SandboxUser = defaultLogin

// RepoSpec describes a repository to add.
type RepoSpec struct {
	Owner, Name   string
	Description   string
	Private       bool
	Stars, Forks  int
	DefaultBranch string // default "main"
	Language      string
	// Collaborators may see a private repository besides its owner.
	Collaborators []string
	// IssuesDisabled makes its issues answer 410 Gone, as GitHub does.
	IssuesDisabled bool
	// Archived makes it read-only: creating an issue answers 403.
	Archived bool
}

// IssueSpec describes an issue or a pull request to add; Issues returns them
// with Number set.
type IssueSpec struct {
	Number    int // set by the stand-in
	Title     string
	Body      string
	Author    string
	Labels    []string
	Assignees []string
	Reviewers []string // pull requests: logins whose review is requested
	Pull      bool
	Closed    bool
	Created   time.Time // default: the stand-in's now
	Updated   time.Time // default: Created
}

// repository is a repository of the world. Fields are guarded by s.mu.
type repository struct {
	spec     RepoSpec
	id       int64
	created  time.Time
	issues   []*issue // issues and pull requests, by number - 1
	releases []release
}

type issue struct {
	IssueSpec
	id int64
}

type release struct {
	id        int64
	tag, name string
	author    string
	published time.Time
}

// repoKey is how repositories are found: GitHub's names are case-insensitive.
func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// AddRepo adds a repository, replacing one of the same name.
func (s *Server) AddRepo(spec RepoSpec) {
	if spec.DefaultBranch == "" {
		spec.DefaultBranch = "main"
	}
	spec.Collaborators = slices.Clone(spec.Collaborators)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.repos[repoKey(spec.Owner, spec.Name)] = &repository{spec: spec, id: s.nextID, created: s.now()}
}

// AddIssue adds an issue or pull request to owner/name and returns its
// number; 0 if there is no such repository.
func (s *Server) AddIssue(owner, name string, spec IssueSpec) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return 0
	}
	return s.addIssueLocked(repo, spec).Number
}

// addIssueLocked numbers spec in repo and stores it. Callers hold s.mu.
func (s *Server) addIssueLocked(repo *repository, spec IssueSpec) *issue {
	if spec.Created.IsZero() {
		spec.Created = s.now()
	}
	if spec.Updated.IsZero() {
		spec.Updated = spec.Created
	}
	spec.Number = len(repo.issues) + 1
	spec.Labels, spec.Assignees, spec.Reviewers = slices.Clone(spec.Labels), slices.Clone(spec.Assignees), slices.Clone(spec.Reviewers)
	s.nextID++
	is := &issue{IssueSpec: spec, id: s.nextID}
	repo.issues = append(repo.issues, is)
	return is
}

// AddRelease publishes a release of owner/name; the latest is the one
// published last. It reports whether the repository exists.
func (s *Server) AddRelease(owner, name, tag, title string, published time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return false
	}
	s.nextID++
	repo.releases = append(repo.releases, release{id: s.nextID, tag: tag, name: title, author: repo.spec.Owner, published: published})
	return true
}

// Issues returns the issues and pull requests of owner/name, by number.
func (s *Server) Issues(owner, name string) []IssueSpec {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, ok := s.repos[repoKey(owner, name)]
	if !ok {
		return nil
	}
	out := make([]IssueSpec, len(repo.issues))
	for i, is := range repo.issues {
		out[i] = is.IssueSpec
		out[i].Labels, out[i].Assignees, out[i].Reviewers = slices.Clone(is.Labels), slices.Clone(is.Assignees), slices.Clone(is.Reviewers)
	}
	return out
}

// Seed makes the sandbox's world, for SandboxUser (octocat):
//
//   - octocat/hello-world, public: five open issues (two assigned to
//     octocat), three open pull requests (one by octocat, one asking for
//     octocat's review), a closed issue, labels, and release v1.2.0;
//   - octocat/secret-plans, private: visible only to octocat with the repo
//     scope (404 to anyone else), one issue;
//   - sandbox-org/chat-bridge, public, collaborative: an issue assigned to
//     octocat, a pull request by octocat;
//   - sandbox-org/archive, public and archived: creating an issue there
//     answers 403.
//
// So that every chat command has a plausible answer: /github me, a card,
// issues, pulls, a new issue, search, and the refusals.
func (s *Server) Seed() {
	day := func(n int) time.Time { return s.now().Add(-time.Duration(n) * 24 * time.Hour) }
	const me = SandboxUser
	s.AddRepo(RepoSpec{Owner: me, Name: "hello-world", Description: "My first repository on GitHub, with issues and pull requests to play with.",
		Stars: 2718, Forks: 314, Language: "Go"})
	for _, is := range []IssueSpec{
		{Title: "Crash when the config file is empty", Body: "Steps: create an empty config.yaml, run `hello`.", Author: "mona", Labels: []string{"bug"}, Assignees: []string{me}, Created: day(30), Updated: day(1)},
		{Title: "Document the --verbose flag", Author: "hubot", Labels: []string{"documentation", "good first issue"}, Created: day(20), Updated: day(3)},
		{Title: "Add a dark theme", Body: "The page is too bright at night.", Author: "mona", Labels: []string{"enhancement"}, Created: day(18), Updated: day(5)},
		{Title: "Greeting is not translated into German", Author: "hubot", Labels: []string{"bug", "i18n"}, Assignees: []string{me}, Created: day(15), Updated: day(2)},
		{Title: "Old build badge in the README", Author: "mona", Closed: true, Created: day(40), Updated: day(35)},
		{Title: "Support Windows line endings", Author: "monalisa", Labels: []string{"enhancement"}, Created: day(10), Updated: day(8)},
		{Title: "Fix the crash on an empty config", Body: "Fixes #1.", Author: me, Labels: []string{"bug"}, Pull: true, Created: day(2), Updated: day(0)},
		{Title: "Translate the greeting into German", Author: "mona", Labels: []string{"i18n"}, Reviewers: []string{me}, Pull: true, Created: day(4), Updated: day(1)},
		{Title: "Bump the Go version", Author: "dependabot", Labels: []string{"dependencies"}, Pull: true, Created: day(6), Updated: day(6)},
	} {
		s.AddIssue(me, "hello-world", is)
	}
	s.AddRelease(me, "hello-world", "v1.1.0", "v1.1.0", day(60))
	s.AddRelease(me, "hello-world", "v1.2.0", "v1.2.0: quieter logs", day(9))

	s.AddRepo(RepoSpec{Owner: me, Name: "secret-plans", Description: "Private: only octocat sees it.", Private: true, Language: "Markdown"})
	s.AddIssue(me, "secret-plans", IssueSpec{Title: "Plan the launch party", Author: me, Assignees: []string{me}, Labels: []string{"planning"}, Created: day(7), Updated: day(4)})

	s.AddRepo(RepoSpec{Owner: "sandbox-org", Name: "chat-bridge", Description: "Bridges chat rooms and repositories.", Stars: 42, Forks: 7,
		Language: "TypeScript", Collaborators: []string{me}})
	s.AddIssue("sandbox-org", "chat-bridge", IssueSpec{Title: "Rooms with more than 1000 members time out", Author: "mona", Labels: []string{"bug", "performance"}, Assignees: []string{me}, Created: day(12), Updated: day(6)})
	s.AddIssue("sandbox-org", "chat-bridge", IssueSpec{Title: "Retry failed deliveries", Author: me, Labels: []string{"enhancement"}, Pull: true, Reviewers: []string{"mona"}, Created: day(3), Updated: day(2)})

	s.AddRepo(RepoSpec{Owner: "sandbox-org", Name: "archive", Description: "Read-only: archived in 2024.", Stars: 3, Archived: true})
	s.AddIssue("sandbox-org", "archive", IssueSpec{Title: "Last known issue", Author: "hubot", Created: day(400), Updated: day(400)})
}
