package githubtest

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The repository routes: GET /repos/{owner}/{repo}, its issues (GET and
// POST), pulls and latest release, with the shapes, statuses, pagination
// and rate-limit headers of GitHub's REST description (see
// testdata/github-rest-extract.json).

const (
	notFoundDocs     = "https://docs.github.com/rest"
	createIssueDocs  = "https://docs.github.com/rest/issues/issues#create-an-issue"
	notAccessibleMsg = "Resource not accessible by integration"
)

// caller is who makes a REST request: a token's user, or nobody.
type caller struct {
	login  string // "" when anonymous
	scopes []string
	app    bool // a GitHub App user token: permissions, not scopes
}

func (c caller) anonymous() bool { return c.login == "" }

// rateKey is whose rate limit a request spends.
func (c caller) rateKey() string {
	if c.anonymous() {
		return "\x00anonymous"
	}
	return strings.ToLower(c.login)
}

func (c caller) hasScope(scopes ...string) bool {
	for _, want := range scopes {
		if slices.Contains(c.scopes, want) {
			return true
		}
	}
	return false
}

// apiHandler serves a REST route for a caller.
type apiHandler func(w http.ResponseWriter, r *http.Request, c caller)

// api makes h a route: counted and faulted like the others, with API
// versions checked, the caller found (401 for a token GitHub would refuse;
// anonymous requests may read public data), and the rate limit of resource
// spent.
func (s *Server) api(route Route, resource string, h apiHandler) http.Handler {
	return s.route(route, restAPI(func(w http.ResponseWriter, r *http.Request) {
		var c caller
		if header := r.Header.Get("Authorization"); header != "" {
			token, ok := tokenFromHeader(header)
			s.mu.Lock()
			var t *accessToken
			if ok {
				t, ok = s.liveTokenLocked(token)
			}
			if ok {
				c = caller{login: t.login, scopes: slices.Clone(t.scopes), app: t.app()}
			}
			s.mu.Unlock()
			if !ok {
				writeAPIError(w, http.StatusUnauthorized, apiError{Message: "Bad credentials", DocumentationURL: restDocs})
				return
			}
			// GitHub reports an OAuth token's scopes on every answer.
			if !c.app {
				w.Header().Set("X-OAuth-Scopes", strings.Join(c.scopes, ", "))
			}
		}
		if !s.spendRate(w, c, resource) {
			return
		}
		h(w, r, c)
	}))
}

// findRepo returns the repository of the request's path if c may see it; it
// has answered 404 otherwise (GitHub hides private repositories, never 403).
// A private repository is visible to its owner and collaborators, with an
// OAuth token only when it carries the repo scope. Callers hold no lock.
func (s *Server) findRepo(w http.ResponseWriter, r *http.Request, c caller) (*repository, bool) {
	s.mu.Lock()
	repo, ok := s.repos[repoKey(r.PathValue("owner"), r.PathValue("repo"))]
	visible := ok && s.visibleLocked(repo, c)
	s.mu.Unlock()
	if !visible {
		writeAPIError(w, http.StatusNotFound, apiError{Message: "Not Found", DocumentationURL: notFoundDocs})
		return nil, false
	}
	return repo, true
}

// visibleLocked reports whether c sees repo. Callers hold s.mu.
func (s *Server) visibleLocked(repo *repository, c caller) bool {
	if !repo.spec.Private {
		return true
	}
	if c.anonymous() || (!c.app && !c.hasScope("repo")) {
		return false
	}
	return repo.member(c.login)
}

// member reports whether login owns or collaborates on repo.
func (repo *repository) member(login string) bool {
	if strings.EqualFold(repo.spec.Owner, login) {
		return true
	}
	return slices.ContainsFunc(repo.spec.Collaborators, func(c string) bool { return strings.EqualFold(c, login) })
}

// permitted reports whether a GitHub App token has permission at level
// ("read" or "write"); when not it has answered 403 "Resource not accessible
// by integration" naming what is needed, as GitHub does. OAuth tokens pass.
func (s *Server) permitted(w http.ResponseWriter, c caller, permission, level string) bool {
	if !c.app {
		return true
	}
	have := s.appPermissions()[permission]
	if have == "write" || have == level {
		return true
	}
	w.Header().Set("X-Accepted-GitHub-Permissions", permission+"="+level)
	writeAPIError(w, http.StatusForbidden, apiError{Message: notAccessibleMsg, DocumentationURL: notFoundDocs})
	return false
}

// appPermissions are the GitHub App's permissions: Options.AppPermissions,
// or by default issues write, pull_requests and metadata read.
func (s *Server) appPermissions() map[string]string {
	if s.opts.AppPermissions != nil {
		return s.opts.AppPermissions
	}
	return map[string]string{"issues": "write", "pull_requests": "read", "metadata": "read"}
}

// getRepo serves GET /repos/{owner}/{repo}.
func (s *Server) getRepo(w http.ResponseWriter, r *http.Request, c caller) {
	repo, ok := s.findRepo(w, r, c)
	if !ok {
		return
	}
	s.mu.Lock()
	body := s.repoJSONLocked(r, repo, true)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// listIssues serves GET /repos/{owner}/{repo}/issues: issues and pull
// requests, as GitHub lists them, filtered by state and sorted.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request, c caller) {
	s.listItems(w, r, c, false)
}

// listPulls serves GET /repos/{owner}/{repo}/pulls.
func (s *Server) listPulls(w http.ResponseWriter, r *http.Request, c caller) {
	s.listItems(w, r, c, true)
}

func (s *Server) listItems(w http.ResponseWriter, r *http.Request, c caller, pulls bool) {
	repo, ok := s.findRepo(w, r, c)
	if !ok {
		return
	}
	permission := "issues"
	if pulls {
		permission = "pull_requests"
	}
	if !s.permitted(w, c, permission, "read") {
		return
	}
	if !pulls && repo.spec.IssuesDisabled {
		writeAPIError(w, http.StatusGone, apiError{Message: "Issues are disabled for this repo", DocumentationURL: notFoundDocs})
		return
	}
	q := r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	if state != "open" && state != "closed" && state != "all" {
		writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: notFoundDocs,
			Errors: []validationError{{Resource: "Issue", Field: "state", Code: "invalid"}}})
		return
	}
	s.mu.Lock()
	var found []*issue
	for _, is := range repo.issues {
		if (pulls && !is.Pull) || (state == "open" && is.Closed) || (state == "closed" && !is.Closed) {
			continue
		}
		found = append(found, is)
	}
	sortIssues(found, q.Get("sort"), q.Get("direction"), "created")
	start, end := paginate(w, r, len(found))
	items := make([]map[string]any, 0, end-start)
	for _, is := range found[start:end] {
		if pulls {
			items = append(items, s.pullJSONLocked(r, repo, is))
		} else {
			items = append(items, s.issueJSONLocked(r, repo, is))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, items)
}

