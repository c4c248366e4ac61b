package githubtest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Error descriptions and documentation links, as GitHub words them.
const (
	troubleshootAuthorize = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/"
	redirectMismatchText  = "The redirect_uri MUST match the registered callback URL for this application."
	accessDeniedText      = "The user has denied your application access."
)

// maxScopeParam bounds the scope parameter, and maxConsentBody the consent
// form: both are sent by anyone who reaches the page.
const (
	maxScopeParam  = 1000
	maxConsentBody = 64 << 10
)

// defaultLogin is proposed on the consent page and used by Authorize when
// given no login.
const defaultLogin = "octocat"

var (
	// loginPattern is GitHub's rule for user names: letters, digits and single
	// inner hyphens, at most 39 characters.
	loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$`)
	// challengePattern is an S256 challenge: 32 bytes in unpadded base64url.
	challengePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
)

// authorizeRequest is a valid authorize request.
type authorizeRequest struct {
	clientID    string
	redirectURI string // where to send the browser back
	state       string
	scopes      []string
	challenge   string
	login       string // proposed login, from the login parameter
}

// authorizeProblem is what happens instead of the consent page: GitHub either
// redirects back with an error (location) or shows a page (status, message).
type authorizeProblem struct {
	location string
	status   int
	message  string
	badLogin bool // the consent page is shown again with the message
}

// parseAuthorize validates the authorize parameters, in GitHub's order:
// client, redirect_uri, then the rest.
func (s *Server) parseAuthorize(q url.Values) (authorizeRequest, *authorizeProblem) {
	if q.Get("client_id") == "" || q.Get("client_id") != s.opts.ClientID {
		return authorizeRequest{}, &authorizeProblem{status: http.StatusNotFound, message: "Not Found: no OAuth App has this client_id."}
	}
	// GitHub has a few dozen scopes; a longer list is junk that a code
	// would otherwise keep for ten minutes.
	if len(q.Get("scope")) > maxScopeParam {
		return authorizeRequest{}, &authorizeProblem{status: http.StatusBadRequest, message: "scope is too long."}
	}
	req := authorizeRequest{
		clientID:  q.Get("client_id"),
		state:     q.Get("state"),
		scopes:    normalizeScopes(q.Get("scope")),
		challenge: q.Get("code_challenge"),
		login:     q.Get("login"),
	}

	registered := s.opts.RedirectURLs
	given := q.Get("redirect_uri")
	switch {
	case given == "" && len(registered) == 0:
		return req, &authorizeProblem{status: http.StatusBadRequest, message: "redirect_uri is required: this app has no registered callback URL."}
	case given == "":
		req.redirectURI = registered[0]
	case !isAbsoluteURL(given):
		return req, &authorizeProblem{status: http.StatusBadRequest, message: "redirect_uri is not an absolute http(s) URL."}
	case len(registered) > 0 && !slices.Contains(registered, given):
		// GitHub does not send the browser to an unregistered URL: the error
		// goes to the registered callback.
		return req, &authorizeProblem{location: withQuery(registered[0], errorParams(
			"redirect_uri_mismatch", redirectMismatchText, troubleshootAuthorize+"#redirect-uri-mismatch", req.state))}
	default:
		req.redirectURI = given
	}

	// GitHub accepts a missing state; the stand-in does not, to catch a
	// service that forgot it.
	if req.state == "" {
		return req, &authorizeProblem{status: http.StatusBadRequest, message: "state is required."}
	}
	method := q.Get("code_challenge_method")
	if req.challenge != "" || method != "" {
		if method != "S256" {
			return req, &authorizeProblem{status: http.StatusBadRequest, message: "code_challenge_method must be S256: GitHub does not support plain."}
		}
		if !challengePattern.MatchString(req.challenge) {
			return req, &authorizeProblem{status: http.StatusBadRequest, message: "code_challenge must be an S256 challenge (43 base64url characters)."}
		}
	}
	return req, nil
}

// maxAsked bounds how many scope lists AskedScopes keeps: the consent page
// is open to anyone who reaches the stand-in.
const maxAsked = 100

// AskedScopes returns the scopes of the authorize requests answered so far
// (Authorize, Deny or the consent form), oldest first, the last 100 at most;
// each list is sorted, without duplicates, as the scope parameter asked.
func (s *Server) AskedScopes() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]string, len(s.asked))
	for i, scopes := range s.asked {
		out[i] = cloneStrings(scopes)
	}
	return out
}

// decide answers the consent page: "authorize" as login, or "deny". It
// returns where the browser goes next.
func (s *Server) decide(req authorizeRequest, decision, login string) (string, *authorizeProblem) {
	if decision == "authorize" || decision == "deny" {
		s.mu.Lock()
		s.asked = append(s.asked, cloneStrings(req.scopes))
		if len(s.asked) > maxAsked {
			s.asked = slices.Delete(s.asked, 0, len(s.asked)-maxAsked)
		}
		s.mu.Unlock()
	}
	switch decision {
	case "authorize":
		if !loginPattern.MatchString(login) {
			return "", &authorizeProblem{status: http.StatusBadRequest, badLogin: true,
				message: "That is not a GitHub login: use letters, digits and single hyphens, at most 39 characters."}
		}
		s.mu.Lock()
		code := s.newCodeLocked(authCode{
			clientID:    req.clientID,
			login:       login,
			redirectURI: req.redirectURI,
			scopes:      req.scopes,
			challenge:   req.challenge,
		})
		s.mu.Unlock()
		return withQuery(req.redirectURI, url.Values{"code": {code}, "state": {req.state}}), nil
	case "deny":
		return withQuery(req.redirectURI, errorParams(
			"access_denied", accessDeniedText, troubleshootAuthorize+"#access-denied", req.state)), nil
	default:
		return "", &authorizeProblem{status: http.StatusBadRequest, message: "Choose Authorize or Deny."}
	}
}

// showConsent serves GET /login/oauth/authorize.
func (s *Server) showConsent(w http.ResponseWriter, r *http.Request) {
	req, problem := s.parseAuthorize(r.URL.Query())
	if problem != nil {
		s.writeProblem(w, r, problem)
		return
	}
	login := req.login
	if login == "" {
		login = defaultLogin
	}
	s.writeConsent(w, http.StatusOK, r.URL.Query(), req, login, "")
}

// answerConsent serves POST /login/oauth/authorize, sent by the consent page.
func (s *Server) answerConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxConsentBody)
	if err := r.ParseForm(); err != nil {
		s.writeProblem(w, r, &authorizeProblem{status: http.StatusBadRequest, message: "The form could not be read."})
		return
	}
	form := r.PostForm
	req, problem := s.parseAuthorize(form)
	if problem != nil {
		s.writeProblem(w, r, problem)
		return
	}
	login := strings.TrimSpace(form.Get("login"))
	location, problem := s.decide(req, form.Get("decision"), login)
	switch {
	case problem != nil && problem.badLogin:
		s.writeConsent(w, problem.status, form, req, login, problem.message)
	case problem != nil:
		s.writeProblem(w, r, problem)
	default:
		http.Redirect(w, r, location, http.StatusFound)
	}
}

func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, p *authorizeProblem) {
	if p.location != "" {
		http.Redirect(w, r, p.location, http.StatusFound)
		return
	}
	writePage(w, p.status, errorPage, errorPageData{Title: http.StatusText(p.status), Message: p.message})
}

// Authorize does what a browser does on the consent page when the person
// signs in as login (default "octocat") and presses Authorize: it returns the
// Location GitHub redirects to, normally redirect_uri?code=...&state=...
// Error redirects (redirect_uri_mismatch) are returned the same way; an error
// means GitHub would have shown a page instead of redirecting.
func (s *Server) Authorize(authorizeURL, login string) (callbackURL string, err error) {
	if login == "" {
		login = defaultLogin
	}
	return s.submitConsent(authorizeURL, "authorize", login)
}

// Deny does what a browser does when the person presses Deny: it returns the
// Location, redirect_uri?error=access_denied&...&state=...
func (s *Server) Deny(authorizeURL string) (callbackURL string, err error) {
	return s.submitConsent(authorizeURL, "deny", "")
}

func (s *Server) submitConsent(authorizeURL, decision, login string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", fmt.Errorf("githubtest: reading the authorize URL: %w", err)
	}
	if !strings.HasSuffix(u.Path, authorizePath) {
		return "", fmt.Errorf("githubtest: %q is not the authorize page", u.Path)
	}
	req, problem := s.parseAuthorize(u.Query())
	if problem == nil {
		var location string
		if location, problem = s.decide(req, decision, login); problem == nil {
			return location, nil
		}
	}
	if problem.location != "" {
		return problem.location, nil
	}
	return "", fmt.Errorf("githubtest: authorize page answers %d: %s", problem.status, problem.message)
}

// errorParams are the query parameters of an error redirect.
func errorParams(code, description, uri, state string) url.Values {
	v := url.Values{"error": {code}, "error_description": {description}, "error_uri": {uri}}
	if state != "" {
		v.Set("state", state)
	}
	return v
}

// withQuery adds params to the query of base, keeping what base has.
func withQuery(base string, params url.Values) string {
	u, err := url.Parse(base)
	if err != nil {
		return base + "?" + params.Encode()
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
