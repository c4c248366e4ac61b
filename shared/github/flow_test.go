package github_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"rcgithub/shared/github"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

const (
	clientID = "Iv1.flowtest"
	secret   = "flow-secret"
	callback = "https://chat.example.com/github/callback"
)

type flowEnv struct {
	gh     *githubtest.Server
	url    string
	clock  *sessiontest.Clock
	client *github.Client
}

func newFlowEnv(t *testing.T) *flowEnv {
	t.Helper()
	clk := sessiontest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	gh := githubtest.New(githubtest.Options{
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURLs: []string{callback, "https://other.example.com/callback"},
		Now:          clk.Now,
	})
	u, stop := gh.Start()
	t.Cleanup(stop)
	return &flowEnv{gh: gh, url: u, clock: clk, client: newClient(u, u, nil)}
}

func newClient(baseURL, apiURL string, tweak func(*github.Config)) *github.Client {
	cfg := github.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		BaseURL:      baseURL,
		APIURL:       apiURL,
		RedirectURL:  callback,
		Scopes:       []string{"read:user", "repo"},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	return github.New(cfg)
}

// authorize walks the consent page as login and returns the code and the
// verifier it belongs to.
func (e *flowEnv) authorize(t *testing.T, login string) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	cb, err := e.gh.Authorize(e.client.AuthCodeURL("state-42", verifier, nil), login)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	q := mustQuery(t, cb)
	if q.Get("state") != "state-42" || q.Get("code") == "" {
		t.Fatalf("callback %s lacks the state or a code", cb)
	}
	return q.Get("code"), verifier
}

// login runs the flow up to a token.
func (e *flowEnv) login(t *testing.T, login string) string {
	t.Helper()
	code, verifier := e.authorize(t, login)
	tok, err := e.client.Exchange(context.Background(), code, verifier)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok.AccessToken
}

func mustQuery(t *testing.T, rawURL string) url.Values {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestFlow(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()

	code, verifier := e.authorize(t, "mona")
	tok, err := e.client.Exchange(ctx, code, verifier)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if !slices.Equal(tok.Scopes, []string{"read:user", "repo"}) {
		t.Errorf("token scopes = %v", tok.Scopes)
	}

	user, err := e.client.User(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if user.Login != "mona" || user.ID == 0 || !slices.Equal(user.Scopes, []string{"read:user", "repo"}) {
		t.Errorf("user = %+v", user)
	}

	if err := e.client.Revoke(ctx, tok.AccessToken); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if e.gh.TokenAlive(tok.AccessToken) {
		t.Error("token still alive after Revoke")
	}
	if _, err := e.client.User(ctx, tok.AccessToken); !errors.Is(err, session.ErrTokenDead) {
		t.Errorf("User after Revoke: err = %v, want ErrTokenDead", err)
	}

	// Revoking again meets an unknown token at GitHub, then a dead one at /user.
	if err := e.client.Revoke(ctx, tok.AccessToken); err != nil {
		t.Errorf("second Revoke: %v", err)
	}
	if got := e.gh.Requests(githubtest.RouteRevokeToken); got != 2 {
		t.Errorf("revoke requests = %d, want 2", got)
	}
	if got := e.gh.Requests(githubtest.RouteUser); got != 3 {
		t.Errorf("user requests = %d, want 3 (check, after revoke, confirming the second revoke)", got)
	}
}

func TestFlowEnterpriseAPIPrefix(t *testing.T) {
	e := newFlowEnv(t)
	e.client = newClient(e.url, e.url+"/api/v3", nil)
	tok := e.login(t, "octocat")

	if _, err := e.client.User(context.Background(), tok); err != nil {
		t.Fatalf("User under /api/v3: %v", err)
	}
	if err := e.client.Revoke(context.Background(), tok); err != nil {
		t.Fatalf("Revoke under /api/v3: %v", err)
	}
	if e.gh.TokenAlive(tok) {
		t.Error("token still alive")
	}
}

func TestExchangeRefused(t *testing.T) {
	// Each case signs octocat in on a fresh env and changes one thing about
	// the exchange that follows GitHub's redirect back.
	tests := []struct {
		name     string
		reuse    bool                 // exchange the code once before
		wait     time.Duration        // time between the redirect and the exchange
		code     string               // sent instead of the code GitHub gave
		verifier string               // sent instead of the PKCE verifier
		config   func(*github.Config) // the exchanging client's, instead of the env's
		want     string               // OAuth error code
	}{
		{name: "reused code", reuse: true, want: "bad_verification_code"},
		{name: "wrong verifier", verifier: oauth2.GenerateVerifier(), want: "bad_verification_code"},
		{name: "code older than ten minutes", wait: 10*time.Minute + time.Second, want: "bad_verification_code"},
		{name: "unknown code", code: "0123456789abcdef0123", verifier: oauth2.GenerateVerifier(), want: "bad_verification_code"},
		{name: "wrong client secret", config: func(c *github.Config) { c.ClientSecret = "wrong" }, want: "incorrect_client_credentials"},
		{name: "redirect_uri differs from the authorize request's",
			config: func(c *github.Config) { c.RedirectURL = "https://other.example.com/callback" }, want: "redirect_uri_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFlowEnv(t)
			ctx := context.Background()
			before := e.gh.Requests(githubtest.RouteToken)
			code, verifier := e.authorize(t, "octocat")
			exchanges := 1
			if tt.reuse {
				if _, err := e.client.Exchange(ctx, code, verifier); err != nil {
					t.Fatalf("first exchange: %v", err)
				}
				exchanges++
			}
			e.clock.Advance(tt.wait)
			if tt.code != "" {
				code = tt.code
			}
			if tt.verifier != "" {
				verifier = tt.verifier
			}
			client := e.client
			if tt.config != nil {
				client = newClient(e.url, e.url, tt.config)
			}
			_, err := client.Exchange(ctx, code, verifier)

			var oauthErr *session.OAuthError
			if !errors.As(err, &oauthErr) || oauthErr.Code != tt.want {
				t.Fatalf("err = %v, want OAuthError %s", err, tt.want)
			}
			// oauth2 must not retry a refused exchange with other credentials.
			if got := e.gh.Requests(githubtest.RouteToken) - before; got != exchanges {
				t.Errorf("token endpoint got %d requests, want %d: one per exchange", got, exchanges)
			}
		})
	}
}

func TestFailedExchangeIsPostedOnce(t *testing.T) {
	e := newFlowEnv(t)
	_, err := e.client.Exchange(context.Background(), "0123456789abcdef0123", oauth2.GenerateVerifier())
	if err == nil {
		t.Fatal("exchange of an unknown code worked")
	}
	if got := e.gh.Requests(githubtest.RouteToken); got != 1 {
		t.Errorf("token endpoint got %d requests, want 1", got)
	}
}

func TestTokenCap(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	var tokens []string
	for range 11 {
		tokens = append(tokens, e.login(t, "octocat"))
	}

	if _, err := e.client.User(ctx, tokens[0]); !errors.Is(err, session.ErrTokenDead) {
		t.Errorf("oldest token: err = %v, want ErrTokenDead after an 11th", err)
	}
	for i, tok := range tokens[1:] {
		if _, err := e.client.User(ctx, tok); err != nil {
			t.Errorf("token %d: %v", i+1, err)
		}
	}
}

func TestDeniedAuthorization(t *testing.T) {
	e := newFlowEnv(t)
	cb, err := e.gh.Deny(e.client.AuthCodeURL("state-7", oauth2.GenerateVerifier(), nil))
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, cb)
	if q.Get("error") != "access_denied" || q.Get("state") != "state-7" || q.Get("code") != "" {
		t.Errorf("callback = %s, want error=access_denied with the state and no code", cb)
	}
}

