package chatops_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

var (
	alice   = session.Key{Site: "https://chat.example.com", UserID: "u1"}
	hello   = chatops.Repo{Owner: "octocat", Name: "hello"}
	now     = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	limited = &chatops.RateLimitedError{Until: now.Add(time.Hour)}
	// errStoreDown is the session store failing.
	errStoreDown = errors.New("store down")
)

type fixture struct {
	svc      *chatops.Service
	sessions *fakeSessions
	gh       *fakeGitHub
	claims   *fakeClaims
}

// newFixture is alice's session with scopes (nil: a GitHub App token) and a
// GitHub whose repositories have visibility vis.
func newFixture(scopes []string, vis chatops.Visibility) *fixture {
	f := &fixture{
		sessions: &fakeSessions{token: session.UserToken{
			Session: session.Session{Key: alice, Generation: 7, Scopes: scopes}, Token: "gho_secret"}},
		gh: &fakeGitHub{card: chatops.RepoCard{Visibility: vis},
			items:   []chatops.Item{{Number: 1, Title: "one"}},
			created: chatops.Created{Number: 42, HTMLURL: "https://github.com/octocat/hello/issues/42"}},
		claims: &fakeClaims{},
	}
	f.svc = &chatops.Service{Sessions: f.sessions, Claims: f.claims, Now: func() time.Time { return now },
		Connect: func(token string) chatops.GitHub { f.gh.token = token; return f.gh }}
	return f
}

// checkErr reports whether err is want: by errors.Is for sentinels, by type
// for the error types.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
	case *chatops.NeedsScopeError:
		var got *chatops.NeedsScopeError
		if !errors.As(err, &got) || got.Scope != w.Scope {
			t.Fatalf("error = %v, want %v", err, want)
		}
	case *chatops.NotShareableError:
		var got *chatops.NotShareableError
		if !errors.As(err, &got) || *got != *w {
			t.Fatalf("error = %v, want %v", err, want)
		}
	default:
		if !errors.Is(err, want) && !sameType(err, want) {
			t.Fatalf("error = %v, want %v", err, want)
		}
	}
}

func sameType(err, want error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e == want {
			return true
		}
	}
	return false
}

