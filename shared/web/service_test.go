package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

// fakeService answers the OAuth routes' calls with what the test sets: the
// handlers need nothing of the service but the web.Service interface.
type fakeService struct {
	web.Service // the calls a test does not expect panic, failing it
	login       session.Login
	err         error
	trigger     string // what CancelLogin returns
}

func (f *fakeService) CompleteLogin(context.Context, string, string, string) (session.Login, error) {
	return f.login, f.err
}

func (f *fakeService) CancelLogin(context.Context, string, string) string { return f.trigger }

func fakeHandler(t *testing.T, f *fakeService) http.Handler {
	t.Helper()
	h, err := web.New(f, web.Config{PublicURL: "https://rcgithub.example.com", TriggerWords: []string{"/gh", "!github"},
		SessionTTL: time.Hour, Sites: config.FixedSites(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return h.OAuthRoutes()
}

func callbackPage(t *testing.T, h http.Handler, query string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/oauth/callback?"+query, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

// TestCallbackWordsWhatTheServiceReturns: the connected page shows the scope
// comparison the login returned (compared once, by the service), and a
// problem's page names the trigger word the problem carries, else the first
// configured one.
func TestCallbackWordsWhatTheServiceReturns(t *testing.T) {
	ends := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	f := &fakeService{login: session.Login{
		Session: session.Session{Key: session.Key{Site: "https://chat.example.com", UserID: "u1"}, GitHubLogin: "octocat", Ends: ends},
		Scopes:  session.ScopeDiff{Missing: []string{"read:org"}},
	}}
	h := fakeHandler(t, f)
	code, body := callbackPage(t, h, "state=s&code=c")
	if code != http.StatusOK || !strings.Contains(body, "@octocat until 2026-12-04 12:00 UTC") || !strings.Contains(body, "did not grant read:org") {
		t.Fatalf("connected page: %d %s", code, body)
	}

	for _, tt := range []struct {
		problem *session.Problem
		status  int
		want    string
	}{
		{&session.Problem{Kind: session.BadRequest, Reason: session.StateGone, Trigger: "!github"}, http.StatusBadRequest, "Type !github login"},
		{&session.Problem{Kind: session.BadRequest, Reason: session.OtherBrowser}, http.StatusBadRequest, "type /gh login"},
		{&session.Problem{Kind: session.Unavailable, Reason: session.SessionNotSaved, Trigger: "!github"}, http.StatusServiceUnavailable, "Type !github login"},
		{&session.Problem{Kind: session.BadRequest, Reason: session.GitHubRefused, GitHubCode: "bad_verification_code", Trigger: "!github"},
			http.StatusBadRequest, "invalid or has expired"},
	} {
		f.err = tt.problem
		if code, body := callbackPage(t, h, "state=s&code=c"); code != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%v: %d %s, want %d with %q", tt.problem.Reason, code, body, tt.status, tt.want)
		}
	}

	f.trigger = "!github"
	if code, body := callbackPage(t, h, "state=s&error=access_denied"); code != http.StatusForbidden || !strings.Contains(body, "Type !github login") {
		t.Errorf("access denied: %d %s", code, body)
	}
}