func TestUserRevokedTheApp(t *testing.T) {
	e := newFlowEnv(t)
	tok := e.login(t, "octocat")
	if n := e.gh.RevokeAll("octocat"); n != 1 {
		t.Fatalf("RevokeAll revoked %d tokens, want 1", n)
	}
	if _, err := e.client.User(context.Background(), tok); !errors.Is(err, session.ErrTokenDead) {
		t.Errorf("User: err = %v, want ErrTokenDead", err)
	}
	if err := e.client.Revoke(context.Background(), tok); err != nil {
		t.Errorf("Revoke of a token the user revoked: %v", err)
	}
}

func TestTransientFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("token endpoint 502, then a retry with the same code works", func(t *testing.T) {
		e := newFlowEnv(t)
		code, verifier := e.authorize(t, "octocat")
		e.gh.FailNext(githubtest.RouteToken, http.StatusBadGateway)
		_, err := e.client.Exchange(ctx, code, verifier)
		var oauthErr *session.OAuthError
		if err == nil || errors.As(err, &oauthErr) {
			t.Fatalf("err = %v, want a transient error", err)
		}
		if _, err := e.client.Exchange(ctx, code, verifier); err != nil {
			t.Fatalf("retry: %v", err)
		}
	})

	t.Run("user 503 is not a dead token", func(t *testing.T) {
		e := newFlowEnv(t)
		tok := e.login(t, "octocat")
		e.gh.FailNext(githubtest.RouteUser, http.StatusServiceUnavailable)
		if _, err := e.client.User(ctx, tok); err == nil || errors.Is(err, session.ErrTokenDead) {
			t.Fatalf("err = %v, want a transient error", err)
		}
	})

	t.Run("revoke 500 leaves the token alive and says so", func(t *testing.T) {
		e := newFlowEnv(t)
		tok := e.login(t, "octocat")
		e.gh.FailNext(githubtest.RouteRevokeToken, http.StatusInternalServerError)
		if err := e.client.Revoke(ctx, tok); err == nil {
			t.Fatal("Revoke returned nil for a 500")
		}
		if !e.gh.TokenAlive(tok) {
			t.Error("token died although revocation failed")
		}
		if err := e.client.Revoke(ctx, tok); err != nil {
			t.Fatalf("retry: %v", err)
		}
	})

	t.Run("slow user times out", func(t *testing.T) {
		e := newFlowEnv(t)
		tok := e.login(t, "octocat")
		e.gh.SetFault(githubtest.RouteUser, githubtest.Fault{Delay: time.Hour, Times: 1})
		impatient := newClient(e.url, e.url, func(c *github.Config) {
			c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
		})
		_, err := impatient.User(ctx, tok)
		var netErr net.Error
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			t.Fatalf("err = %v, want a timeout", err)
		}
	})
}