func TestReadCommands(t *testing.T) {
	notFound := chatops.ErrNotFound
	tests := []struct {
		name       string
		vis        chatops.Visibility
		errs       map[string]error
		sessionErr error
		publicOnly bool
		run        func(*chatops.Service) error
		want       error
		calls      map[string]int // GitHub calls expected
		rejected   bool           // the session is ended for a 401
	}{
		{name: "me", run: me, calls: map[string]int{"Profile": 1}},
		{name: "me shared asks public only", publicOnly: true, run: meShared, calls: map[string]int{"Profile": 1}},
		{name: "me not logged in", sessionErr: session.ErrNotFound, run: me, want: session.ErrNotFound, calls: map[string]int{}},
		{name: "me with the store down", sessionErr: errStoreDown, run: me, want: errStoreDown, calls: map[string]int{}},
		{name: "me after refresh refused", sessionErr: session.ErrEndedAtGitHub, run: me, want: session.ErrEndedAtGitHub, calls: map[string]int{}},
		{name: "me 401 ends the session", errs: map[string]error{"Profile": chatops.ErrUnauthorized}, run: me,
			want: session.ErrEndedAtGitHub, calls: map[string]int{"Profile": 1}, rejected: true},
		{name: "me rate limited", errs: map[string]error{"Profile": limited}, run: me, want: limited, calls: map[string]int{"Profile": 1}},
		{name: "repo", vis: chatops.Private, run: repo, calls: map[string]int{"Repo": 1}},
		{name: "repo unknown", errs: map[string]error{"Repo": notFound}, run: repo, want: notFound, calls: map[string]int{"Repo": 1}},
		{name: "repo 401", errs: map[string]error{"Repo": chatops.ErrUnauthorized}, run: repo,
			want: session.ErrEndedAtGitHub, calls: map[string]int{"Repo": 1}, rejected: true},
		{name: "share public repo", vis: chatops.Public, run: repoShared, calls: map[string]int{"Repo": 1}},
		{name: "share private repo refused", vis: chatops.Private, run: repoShared,
			want: &chatops.NotShareableError{Repo: hello, Visibility: chatops.Private}, calls: map[string]int{"Repo": 1}},
		{name: "share internal repo refused", vis: chatops.Internal, run: repoShared,
			want: &chatops.NotShareableError{Repo: hello, Visibility: chatops.Internal}, calls: map[string]int{"Repo": 1}},
		{name: "share repo of unknown visibility refused", vis: "", run: repoShared,
			want: &chatops.NotShareableError{Repo: hello, Visibility: chatops.Private}, calls: map[string]int{"Repo": 1}},
		{name: "issues", vis: chatops.Private, run: issues, calls: map[string]int{"Issues": 1}},
		{name: "issues unknown repo", errs: map[string]error{"Issues": notFound}, run: issues, want: notFound, calls: map[string]int{"Issues": 1}},
		{name: "issues 401", errs: map[string]error{"Issues": chatops.ErrUnauthorized}, run: issues,
			want: session.ErrEndedAtGitHub, calls: map[string]int{"Issues": 1}, rejected: true},
		{name: "share issues of public repo", vis: chatops.Public, run: issuesShared, calls: map[string]int{"Repo": 1, "Issues": 1}},
		{name: "share issues of private repo refused before listing", vis: chatops.Private, run: issuesShared,
			want: &chatops.NotShareableError{Repo: hello, Visibility: chatops.Private}, calls: map[string]int{"Repo": 1}},
		{name: "pulls", run: pulls, calls: map[string]int{"Pulls": 1}},
		{name: "pulls forbidden", errs: map[string]error{"Pulls": &chatops.ForbiddenError{Message: "blocked"}}, run: pulls,
			want: nil, calls: map[string]int{"Pulls": 1}},
		{name: "share pulls of internal repo refused", vis: chatops.Internal, run: pullsShared,
			want: &chatops.NotShareableError{Repo: hello, Visibility: chatops.Internal}, calls: map[string]int{"Repo": 1}},
		{name: "search", run: search, calls: map[string]int{"Search": 1}},
		{name: "search shared asks public only", publicOnly: true, run: searchShared, calls: map[string]int{"Search": 1}},
		{name: "search empty", run: func(s *chatops.Service) error {
			_, err := s.Search(context.Background(), alice, "  ", false)
			return err
		}, want: chatops.ErrEmptyQuery, calls: map[string]int{}},
		{name: "search rate limited", errs: map[string]error{"Search": &chatops.RateLimitedError{Until: now, Search: true}},
			run: search, want: nil, calls: map[string]int{"Search": 1}},
		{name: "search 401", errs: map[string]error{"Search": chatops.ErrUnauthorized}, run: search,
			want: session.ErrEndedAtGitHub, calls: map[string]int{"Search": 1}, rejected: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture([]string{"read:user"}, tt.vis)
			f.gh.errs = tt.errs
			f.sessions.err = tt.sessionErr
			err := tt.run(f.svc)
			if tt.want == nil && tt.errs != nil && len(tt.errs) > 0 {
				// GitHub's own error comes back as it is, wrapped.
				for _, e := range tt.errs {
					if !errors.Is(err, e) {
						t.Fatalf("error = %v, want %v", err, e)
					}
				}
			} else {
				checkErr(t, err, tt.want)
			}
			for name, n := range tt.calls {
				if got := f.gh.count(name); got != n {
					t.Errorf("%s calls = %d, want %d", name, got, n)
				}
			}
			for _, name := range []string{"Profile", "Repo", "Issues", "Pulls", "Search", "CreateIssue"} {
				if _, ok := tt.calls[name]; !ok && f.gh.count(name) != 0 {
					t.Errorf("%s called %d times, want never", name, f.gh.count(name))
				}
			}
			if got := len(f.sessions.rejected) > 0; got != tt.rejected {
				t.Errorf("session ended = %v, want %v", got, tt.rejected)
			} else if tt.rejected && f.sessions.rejected[0] != 7 {
				t.Errorf("ended generation %d, want 7", f.sessions.rejected[0])
			}
			if f.gh.count("Issues")+f.gh.count("Pulls")+f.gh.count("Search") > 0 && f.gh.lastN != chatops.ListSize {
				t.Errorf("asked for %d items, want %d", f.gh.lastN, chatops.ListSize)
			}
			if f.gh.count("Profile")+f.gh.count("Search") > 0 && f.gh.lastPublicOnly != tt.publicOnly {
				t.Errorf("publicOnly = %v, want %v", f.gh.lastPublicOnly, tt.publicOnly)
			}
			if f.gh.calls != nil && f.gh.token != "gho_secret" {
				t.Errorf("GitHub called with token %q, want the session's", f.gh.token)
			}
		})
	}
}

