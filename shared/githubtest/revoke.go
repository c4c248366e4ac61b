package githubtest

import (
	"encoding/json"
	"io"
	"net/http"
)

const (
	deleteTokenDocs = "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token"
	deleteGrantDocs = "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization"
)

// revokeToken serves DELETE /applications/{client_id}/token: one token.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	s.revoke(w, r, deleteTokenDocs, func(t *accessToken) { t.revoked = true })
}

// revokeGrant serves DELETE /applications/{client_id}/grant: the user's
// authorization of the app, and so all of their tokens for it.
func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request) {
	s.revoke(w, r, deleteGrantDocs, func(t *accessToken) {
		// Expired GitHub App tokens too: their refresh tokens die with them.
		for _, other := range s.tokens {
			if other.login == t.login && other.clientID == t.clientID {
				other.revoked = true
			}
		}
	})
}

// revoke authenticates the app (HTTP Basic, client_id:client_secret), reads
// {"access_token": ...} and applies do to the token, with s.mu held.
//
// Answers: 204 when done; 422 (the one error GitHub's REST description
// lists for these operations) when the body has no access_token and for a
// token that is unknown, already revoked or another app's; 401 without or
// with wrong credentials and 404 when the path names another app, GitHub's
// shared answers for those. testdata/github-rest-extract.json records the
// sources. The client does not depend on the 4xx: it confirms with GET /user.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request, docs string, do func(*accessToken)) {
	clientID, secret, ok := r.BasicAuth()
	switch {
	case !ok:
		writeAPIError(w, http.StatusUnauthorized, apiError{Message: "Requires authentication", DocumentationURL: docs})
		return
	case !s.clientMatches(clientID, secret):
		writeAPIError(w, http.StatusUnauthorized, apiError{Message: "Bad credentials", DocumentationURL: restDocs})
		return
	case r.PathValue("client_id") != clientID:
		writeAPIError(w, http.StatusNotFound, apiError{Message: "Not Found", DocumentationURL: docs})
		return
	}

	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil || body.AccessToken == "" {
		writeAPIError(w, http.StatusUnprocessableEntity, apiError{
			Message: "Invalid request.\n\n\"access_token\" wasn't supplied.", DocumentationURL: docs})
		return
	}

	s.mu.Lock()
	t, live := s.liveTokenLocked(body.AccessToken)
	found := live && t.clientID == clientID
	if found {
		do(t)
	}
	s.mu.Unlock()
	if !found {
		writeAPIError(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed", DocumentationURL: docs,
			Errors: []validationError{{Resource: "OauthAccess", Field: "access_token", Code: "invalid"}}})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
