// Package githubtest is a stand-in for GitHub: the OAuth web flow (consent
// page and token endpoint) and the REST endpoints the service uses (GET /user,
// the app's token and grant revocation, and for the chat commands a
// repository, its issues, pull requests and latest release, creating an issue
// and searching issues; see world.go, repos.go, search.go, ratelimit.go). It follows GitHub's recorded
// behaviour: token errors come with HTTP 200, codes live ten minutes and work
// once, PKCE is S256 only, at most ten tokens live per user and scope set. In
// GitHub App mode (Options.GitHubApp) tokens expire and are refreshed.
// What it keeps is bounded (codes, token records), since anyone who reaches
// the consent page can mint codes.
//
// It is a real HTTP server, not test-only code: the tests use it, and the
// local server's sandbox mode serves it so that a newcomer can walk the flow
// in a browser without a GitHub app. Everything is served on one origin, so
// the client's BaseURL and APIURL can both be the server's URL; the REST
// routes are also served under /api/v3, like GitHub Enterprise Server.
//
// Tests drive it through a Go API: Authorize and Deny do what the browser
// would, TokenAlive, LiveTokens and RevokeAll inspect and change its state,
// and SetFault makes routes fail or answer slowly. Nothing it logs contains
// a token, code, state, verifier or secret.
package githubtest

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Options configures the stand-in's one OAuth App.
type Options struct {
	ClientID     string
	ClientSecret string
	// RedirectURLs are the callback URLs the app registered. A redirect_uri
	// must equal one of them; the first is used when a request gives none.
	// Empty allows any redirect_uri (and then one is required).
	RedirectURLs []string
	// AppName is shown on the consent page; default "rcgithub".
	AppName string
	// Now tells the time for code lifetimes; default time.Now.
	Now func() time.Time
	// Logger gets one line per request (route and status); nil logs nothing.
	Logger *slog.Logger
	// GitHubApp makes the app a GitHub App that issues expiring user tokens:
	// ghu_ tokens that work for 8 hours (by Now), each with a ghr_ refresh
	// token that works once within 6 months. Without it the app is an OAuth
	// App whose gho_ tokens do not expire.
	GitHubApp bool
	// AppPermissions are the GitHub App's permissions ("issues": "write",
	// "pull_requests": "read", ...): its user tokens get 403 "Resource not
	// accessible by integration" beyond them. Default: issues write,
	// pull_requests and metadata read. Ignored for an OAuth App.
	AppPermissions map[string]string
	// World seeds the sandbox's repositories (Seed) at start.
	World bool
}

// Server is the stand-in. Its methods are safe for concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	handler http.Handler

	mu       sync.Mutex
	codes    map[string]*authCode
	tokens   map[string]*accessToken
	refresh  map[string]*accessToken // by refresh token; GitHub App mode only
	issued   int64                   // tokens issued so far; orders tokens by age
	faults   map[Route]*activeFault
	requests map[Route]int
	repos    map[string]*repository // by repoKey; world.go
	rates    map[string]*rateBucket // by user and resource; ratelimit.go
	nextID   int64                  // ids of repositories, issues, releases
	asked    [][]string             // scopes of the last authorize decisions (authorize.go)
	// Bounds on what is kept (maxCodes, maxTokens); tests lower them.
	maxCodes, maxTokens int
}

// New returns a stand-in for the app described by opts.
func New(opts Options) *Server {
	if opts.AppName == "" {
		opts.AppName = "rcgithub"
	}
	s := &Server{
		opts:      opts,
		now:       opts.Now,
		log:       opts.Logger,
		codes:     map[string]*authCode{},
		tokens:    map[string]*accessToken{},
		refresh:   map[string]*accessToken{},
		faults:    map[Route]*activeFault{},
		requests:  map[Route]int{},
		repos:     map[string]*repository{},
		rates:     map[string]*rateBucket{},
		maxCodes:  maxCodes,
		maxTokens: maxTokens,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.handler = s.routes()
	if opts.World {
		s.Seed()
	}
	return s
}

// Handler serves the OAuth pages and the REST API; serve it on any listener.
func (s *Server) Handler() http.Handler { return s.handler }

// Start serves the stand-in on a new local port and returns its URL (use it
// as both BaseURL and APIURL) and a function that stops it.
func (s *Server) Start() (url string, stop func()) {
	ts := httptest.NewServer(s.handler)
	return ts.URL, ts.Close
}

// Paths of the OAuth pages.
const (
	authorizePath   = "/login/oauth/authorize"
	accessTokenPath = "/login/oauth/access_token"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.Handle("GET "+authorizePath, s.route(RouteAuthorize, s.showConsent))
	mux.Handle("POST "+authorizePath, s.route(RouteAuthorize, s.answerConsent))
	mux.Handle("POST "+accessTokenPath, s.route(RouteToken, s.accessToken))
	for _, prefix := range []string{"", "/api/v3"} {
		mux.Handle("GET "+prefix+"/user", s.route(RouteUser, restAPI(s.user)))
		mux.Handle("DELETE "+prefix+"/applications/{client_id}/token", s.route(RouteRevokeToken, restAPI(s.revokeToken)))
		mux.Handle("DELETE "+prefix+"/applications/{client_id}/grant", s.route(RouteRevokeGrant, restAPI(s.revokeGrant)))
		repo := prefix + "/repos/{owner}/{repo}"
		mux.Handle("GET "+repo, s.api(RouteRepo, resourceCore, s.getRepo))
		mux.Handle("GET "+repo+"/issues", s.api(RouteIssues, resourceCore, s.listIssues))
		mux.Handle("POST "+repo+"/issues", s.api(RouteCreateIssue, resourceCore, s.createIssue))
		mux.Handle("GET "+repo+"/pulls", s.api(RoutePulls, resourceCore, s.listPulls))
		mux.Handle("GET "+repo+"/releases/latest", s.api(RouteRelease, resourceCore, s.latestRelease))
		mux.Handle("GET "+prefix+"/search/issues", s.api(RouteSearch, resourceSearch, s.searchIssues))
	}
	return mux
}

// route counts and logs a request to one route and applies its fault, if any.
func (s *Server) route(route Route, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[route]++
		s.mu.Unlock()

		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			// Only the route and status: paths and queries carry codes and states.
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "github stand-in",
				slog.String("route", string(route)), slog.String("method", r.Method), slog.Int("status", rec.status))
		}()
		if s.applyFault(rec, r, route) {
			return
		}
		h(rec, r)
	})
}

// statusRecorder remembers the status written, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// apiVersions are the REST API versions GitHub accepts in X-GitHub-Api-Version
// (docs "API Versions"; the dated descriptions in github/rest-api-description).
var apiVersions = map[string]bool{"2022-11-28": true, "2026-03-10": true}

// restAPI refuses, as GitHub does with 400, a request naming a REST API
// version it does not support; without the header GitHub uses 2022-11-28.
func restAPI(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Values("X-GitHub-Api-Version"); len(v) > 0 && !apiVersions[v[0]] {
			writeAPIError(w, http.StatusBadRequest, apiError{
				Message:          "Unsupported API version in X-GitHub-Api-Version.",
				DocumentationURL: "https://docs.github.com/rest/overview/api-versions"})
			return
		}
		h(w, r)
	}
}