func me(s *chatops.Service) error { _, err := s.Me(context.Background(), alice, false); return err }
func meShared(s *chatops.Service) error {
	_, err := s.Me(context.Background(), alice, true)
	return err
}
func repo(s *chatops.Service) error {
	_, err := s.Repo(context.Background(), alice, hello, false)
	return err
}
func repoShared(s *chatops.Service) error {
	_, err := s.Repo(context.Background(), alice, hello, true)
	return err
}
func issues(s *chatops.Service) error {
	_, err := s.Issues(context.Background(), alice, hello, false)
	return err
}
func issuesShared(s *chatops.Service) error {
	_, err := s.Issues(context.Background(), alice, hello, true)
	return err
}
func pulls(s *chatops.Service) error {
	_, err := s.Pulls(context.Background(), alice, hello, false)
	return err
}
func pullsShared(s *chatops.Service) error {
	_, err := s.Pulls(context.Background(), alice, hello, true)
	return err
}
func search(s *chatops.Service) error {
	_, err := s.Search(context.Background(), alice, "is:open bug", false)
	return err
}
func searchShared(s *chatops.Service) error {
	_, err := s.Search(context.Background(), alice, "is:open bug", true)
	return err
}

func TestCreateIssue(t *testing.T) {
	req := chatops.IssueRequest{MessageID: "m1", Repo: hello, Title: "  Crash on start ", Body: "Steps:\n  1. run\n\n  2. see"}
	tests := []struct {
		name       string
		scopes     []string
		vis        chatops.Visibility
		title      string
		publicOnly bool
		errs       map[string]error
		want       error
		calls      map[string]int
		kept       bool // the claim stays (completed) rather than released
		rejected   bool
	}{
		{name: "oauth public_repo on public repo", scopes: []string{"read:user", "public_repo"}, vis: chatops.Public,
			calls: map[string]int{"Repo": 1, "CreateIssue": 1}, kept: true},
		{name: "oauth repo covers every repo without asking", scopes: []string{"repo"}, vis: chatops.Private,
			calls: map[string]int{"CreateIssue": 1}, kept: true},
		{name: "oauth read:user on public repo needs public_repo", scopes: []string{"read:user"}, vis: chatops.Public,
			want: &chatops.NeedsScopeError{Scope: "public_repo"}, calls: map[string]int{"Repo": 1}},
		{name: "oauth public_repo on private repo needs repo", scopes: []string{"public_repo"}, vis: chatops.Private,
			want: &chatops.NeedsScopeError{Scope: "repo"}, calls: map[string]int{"Repo": 1}},
		{name: "oauth public_repo on internal repo needs repo", scopes: []string{"public_repo"}, vis: chatops.Internal,
			want: &chatops.NeedsScopeError{Scope: "repo"}, calls: map[string]int{"Repo": 1}},
		{name: "oauth with no scopes at all needs public_repo", scopes: []string{}, vis: chatops.Public,
			want: &chatops.NeedsScopeError{Scope: "public_repo"}, calls: map[string]int{"Repo": 1}},
		{name: "oauth repo unknown", scopes: []string{"public_repo"}, errs: map[string]error{"Repo": chatops.ErrNotFound},
			calls: map[string]int{"Repo": 1}},
		{name: "github app relies on GitHub", scopes: nil, vis: chatops.Private,
			calls: map[string]int{"CreateIssue": 1}, kept: true},
		{name: "github app lacking issues permission", scopes: nil,
			errs:  map[string]error{"CreateIssue": &chatops.NotAccessibleError{Permission: "issues=write"}},
			calls: map[string]int{"CreateIssue": 1}},
		{name: "empty title", scopes: nil, title: " \t", want: chatops.ErrEmptyTitle, calls: map[string]int{}},
		{name: "github refuses the input", scopes: nil, errs: map[string]error{"CreateIssue": &chatops.InvalidError{Message: "title"}},
			calls: map[string]int{"CreateIssue": 1}},
		{name: "github unreachable", scopes: nil, errs: map[string]error{"CreateIssue": &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}},
			calls: map[string]int{"CreateIssue": 1}},
		{name: "401 ends the session", scopes: nil, errs: map[string]error{"CreateIssue": chatops.ErrUnauthorized},
			want: session.ErrEndedAtGitHub, calls: map[string]int{"CreateIssue": 1}, rejected: true},
		{name: "shared into a room: public repo", scopes: nil, vis: chatops.Public, publicOnly: true,
			calls: map[string]int{"Repo": 1, "CreateIssue": 1}, kept: true},
		{name: "shared into a room: private repo refused", scopes: []string{"repo"}, vis: chatops.Private, publicOnly: true,
			want: &chatops.NotShareableError{Repo: hello, Visibility: chatops.Private}, calls: map[string]int{"Repo": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(tt.scopes, tt.vis)
			f.gh.errs = tt.errs
			r := req
			if tt.title != "" {
				r.Title = tt.title
			}
			created, err := f.svc.CreateIssue(context.Background(), alice, r, tt.publicOnly)
			switch {
			case tt.want != nil:
				checkErr(t, err, tt.want)
			case tt.errs != nil:
				for _, e := range tt.errs {
					if !errors.Is(err, e) {
						t.Fatalf("error = %v, want %v", err, e)
					}
				}
			default:
				checkErr(t, err, nil)
				if created.Number != 42 || created.Repo != hello {
					t.Errorf("created = %+v", created)
				}
				if f.gh.lastTitle != "Crash on start" || f.gh.lastBody != req.Body {
					t.Errorf("sent title %q body %q, want the title trimmed and the body as typed", f.gh.lastTitle, f.gh.lastBody)
				}
			}
			for _, name := range []string{"Repo", "CreateIssue"} {
				if got := f.gh.count(name); got != tt.calls[name] {
					t.Errorf("%s calls = %d, want %d", name, got, tt.calls[name])
				}
			}
			c, ok := f.claims.get(alice, "m1")
			if ok != tt.kept {
				t.Fatalf("claim kept = %v, want %v (released %d)", ok, tt.kept, f.claims.released)
			}
			if ok && (c.Created.Number != 42 || !c.Expires.Equal(now.Add(chatops.ClaimTTL)) || c.Repo != hello) {
				t.Errorf("claim = %+v, want completed with issue 42, expiring after ClaimTTL", c)
			}
			if got := len(f.sessions.rejected) > 0; got != tt.rejected {
				t.Errorf("session ended = %v, want %v", got, tt.rejected)
			}
		})
	}
}

