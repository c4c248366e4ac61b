package session_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// loginAsking logs k in as login, naming the scopes after "login", and
// returns the login and the link it went through.
func (f *fixture) loginAsking(t *testing.T, k session.Key, login string, named ...string) (session.Login, session.Link) {
	t.Helper()
	ctx := context.Background()
	msgSeq++
	l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: k, UserName: "name", MessageID: "scopes-" + strings.Repeat("m", msgSeq%50+1), Scopes: named})
	if err != nil {
		t.Fatalf("StartLogin: %v", err)
	}
	browser := "browser-secret-" + k.UserID
	authURL, err := f.svc.Authorize(ctx, l.ID, browser)
	if err != nil {
		t.Fatal(err)
	}
	code, state := f.callback(t, authURL, login)
	res, err := f.svc.CompleteLogin(ctx, state, code, browser)
	if err != nil {
		t.Fatalf("CompleteLogin: %v", err)
	}
	return res, l
}

// The deployment asks for read:user (GITHUB_SCOPES) and lets users add
// public_repo or repo (GITHUB_EXTRA_SCOPES's default).
func TestLoginAsksForTheScopesNamed(t *testing.T) {
	tests := []struct {
		name      string
		named     []string
		wantAsked []string // in the link and the session, in order
		wantAtGH  []string // the scope parameter GitHub got, sorted
	}{
		{name: "plain login", wantAsked: []string{"read:user"}, wantAtGH: []string{"read:user"}},
		{name: "repo", named: []string{"repo"}, wantAsked: []string{"read:user", "repo"}, wantAtGH: []string{"read:user", "repo"}},
		{name: "public_repo", named: []string{"public_repo"}, wantAsked: []string{"read:user", "public_repo"},
			wantAtGH: []string{"public_repo", "read:user"}},
		{name: "both, upper case, repeated", named: []string{"REPO", "public_repo", "repo"},
			wantAsked: []string{"read:user", "repo", "public_repo"}, wantAtGH: []string{"public_repo", "read:user", "repo"}},
		{name: "a default scope named", named: []string{"read:user"}, wantAsked: []string{"read:user"}, wantAtGH: []string{"read:user"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			res, l := f.loginAsking(t, alice, "octocat", tt.named...)
			if !reflect.DeepEqual(l.Scopes, tt.wantAsked) {
				t.Errorf("link scopes %v, want %v", l.Scopes, tt.wantAsked)
			}
			if asked := f.gh.AskedScopes(); len(asked) != 1 || !reflect.DeepEqual(asked[0], tt.wantAtGH) {
				t.Errorf("GitHub was asked for %v, want %v", asked, tt.wantAtGH)
			}
			stored := f.stored(t, alice)
			if !reflect.DeepEqual(stored.AskedScopes, tt.wantAsked) || !reflect.DeepEqual(res.AskedScopes, tt.wantAsked) {
				t.Errorf("session asked scopes %v (returned %v), want %v", stored.AskedScopes, res.AskedScopes, tt.wantAsked)
			}
			// The stand-in grants what was asked: nothing to report, although
			// the deployment's own setting (read:user) is narrower.
			if !res.Scopes.Empty() {
				t.Errorf("scope difference %+v, want none", res.Scopes)
			}
			if dm := f.chat.MessagesTo("@" + alice.UserID); len(dm) != 1 || strings.Contains(dm[0].Text, "granted more") {
				t.Errorf("DM after login: %+v", dm)
			}
		})
	}
}

