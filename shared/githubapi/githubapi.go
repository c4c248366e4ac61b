// Package githubapi is chatops.GitHub on google/go-github: GitHub's REST API
// acting as one chat user, with that user's token.
//
// It speaks to github.com, to a GitHub Enterprise Server (GITHUB_API_URL
// ending in /api/v3) and to the stand-in (githubtest), whatever the URL's
// path. Every answer GitHub refuses becomes one of chatops' error types
// (classify in errors.go); no error or log line carries the token.
package githubapi

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"

	"rcgithub/shared/chatops"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// The default client's bounds. It has no timeout of its own per request: the
// caller's context bounds each call (the webhook's deadline, a deferred run's
// minutes), so that a deferred run can outwait a slow GitHub. The transport
// still gives up on a connection that cannot be made and on a GitHub that
// never starts answering, whatever context a caller forgot to bound.
const (
	// DefaultDialTimeout bounds making a connection.
	DefaultDialTimeout = 10 * time.Second
	// DefaultTLSHandshakeTimeout bounds the TLS handshake.
	DefaultTLSHandshakeTimeout = 10 * time.Second
	// DefaultResponseHeaderTimeout bounds the wait for an answer's headers
	// once the request is sent: the longest any caller waits (the local
	// server's deferred run, 2 minutes).
	DefaultResponseHeaderTimeout = 2 * time.Minute
)

// userAgent names the service to GitHub, which requires a User-Agent.
const userAgent = "rcgithub"

// Config says where GitHub is and how to reach it.
type Config struct {
	// APIURL is GITHUB_API_URL: https://api.github.com (the default),
	// https://HOST/api/v3 for GitHub Enterprise Server, or the stand-in's URL.
	APIURL string
	// HTTPClient makes every request; default: DefaultHTTPClient().
	HTTPClient *http.Client
	// Now tells the time a Retry-After counts from; default time.Now.
	Now func() time.Time
}

// API makes clients of GitHub's REST API, one per token. It is safe for
// concurrent use.
type API struct {
	base   *github.Client // without a token; each For copies it
	badURL error          // APIURL could not be used: every call fails with it
	now    func() time.Time
}

// New returns the API that cfg describes. An APIURL that is not an absolute
// http(s) URL makes every call fail with an error that says so (config
// validates GITHUB_API_URL at start-up; this is the last line).
func New(cfg Config) *API {
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = DefaultHTTPClient()
	}
	a := &API{now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	a.base = github.NewClient(httpClient)
	a.base.UserAgent = userAgent
	base, err := baseURL(cfg.APIURL)
	if err != nil {
		a.badURL = err
		return a
	}
	a.base.BaseURL = base
	return a
}

// DefaultHTTPClient is the client New uses when Config gives none: no
// timeout per request (the caller's context bounds a call), and a transport
// with DefaultDialTimeout, DefaultTLSHandshakeTimeout and
// DefaultResponseHeaderTimeout, proxies from the environment as
// http.DefaultTransport.
func DefaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   DefaultTLSHandshakeTimeout,
		ResponseHeaderTimeout: DefaultResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}}
}

// baseURL turns GITHUB_API_URL into go-github's BaseURL: go-github resolves
// paths such as "repos/o/r" against it, so it must end in a slash, and the
// path is kept as given (/api/v3 on Enterprise Server, a mount path for the
// sandbox's stand-in) rather than guessed as WithEnterpriseURLs would.
func baseURL(apiURL string) (*url.URL, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("githubapi: GITHUB_API_URL %q is not an http(s) URL", apiURL)
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// For returns the API acting with token; api.For is a chatops.Connect. It
// never fails: a bad token shows as chatops.ErrUnauthorized on the first call.
func (a *API) For(token string) chatops.GitHub {
	return &client{gh: a.base.WithAuthToken(token), badURL: a.badURL, now: a.now,
		appToken: strings.HasPrefix(token, "ghu_")}
}

var _ chatops.Connect = (*API)(nil).For

// client is chatops.GitHub for one token.
type client struct {
	gh     *github.Client
	badURL error
	now    func() time.Time
	// appToken: a GitHub App user token (ghu_), which GitHub's search refuses
	// to mix issues and pull requests for.
	appToken bool
}