// TestCreateIssueOncePerMessage: a re-delivered message gets the same issue,
// one arriving while the first is being created is told so, and a message
// whose creation failed may try again.
func TestCreateIssueOncePerMessage(t *testing.T) {
	ctx := context.Background()
	req := chatops.IssueRequest{MessageID: "m1", Repo: hello, Title: "t"}

	f := newFixture(nil, chatops.Public)
	first, err := f.svc.CreateIssue(ctx, alice, req, false)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.CreateIssue(ctx, alice, req, false)
	if err != nil || again != first {
		t.Fatalf("re-delivery = %+v, %v; want %+v", again, err, first)
	}
	if n := f.gh.count("CreateIssue"); n != 1 {
		t.Fatalf("GitHub asked to create %d issues, want 1", n)
	}
	other := req
	other.MessageID = "m2"
	if _, err := f.svc.CreateIssue(ctx, alice, other, false); err != nil || f.gh.count("CreateIssue") != 2 {
		t.Fatalf("another message: %v, %d creations; want a second issue", err, f.gh.count("CreateIssue"))
	}

	// In flight: another delivery holds the claim.
	f = newFixture(nil, chatops.Public)
	if _, claimed, _ := f.claims.Claim(ctx, chatops.Claim{Key: alice, MessageID: "m1"}); !claimed {
		t.Fatal("setup: claim refused")
	}
	if _, err := f.svc.CreateIssue(ctx, alice, req, false); !errors.Is(err, chatops.ErrBeingCreated) {
		t.Fatalf("error = %v, want ErrBeingCreated", err)
	}
	if n := f.gh.count("CreateIssue"); n != 0 {
		t.Fatalf("GitHub asked to create %d issues while one is in flight", n)
	}

	// Refused by GitHub, then retried: the claim was released. (An uncertain
	// failure keeps it: TestCreateIssueUncertainOutcomeKeepsTheClaim.)
	f = newFixture(nil, chatops.Public)
	f.gh.errs = map[string]error{"CreateIssue": limited}
	if _, err := f.svc.CreateIssue(ctx, alice, req, false); err == nil {
		t.Fatal("want the failure")
	}
	f.gh.errs = nil
	if c, err := f.svc.CreateIssue(ctx, alice, req, false); err != nil || c.Number != 42 {
		t.Fatalf("retry = %+v, %v; want the issue", c, err)
	}
}