func TestLoginRefusesAScopeNotAllowed(t *testing.T) {
	tests := []struct {
		name      string
		extra     []string // Service.ExtraScopes
		named     []string
		wantScope string
	}{
		{name: "a scope not in the allowed set", extra: []string{"public_repo", "repo"}, named: []string{"admin:org"}, wantScope: "admin:org"},
		{name: "the second one", extra: []string{"public_repo", "repo"}, named: []string{"repo", "delete_repo"}, wantScope: "delete_repo"},
		{name: "not a scope at all", extra: []string{"public_repo", "repo"}, named: []string{"issues"}, wantScope: "issues"},
		{name: "none allowed", named: []string{"repo"}, wantScope: "repo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			counting := sessiontest.NewCountingStore(f.db)
			f.svc.Store = counting
			f.svc.ExtraScopes = tt.extra
			_, err := f.svc.StartLogin(context.Background(), session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m1", Scopes: tt.named})
			var notAllowed *session.ScopeNotAllowedError
			if !errors.As(err, &notAllowed) || !errors.Is(err, session.ErrScopeNotAllowed) {
				t.Fatalf("StartLogin: %v, want a *ScopeNotAllowedError", err)
			}
			if notAllowed.Scope != tt.wantScope || !reflect.DeepEqual(notAllowed.Allowed, tt.extra) {
				t.Errorf("refused %q, allowed %v; want %q, %v", notAllowed.Scope, notAllowed.Allowed, tt.wantScope, tt.extra)
			}
			if n := counting.Total(); n != 0 {
				t.Errorf("a refused login made %d store calls: %v", n, counting.Calls())
			}
		})
	}
}

// The granted scopes are compared with what that login asked for: a login
// with repo granted repo is as asked, and a plain login granted less than
// its own ask is told so.
func TestScopeDifferenceIsAgainstTheLoginsAsk(t *testing.T) {
	f := newFixture(t)
	res, _ := f.loginAsking(t, alice, "octocat", "repo")
	if !res.Scopes.Empty() {
		t.Fatalf("login asking repo, granted repo: difference %+v, want none", res.Scopes)
	}
	// The operator narrows the defaults later: the stored session still
	// says what its login asked for.
	f.svc.Scopes = []string{"read:user", "read:org"}
	if got := f.stored(t, alice).AskedScopes; !reflect.DeepEqual(got, []string{"read:user", "repo"}) {
		t.Fatalf("asked scopes %v", got)
	}
	res, _ = f.loginAsking(t, bob, "hubot")
	if !res.Scopes.Empty() || !reflect.DeepEqual(res.AskedScopes, []string{"read:user", "read:org"}) {
		t.Fatalf("plain login after the change: %+v asked %v", res.Scopes, res.AskedScopes)
	}
}

// A link stored before links kept their scopes asks for the service's
// default scopes.
func TestLinkWithoutScopesAsksForTheDefaults(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := f.svc.StartLogin(ctx, session.LinkRequest{Key: alice, UserName: "alice", MessageID: "m1", Scopes: []string{"repo"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.TakeLink(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	l.Scopes, l.MessageID = nil, "m2"
	if _, err := f.db.CreateLink(ctx, l, session.LinkQuota{Window: l.Created, Max: 100}); err != nil {
		t.Fatal(err)
	}
	authURL, err := f.svc.Authorize(ctx, l.ID, "browser")
	if err != nil {
		t.Fatal(err)
	}
	code, state := f.callback(t, authURL, "octocat")
	res, err := f.svc.CompleteLogin(ctx, state, code, "browser")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.AskedScopes, []string{"read:user"}) || !reflect.DeepEqual(f.gh.AskedScopes(), [][]string{{"read:user"}}) {
		t.Fatalf("asked %v, GitHub asked %v; want read:user", res.AskedScopes, f.gh.AskedScopes())
	}
}

// GitHub App tokens have permissions, not scopes: whatever the login named,
// the session keeps no scopes, asked or granted, and reports no difference.
func TestGitHubAppLoginKeepsNoScopes(t *testing.T) {
	f := newFixtureFor(t, true)
	res, _ := f.loginAsking(t, alice, "octocat", "repo")
	stored := f.stored(t, alice)
	if stored.Scopes != nil || stored.AskedScopes != nil || !res.Scopes.Empty() {
		t.Fatalf("GitHub App session scopes %v asked %v difference %+v; want none", stored.Scopes, stored.AskedScopes, res.Scopes)
	}
}
