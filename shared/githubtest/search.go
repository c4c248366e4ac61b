package githubtest

import (
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// GET /search/issues: issues and pull requests matching a query, in the
// repositories the caller sees, on its own rate limit (30 a minute).
//
// The stand-in understands a flat subset of GitHub's search syntax: words
// (matched in titles and bodies), quoted phrases, and the qualifiers is:
// (open, closed, issue, pr, pull-request, public, private), state:, type:,
// author:, assignee:, review-requested:, repo:, user:, org: and label:,
// each negatable with "-" and taking @me for the caller. Parentheses and AND
// are accepted (everything is ANDed); OR answers 422, which says so.

const searchDocs = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests"

// term is one condition of a query.
type term struct {
	negate      bool
	qualifier   string // "" for a word
	value       string
	unsupported bool
}

// parseQuery splits q into terms, honouring double quotes.
func parseQuery(q string) []term {
	var (
		terms  []term
		cur    strings.Builder
		quoted bool
	)
	flush := func() {
		word := cur.String()
		cur.Reset()
		if word == "" || word == "AND" {
			return
		}
		t := term{}
		if word == "OR" || word == "NOT" {
			t.unsupported = true
		}
		if strings.HasPrefix(word, "-") && len(word) > 1 {
			t.negate, word = true, word[1:]
		}
		if k, v, ok := strings.Cut(word, ":"); ok && k != "" && v != "" && isQualifier(k) {
			t.qualifier, t.value = strings.ToLower(k), strings.Trim(v, `"`)
		} else {
			t.value = strings.Trim(word, `"`)
		}
		terms = append(terms, t)
	}
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case !quoted && (unicode.IsSpace(r) || r == '(' || r == ')'):
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return terms
}

func isQualifier(k string) bool {
	switch strings.ToLower(k) {
	case "is", "state", "type", "author", "assignee", "review-requested", "repo", "user", "org", "label":
		return true
	}
	return false
}

// searchIssues serves GET /search/issues.
func (s *Server) searchIssues(w http.ResponseWriter, r *http.Request, c caller) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: searchDocs,
			Errors: []validationError{{Resource: "Search", Field: "q", Code: "missing"}}})
		return
	}
	terms := parseQuery(q)
	typed := false
	for _, t := range terms {
		if t.unsupported {
			writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: searchDocs,
				Errors: []validationError{{Resource: "Search", Field: "q", Code: "invalid",
					Message: "The GitHub stand-in does not support OR or NOT; every term is ANDed."}}})
			return
		}
		if !t.negate && (t.qualifier == "is" || t.qualifier == "type") && kindOf(t.value) != "" {
			typed = true
		}
		if c.anonymous() && t.value == "@me" {
			writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: searchDocs,
				Errors: []validationError{{Resource: "Search", Field: "q", Code: "invalid",
					Message: "@me requires authentication."}}})
			return
		}
	}
	// The REST description: GitHub App user tokens must choose one kind.
	if c.app && !typed {
		writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: searchDocs,
			Errors: []validationError{{Resource: "Search", Field: "q", Code: "invalid",
				Message: "Query must include 'is:issue' or 'is:pull-request' when made with a GitHub App user access token."}}})
		return
	}

	query := r.URL.Query()
	s.mu.Lock()
	var found []*issue
	where := map[*issue]*repository{}
	for _, repo := range s.repos {
		if !s.visibleLocked(repo, c) {
			continue
		}
		for _, is := range repo.issues {
			if matchesAll(terms, repo, is, c.login) {
				found = append(found, is)
				where[is] = repo
			}
		}
	}
	// Best match is taken as most recently updated; "comments" as created.
	sortIssues(found, query.Get("sort"), query.Get("order"), "updated")
	start, end := paginate(w, r, len(found))
	items := make([]map[string]any, 0, end-start)
	for _, is := range found[start:end] {
		item := s.issueJSONLocked(r, where[is], is)
		item["score"] = 1.0
		items = append(items, item)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(found), "incomplete_results": false,
		"items": items, "search_type": "lexical"})
}

// kindOf maps is:/type: values naming a kind to "issue" or "pr".
func kindOf(v string) string {
	switch strings.ToLower(v) {
	case "issue":
		return "issue"
	case "pr", "pull-request", "pull_request":
		return "pr"
	}
	return ""
}

func matchesAll(terms []term, repo *repository, is *issue, me string) bool {
	for _, t := range terms {
		if matches(t, repo, is, me) == t.negate {
			return false
		}
	}
	return true
}

// matches reports whether is (in repo) meets t, negation aside.
func matches(t term, repo *repository, is *issue, me string) bool {
	v := t.value
	if v == "@me" {
		v = me
	}
	same := func(a string) bool { return strings.EqualFold(a, v) }
	switch t.qualifier {
	case "":
		text := strings.ToLower(is.Title + "\n" + is.Body)
		return strings.Contains(text, strings.ToLower(v))
	case "is", "state", "type":
		switch strings.ToLower(v) {
		case "open":
			return !is.Closed
		case "closed":
			return is.Closed
		case "public":
			return !repo.spec.Private
		case "private":
			return repo.spec.Private
		}
		switch kindOf(v) {
		case "issue":
			return !is.Pull
		case "pr":
			return is.Pull
		}
		return false
	case "author":
		return same(is.Author)
	case "assignee":
		return slices.ContainsFunc(is.Assignees, same)
	case "review-requested":
		return is.Pull && slices.ContainsFunc(is.Reviewers, same)
	case "repo":
		return same(repo.spec.Owner + "/" + repo.spec.Name)
	case "user", "org":
		return same(repo.spec.Owner)
	case "label":
		return slices.ContainsFunc(is.Labels, same)
	}
	return false
}