func TestParseRepo(t *testing.T) {
	long := func(n int, c string) string {
		s := ""
		for range n {
			s += c
		}
		return s
	}
	tests := []struct {
		in   string
		want chatops.Repo
		ok   bool
	}{
		{"octocat/hello-world", chatops.Repo{Owner: "octocat", Name: "hello-world"}, true},
		{"a/b", chatops.Repo{Owner: "a", Name: "b"}, true},
		{"Octo-Cat9/.github", chatops.Repo{Owner: "Octo-Cat9", Name: ".github"}, true},
		{"o/my_repo.v2", chatops.Repo{Owner: "o", Name: "my_repo.v2"}, true},
		{long(39, "a") + "/" + long(100, "b"), chatops.Repo{Owner: long(39, "a"), Name: long(100, "b")}, true},
		{"o/...", chatops.Repo{Owner: "o", Name: "..."}, true},
		{long(40, "a") + "/b", chatops.Repo{}, false},
		{"a/" + long(101, "b"), chatops.Repo{}, false},
		{"octocat", chatops.Repo{}, false},
		{"/hello", chatops.Repo{}, false},
		{"octocat/", chatops.Repo{}, false},
		{"a/b/c", chatops.Repo{}, false},
		{"-octo/x", chatops.Repo{}, false},
		{"octo-/x", chatops.Repo{}, false},
		{"oc--to/x", chatops.Repo{}, false},
		{"oc_to/x", chatops.Repo{Owner: "oc_to", Name: "x"}, true}, // Enterprise Managed Users: name_shortcode
		{"oc.to/x", chatops.Repo{}, false},
		{"o/.", chatops.Repo{}, false},
		{"o/..", chatops.Repo{}, false},
		{"o/a b", chatops.Repo{}, false},
		{"o/é", chatops.Repo{}, false},
		{"ö/x", chatops.Repo{}, false},
		{"https://github.com/o/x", chatops.Repo{}, false},
	}
	for _, tt := range tests {
		got, err := chatops.ParseRepo(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRepo(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		var nameErr *chatops.RepoNameError
		if err != nil && (!errors.As(err, &nameErr) || nameErr.Problem == "") {
			t.Errorf("ParseRepo(%q) error %v is not a RepoNameError with a problem", tt.in, err)
		}
	}
}

func FuzzParseRepo(f *testing.F) {
	f.Add("octocat/hello")
	f.Add("a--b/c")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := chatops.ParseRepo(s)
		if err == nil && r.String() != s {
			t.Fatalf("ParseRepo(%q) = %q", s, r.String())
		}
	})
}

