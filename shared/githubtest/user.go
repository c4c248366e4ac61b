package githubtest

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

const (
	userDocs = "https://docs.github.com/rest/users/users#get-the-authenticated-user"
	restDocs = "https://docs.github.com/rest"
)

// apiUser is GitHub's public-user object: every field the REST description
// requires, with made-up values.
type apiUser struct {
	Login             string  `json:"login"`
	ID                int64   `json:"id"`
	NodeID            string  `json:"node_id"`
	AvatarURL         string  `json:"avatar_url"`
	GravatarID        string  `json:"gravatar_id"`
	URL               string  `json:"url"`
	HTMLURL           string  `json:"html_url"`
	FollowersURL      string  `json:"followers_url"`
	FollowingURL      string  `json:"following_url"`
	GistsURL          string  `json:"gists_url"`
	StarredURL        string  `json:"starred_url"`
	SubscriptionsURL  string  `json:"subscriptions_url"`
	OrganizationsURL  string  `json:"organizations_url"`
	ReposURL          string  `json:"repos_url"`
	EventsURL         string  `json:"events_url"`
	ReceivedEventsURL string  `json:"received_events_url"`
	Type              string  `json:"type"`
	SiteAdmin         bool    `json:"site_admin"`
	Name              string  `json:"name"`
	Company           *string `json:"company"`
	Blog              string  `json:"blog"`
	Location          *string `json:"location"`
	Email             *string `json:"email"`
	Hireable          *bool   `json:"hireable"`
	Bio               *string `json:"bio"`
	PublicRepos       int     `json:"public_repos"`
	PublicGists       int     `json:"public_gists"`
	Followers         int     `json:"followers"`
	Following         int     `json:"following"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
}

// newAPIUser fills in the user object of login as served from the API root
// apiBase, with its profile page under the web root webBase (see bases).
func newAPIUser(login, apiBase, webBase string) apiUser {
	id := userID(login)
	api := apiBase + "/users/" + login
	return apiUser{
		Login: login, ID: id,
		NodeID:       base64.StdEncoding.EncodeToString([]byte("04:User" + strconv.FormatInt(id, 10))),
		AvatarURL:    "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(id, 10) + "?v=4",
		URL:          api,
		HTMLURL:      webBase + "/" + login,
		FollowersURL: api + "/followers", FollowingURL: api + "/following{/other_user}",
		GistsURL: api + "/gists{/gist_id}", StarredURL: api + "/starred{/owner}{/repo}",
		SubscriptionsURL: api + "/subscriptions", OrganizationsURL: api + "/orgs",
		ReposURL: api + "/repos", EventsURL: api + "/events{/privacy}",
		ReceivedEventsURL: api + "/received_events",
		Type:              "User",
		Name:              login,
		CreatedAt:         "2008-01-14T04:33:35Z",
		UpdatedAt:         "2008-01-14T04:33:35Z",
	}
}

// user serves GET /user for a token given as "Bearer" or "token".
func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	token, ok := tokenFromHeader(r.Header.Get("Authorization"))
	if !ok {
		writeAPIError(w, http.StatusUnauthorized, apiError{Message: "Requires authentication", DocumentationURL: userDocs})
		return
	}
	s.mu.Lock()
	t, live := s.liveTokenLocked(token)
	var login string
	var scopes []string
	var app bool
	if live {
		login, scopes, app = t.login, t.scopes, t.app()
	}
	s.mu.Unlock()
	if !live {
		writeAPIError(w, http.StatusUnauthorized, apiError{Message: "Bad credentials", DocumentationURL: restDocs})
		return
	}

	// Present even when empty for OAuth App tokens; GitHub App tokens lack it.
	if !app {
		w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ", "))
		w.Header().Set("X-Accepted-OAuth-Scopes", "")
	}
	api, web := bases(r)
	writeJSON(w, http.StatusOK, newAPIUser(login, api, web))
}

// tokenFromHeader reads "Bearer TOKEN" or "token TOKEN".
func tokenFromHeader(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || token == "" {
		return "", false
	}
	if !strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// origin is the scheme and host the request was made to.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