// sortIssues sorts by created (GitHub's default for lists), updated or
// comments (taken as created here), descending unless direction is asc.
func sortIssues(items []*issue, by, direction, def string) {
	by = cmp.Or(by, def)
	slices.SortStableFunc(items, func(a, b *issue) int {
		ka, kb := a.Created, b.Created
		if by == "updated" {
			ka, kb = a.Updated, b.Updated
		}
		if direction == "asc" {
			return ka.Compare(kb)
		}
		return kb.Compare(ka)
	})
}

// Pagination as GitHub's: per_page defaults to 30 and is capped at 100;
// page counts from 1; Link names first, prev, next and last pages.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// paginate returns the slice bounds of the request's page of n items and
// sets the Link header.
func paginate(w http.ResponseWriter, r *http.Request, n int) (start, end int) {
	q := r.URL.Query()
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage <= 0 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page <= 0 {
		page = 1
	}
	last := max((n+perPage-1)/perPage, 1)
	link := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return "<" + requestBase(r) + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	start = min((page-1)*perPage, n)
	return start, min(start+perPage, n)
}

// latestRelease serves GET /repos/{owner}/{repo}/releases/latest: 404 when
// there is none.
func (s *Server) latestRelease(w http.ResponseWriter, r *http.Request, c caller) {
	repo, ok := s.findRepo(w, r, c)
	if !ok {
		return
	}
	s.mu.Lock()
	var latest *release
	for i := range repo.releases {
		if latest == nil || repo.releases[i].published.After(latest.published) {
			latest = &repo.releases[i]
		}
	}
	var body map[string]any
	if latest != nil {
		body = s.releaseJSON(r, repo, *latest)
	}
	s.mu.Unlock()
	if body == nil {
		writeAPIError(w, http.StatusNotFound, apiError{Message: "Not Found", DocumentationURL: notFoundDocs})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// maxIssueBody bounds a create request (GitHub's issue bodies stop at
// 65536 characters; a little more for the JSON around it).
const maxIssueBody = 1 << 20

// createIssue serves POST /repos/{owner}/{repo}/issues. An OAuth token needs
// the repo or public_repo scope (repo for a private repository), else 404
// as GitHub hides what it would not let the token do; a GitHub App token
// needs issues=write, else 403 "Resource not accessible by integration".
func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, c caller) {
	if c.anonymous() {
		writeAPIError(w, http.StatusUnauthorized, apiError{Message: "Requires authentication", DocumentationURL: createIssueDocs})
		return
	}
	repo, ok := s.findRepo(w, r, c)
	if !ok {
		return
	}
	if !c.app {
		need := []string{"repo", "public_repo"}
		if repo.spec.Private {
			need = []string{"repo"}
		}
		w.Header().Set("X-Accepted-OAuth-Scopes", strings.Join(need, ", "))
		if !c.hasScope(need...) {
			writeAPIError(w, http.StatusNotFound, apiError{Message: "Not Found", DocumentationURL: createIssueDocs})
			return
		}
	}
	if !s.permitted(w, c, "issues", "write") {
		return
	}
	switch {
	case repo.spec.Archived:
		writeAPIError(w, http.StatusForbidden, apiError{Message: "Repository was archived so is read-only.", DocumentationURL: createIssueDocs})
		return
	case repo.spec.IssuesDisabled:
		writeAPIError(w, http.StatusGone, apiError{Message: "Issues are disabled for this repo", DocumentationURL: createIssueDocs})
		return
	}
	var req struct {
		Title *json.RawMessage `json:"title"`
		Body  *string          `json:"body"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxIssueBody+1))
	if err != nil || len(raw) > maxIssueBody || json.Unmarshal(raw, &req) != nil {
		writeAPIError(w, http.StatusBadRequest, apiError{Message: "Problems parsing JSON", DocumentationURL: createIssueDocs})
		return
	}
	// GitHub takes a string or a number as the title.
	var title string
	if req.Title != nil {
		if json.Unmarshal(*req.Title, &title) != nil {
			var n json.Number
			if json.Unmarshal(*req.Title, &n) == nil {
				title = n.String()
			}
		}
	}
	if strings.TrimSpace(title) == "" {
		writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: createIssueDocs,
			Errors: []validationError{{Resource: "Issue", Field: "title", Code: "missing_field"}}})
		return
	}
	spec := IssueSpec{Title: strings.Clone(title), Author: c.login}
	if req.Body != nil {
		spec.Body = strings.Clone(*req.Body)
	}
	s.mu.Lock()
	is := s.addIssueLocked(repo, spec)
	body := s.issueJSONLocked(r, repo, is)
	s.mu.Unlock()
	w.Header().Set("Location", body["url"].(string))
	writeJSON(w, http.StatusCreated, body)
}

// requestBase is the URL the request was made to, without its query, as the
// client sees it (a mount prefix such as the sandbox's included).
func requestBase(r *http.Request) string {
	path := r.URL.Path
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		path = u.Path
	}
	return origin(r) + path
}

// bases returns the API and web roots as the client sees them: the origin,
// any prefix the stand-in is mounted under, and /api/v3 when the request
// used Enterprise Server's paths.
func bases(r *http.Request) (api, web string) {
	mount := ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && strings.HasSuffix(u.Path, r.URL.Path) {
		mount = strings.TrimSuffix(u.Path, r.URL.Path)
	}
	web = origin(r) + mount
	api = web
	if strings.HasPrefix(r.URL.Path, "/api/v3/") {
		api += "/api/v3"
	}
	return api, web
}