// TestCreateIssueStoreFailures: a claim the store cannot take stops before
// GitHub; an issue whose claim cannot be completed is still answered (and a
// re-delivery is told it is being created, never opens a second one); a
// release that fails leaves GitHub's error as the answer.
func TestCreateIssueStoreFailures(t *testing.T) {
	ctx := context.Background()
	req := chatops.IssueRequest{MessageID: "m1", Repo: hello, Title: "t"}
	down := errors.New("store down")

	f := newFixture(nil, chatops.Public)
	f.claims.fail = map[string]error{"Claim": down}
	if _, err := f.svc.CreateIssue(ctx, alice, req, false); !errors.Is(err, down) || f.gh.count("CreateIssue") != 0 {
		t.Fatalf("error %v after %d creations; want the store's, before GitHub", err, f.gh.count("CreateIssue"))
	}

	f = newFixture(nil, chatops.Public)
	f.claims.fail = map[string]error{"Complete": down}
	if c, err := f.svc.CreateIssue(ctx, alice, req, false); err != nil || c.Number != 42 {
		t.Fatalf("created %+v, %v; want the issue despite the store", c, err)
	}
	if _, err := f.svc.CreateIssue(ctx, alice, req, false); !errors.Is(err, chatops.ErrBeingCreated) || f.gh.count("CreateIssue") != 1 {
		t.Fatalf("re-delivery: %v after %d creations; want ErrBeingCreated and one issue", err, f.gh.count("CreateIssue"))
	}

	f = newFixture(nil, chatops.Public)
	gone := &chatops.InvalidError{Message: "title too long"}
	f.gh.errs = map[string]error{"CreateIssue": gone}
	f.claims.fail = map[string]error{"Release": down}
	if _, err := f.svc.CreateIssue(ctx, alice, req, false); !errors.Is(err, gone) || f.claims.released != 1 {
		t.Fatalf("error %v, %d releases; want GitHub's error after one release", err, f.claims.released)
	}
}

// A 401 for a token that a concurrent refresh had just replaced keeps the
// session: the user is told to run the command again, not to log in.
func TestUnauthorizedAfterAConcurrentRefreshKeepsTheSession(t *testing.T) {
	f := newFixture([]string{"read:user"}, chatops.Public)
	f.gh.errs = map[string]error{"Profile": chatops.ErrUnauthorized}
	f.sessions.rejectErr = session.ErrTokenReplaced
	_, err := f.svc.Me(context.Background(), alice, false)
	if !errors.Is(err, chatops.ErrTokenRenewed) || errors.Is(err, session.ErrEndedAtGitHub) {
		t.Fatalf("error = %v; want ErrTokenRenewed, not the end of the session", err)
	}
	if len(f.sessions.rejected) != 1 {
		t.Fatalf("TokenRejected called %d times, want 1", len(f.sessions.rejected))
	}
}

