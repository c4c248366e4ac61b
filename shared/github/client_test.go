package github

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// Values the tests send; none of them may show up in an error message.
const (
	testClientID = "Iv1.testclient"
	testSecret   = "s3cret-client-secret"
	testCode     = "code-0123456789abcdef"
	testToken    = "gho_testtoken0123456789"
	testRedirect = "https://chat.example.com/github/callback"
)

var testVerifier = oauth2.GenerateVerifier()

// rawGitHub serves h and counts the requests it gets.
type rawGitHub struct {
	url      string
	requests atomic.Int32
}

// newRawGitHub serves h; a nil h hangs until the client gives up (or the
// test ends), for timeout tests.
func newRawGitHub(t *testing.T, h http.HandlerFunc) *rawGitHub {
	t.Helper()
	g := &rawGitHub{}
	testEnded := make(chan struct{})
	if h == nil {
		h = func(_ http.ResponseWriter, r *http.Request) {
			// The server notices a client that went away only once the
			// request body has been read.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-testEnded:
			}
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.requests.Add(1)
		h(w, r)
	}))
	t.Cleanup(func() {
		close(testEnded)
		srv.Close()
	})
	g.url = srv.URL
	return g
}

func newTestClient(baseURL string, timeout time.Duration) *Client {
	cfg := Config{
		ClientID:     testClientID,
		ClientSecret: testSecret,
		BaseURL:      baseURL,
		APIURL:       baseURL,
		RedirectURL:  testRedirect,
		Scopes:       []string{"repo", "read:org"},
	}
	if timeout > 0 {
		cfg.HTTPClient = &http.Client{Timeout: timeout}
	}
	return New(cfg)
}

// assertNoSecrets fails if err's message contains a secret.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, secret := range []string{testSecret, testCode, testToken, testVerifier} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains a secret", err)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	c := New(Config{ClientID: "id"})
	if c.apiURL != DefaultAPIURL {
		t.Errorf("apiURL = %q, want %q", c.apiURL, DefaultAPIURL)
	}
	if c.http.Timeout != 8*time.Second { // both deployments: the AWS one had 8 s, the local one 10 s
		t.Errorf("HTTP timeout = %v, want 8s", c.http.Timeout)
	}
	if got := c.AuthCodeURL("st", testVerifier, nil); !strings.HasPrefix(got, DefaultBaseURL+"/login/oauth/authorize?") {
		t.Errorf("AuthCodeURL = %q, want it on %s", got, DefaultBaseURL)
	}
	if c.oauth.Endpoint.TokenURL != DefaultBaseURL+"/login/oauth/access_token" {
		t.Errorf("TokenURL = %q", c.oauth.Endpoint.TokenURL)
	}
}

func TestNewTrimsTrailingSlashes(t *testing.T) {
	c := New(Config{BaseURL: "https://ghe.example.com/", APIURL: "https://ghe.example.com/api/v3/"})
	if c.apiURL != "https://ghe.example.com/api/v3" {
		t.Errorf("apiURL = %q", c.apiURL)
	}
	if c.oauth.Endpoint.AuthURL != "https://ghe.example.com/login/oauth/authorize" {
		t.Errorf("AuthURL = %q", c.oauth.Endpoint.AuthURL)
	}
}

func TestAuthCodeURL(t *testing.T) {
	tests := []struct {
		name         string
		configScopes []string // Config.Scopes
		scopes       []string // AuthCodeURL's
		wantScope    string
		wantNoScope  bool
	}{
		{name: "the login's scopes", configScopes: []string{"read:user"}, scopes: []string{"read:user", "public_repo"},
			wantScope: "read:user public_repo"},
		{name: "none given: the configured ones", configScopes: []string{"repo", "read:org"}, wantScope: "repo read:org"},
		{name: "none at all: no scope parameter", wantNoScope: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient("https://ghe.example.com", 0)
			c.oauth.Scopes = tt.configScopes
			u, err := url.Parse(c.AuthCodeURL("state-1", testVerifier, tt.scopes))
			if err != nil {
				t.Fatal(err)
			}
			if u.Host != "ghe.example.com" || u.Path != "/login/oauth/authorize" {
				t.Errorf("URL = %s, want the authorize page of ghe.example.com", u)
			}
			want := map[string]string{
				"client_id":             testClientID,
				"redirect_uri":          testRedirect,
				"state":                 "state-1",
				"response_type":         "code",
				"code_challenge":        oauth2.S256ChallengeFromVerifier(testVerifier),
				"code_challenge_method": "S256",
				"prompt":                "select_account",
			}
			if !tt.wantNoScope {
				want["scope"] = tt.wantScope
			}
			q := u.Query()
			for k, v := range want {
				if q.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, q.Get(k), v)
				}
			}
			if _, ok := q["scope"]; ok == tt.wantNoScope {
				t.Errorf("scope parameter present: %v, want %v", ok, !tt.wantNoScope)
			}
			if strings.Contains(u.String(), testVerifier) {
				t.Error("the authorize URL contains the PKCE verifier")
			}
		})
	}
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"repo", []string{"repo"}},
		{"repo,read:org", []string{"repo", "read:org"}},
		{"repo, read:org", []string{"repo", "read:org"}},
		{" , repo,,", []string{"repo"}},
	}
	for _, tt := range tests {
		got := parseScopes(tt.in)
		if got == nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("parseScopes(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}
