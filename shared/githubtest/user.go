package githubtest

import (
	"net/http"
	"strconv"
	"strings"
)

const userDocs = "https://docs.github.com/rest/users/users#get-the-authenticated-user"

// apiUser is the part of GitHub's user object the stand-in fills in.
type apiUser struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Name      string `json:"name"`
	HTMLURL   string `json:"html_url"`
	AvatarURL string `json:"avatar_url"`
}

// user serves GET /user for a token given as "Bearer" or "token".
func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	token, ok := tokenFromHeader(r.Header.Get("Authorization"))
	if !ok {
		writeJSON(w, http.StatusUnauthorized, apiError{Message: "Requires authentication", DocumentationURL: userDocs})
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
		writeJSON(w, http.StatusUnauthorized, apiError{Message: "Bad credentials", DocumentationURL: "https://docs.github.com/rest"})
		return
	}

	id := userID(login)
	// Present even when empty for OAuth App tokens; GitHub App tokens lack it.
	if !app {
		w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ", "))
		w.Header().Set("X-Accepted-OAuth-Scopes", "")
	}
	writeJSON(w, http.StatusOK, apiUser{
		Login:     login,
		ID:        id,
		Type:      "User",
		Name:      login,
		HTMLURL:   origin(r) + "/" + login,
		AvatarURL: "https://avatars.githubusercontent.com/u/" + strconv.FormatInt(id, 10) + "?v=4",
	})
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
