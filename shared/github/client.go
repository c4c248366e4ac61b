// Package github is the service's client for GitHub: the OAuth web flow with
// PKCE (golang.org/x/oauth2), refreshing GitHub App user tokens, reading the token's user, and revoking tokens.
// It implements session.GitHub.
//
// No method puts a token, code, verifier or the client secret into an error,
// a URL it logs, or anywhere else a person could read it.
package github

import (
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"rcgithub/shared/session"
)

// Defaults for github.com; GitHub Enterprise Server uses https://HOST and
// https://HOST/api/v3.
const (
	DefaultBaseURL = "https://github.com"
	DefaultAPIURL  = "https://api.github.com"
)

// DefaultTimeout bounds each request to GitHub, in both deployments: the
// callback makes two GitHub calls within API Gateway's 30 s, and template.yaml
// sizes the functions' timeouts on 8 s a call.
const DefaultTimeout = 8 * time.Second

// apiVersion pins the REST API version the answers were written against.
const apiVersion = "2022-11-28"

// Config says which OAuth App to act as and where GitHub is.
type Config struct {
	ClientID     string
	ClientSecret string
	// BaseURL serves the OAuth pages (GITHUB_URL); default https://github.com.
	BaseURL string
	// APIURL serves the REST API (GITHUB_API_URL); default https://api.github.com.
	APIURL string
	// RedirectURL is the callback registered for the app; empty lets GitHub
	// use the registered one.
	RedirectURL string
	// Scopes are asked for when AuthCodeURL is given none.
	Scopes []string
	// HTTPClient makes every request; default: a client with DefaultTimeout.
	HTTPClient *http.Client
	// Now tells the time GitHub App token lifetimes and the revocation pace
	// count from; default time.Now.
	Now func() time.Time
	// RevocationsPerHour caps the revocations this client sends in any
	// rolling hour, under GitHub's limit for the app's client-credential
	// calls: 0 means DefaultRevocationsPerHour, a negative number no cap of
	// its own. A revocation over it returns a *session.RateLimitError.
	RevocationsPerHour int
}

// Client talks to GitHub for one OAuth App. It is safe for concurrent use.
type Client struct {
	oauth        *oauth2.Config
	apiURL       string
	clientID     string
	clientSecret string
	http         *http.Client
	now          func() time.Time
	revocations  *revocationPacer // shared by every revocation of the client
}

var _ session.GitHub = (*Client)(nil)

// New returns a client for cfg, filling in the defaults.
func New(cfg Config) *Client {
	baseURL := strings.TrimRight(orDefault(cfg.BaseURL, DefaultBaseURL), "/")
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{
		oauth: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Scopes:       cfg.Scopes,
			Endpoint: oauth2.Endpoint{
				AuthURL:  baseURL + "/login/oauth/authorize",
				TokenURL: baseURL + "/login/oauth/access_token",
				// Without a fixed style oauth2 probes: a failed exchange is
				// POSTed again with the other style. GitHub takes params.
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
		apiURL:       strings.TrimRight(orDefault(cfg.APIURL, DefaultAPIURL), "/"),
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		http:         httpClient,
		now:          now,
		revocations:  newRevocationPacer(cfg.RevocationsPerHour),
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// parseScopes splits a scope list such as "repo,read:org" or "repo, read:org".
// It never returns nil, so "present but empty" stays distinguishable from
// "absent" for callers that care.
func parseScopes(list string) []string {
	scopes := []string{}
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	return scopes
}
