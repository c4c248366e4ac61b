package githubtest

import "strings"

// This file is the Go API tests use to look into and change the stand-in's
// state without going through HTTP.

// TokenAlive reports whether GitHub would accept the token.
func (s *Server) TokenAlive(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.liveTokenLocked(token)
	return ok
}

// LiveTokens returns the working tokens of login, oldest first.
func (s *Server) LiveTokens(login string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return tokenValues(s.liveTokensLocked(func(t *accessToken) bool { return t.login == login }))
}

// RevokedTokens returns every token that stopped working, by revocation, by
// the cap on tokens or by RevokeAll, oldest first.
func (s *Server) RevokedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var revoked []string
	for _, t := range s.allTokensLocked() {
		if t.revoked {
			revoked = append(revoked, t.value)
		}
	}
	return revoked
}

// RevokeAll does what the person does by revoking the app in their GitHub
// settings: every token of login stops working, refresh tokens too. It
// returns how many access tokens that were still working did.
func (s *Server) RevokeAll(login string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.tokens {
		if t.login != login || t.revoked {
			continue
		}
		if s.aliveLocked(t) {
			n++
		}
		t.revoked = true // an expired token's refresh token dies with it
	}
	return n
}

// RefreshAlive reports whether GitHub would accept the refresh token.
func (s *Server) RefreshAlive(refreshToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[refreshToken]
	return ok && !t.revoked && s.now().Before(t.refreshExpires)
}

// IssueToken creates a working token for login with the scopes, as if the
// flow had run; for tests that need a token but not the flow. The cap on
// tokens applies.
func (s *Server) IssueToken(login string, scopes ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueTokenLocked(login, normalizeScopes(strings.Join(scopes, " ")))
}

// allTokensLocked returns every token, oldest first. Callers hold s.mu.
func (s *Server) allTokensLocked() []*accessToken {
	all := make([]*accessToken, 0, len(s.tokens))
	for _, t := range s.tokens {
		all = append(all, t)
	}
	sortByAge(all)
	return all
}

func tokenValues(tokens []*accessToken) []string {
	values := make([]string, len(tokens))
	for i, t := range tokens {
		values[i] = t.value
	}
	return values
}