// TestCreateIssueUncertainOutcomeKeepsTheClaim: when GitHub may have created
// the issue (a timeout, a dropped connection, a 5xx), the claim stays pending
// and the answer is ErrNotConfirmed; the same message never asks GitHub again.
// GitHub's clear refusals, and failures before the POST, free the message.
func TestCreateIssueUncertainOutcomeKeepsTheClaim(t *testing.T) {
	ctx := context.Background()
	req := chatops.IssueRequest{MessageID: "m1", Repo: hello, Title: "t"}
	for _, tc := range []struct {
		name      string
		err       error
		uncertain bool
	}{
		{"deadline", fmt.Errorf("github create issue: %w", context.DeadlineExceeded), true},
		{"canceled", fmt.Errorf("github create issue: %w", context.Canceled), true},
		{"502", errors.New("github create issue: POST https://api.github.com/repos/octocat/hello/issues: 502 Bad Gateway []"), true},
		{"connection reset", errors.New("read tcp: connection reset by peer"), true},
		{"401", chatops.ErrUnauthorized, false},
		{"404", chatops.ErrNotFound, false},
		{"403", &chatops.ForbiddenError{Message: "Repository was archived"}, false},
		{"not accessible", &chatops.NotAccessibleError{Permission: "issues=write"}, false},
		{"422", &chatops.InvalidError{Message: "title too long"}, false},
		{"rate limited", limited, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(nil, chatops.Public)
			f.gh.errs = map[string]error{"CreateIssue": tc.err}
			_, err := f.svc.CreateIssue(ctx, alice, req, false)
			if got := errors.Is(err, chatops.ErrNotConfirmed); got != tc.uncertain {
				t.Fatalf("error %v: ErrNotConfirmed %v, want %v", err, got, tc.uncertain)
			}
			f.gh.errs = nil
			_, err = f.svc.CreateIssue(ctx, alice, req, false)
			if tc.uncertain {
				if !errors.Is(err, chatops.ErrBeingCreated) || f.gh.count("CreateIssue") != 1 || f.claims.released != 0 {
					t.Fatalf("second try: %v after %d creations and %d releases; want ErrBeingCreated, no second POST",
						err, f.gh.count("CreateIssue"), f.claims.released)
				}
				return
			}
			if err != nil || f.gh.count("CreateIssue") != 2 {
				t.Fatalf("second try after a refusal: %v after %d creations; want the issue", err, f.gh.count("CreateIssue"))
			}
		})
	}
	// A failure before the POST (the repository's visibility unknown) frees
	// the message too.
	f := newFixture([]string{"public_repo"}, chatops.Public)
	f.gh.errs = map[string]error{"Repo": errors.New("connection reset")}
	if _, err := f.svc.CreateIssue(ctx, alice, req, false); err == nil || errors.Is(err, chatops.ErrNotConfirmed) {
		t.Fatalf("error %v, want the failure, not ErrNotConfirmed", err)
	}
	if _, ok := f.claims.get(alice, "m1"); ok {
		t.Fatal("claim kept after a failure before the POST")
	}
}

// TestCreateIssueWithoutMessageID: without a message id there is nothing to
// claim once per message (every such request would share one claim), so the
// creation is refused before the store and GitHub.
func TestCreateIssueWithoutMessageID(t *testing.T) {
	f := newFixture(nil, chatops.Public)
	_, err := f.svc.CreateIssue(context.Background(), alice, chatops.IssueRequest{Repo: hello, Title: "t"}, false)
	if !errors.Is(err, chatops.ErrNoMessageID) || f.gh.count("CreateIssue") != 0 {
		t.Fatalf("error %v after %d creations; want ErrNoMessageID and none", err, f.gh.count("CreateIssue"))
	}
	if _, ok := f.claims.get(alice, ""); ok {
		t.Fatal("claimed the empty message id")
	}
}
