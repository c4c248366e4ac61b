package githubtest

import "net/url"

// refreshGrant serves grant_type=refresh_token (GitHub App mode): a refresh
// token works once, within its lifetime, while its pair is not revoked; using
// it revokes the old access token and issues a new pair. Any other refresh
// token gets bad_refresh_token with HTTP 200, as GitHub answers.
func (s *Server) refreshGrant(clientID, refreshToken string) url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[refreshToken]
	if !ok || t.revoked || t.clientID != clientID || !s.now().Before(t.refreshExpires) {
		return tokenError("bad_refresh_token", "The refresh token passed is incorrect or expired.",
			"https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens")
	}
	// The old pair stops working once the refresh token is used.
	t.revoked = true
	delete(s.refresh, refreshToken)
	return s.tokenAnswerLocked(s.tokens[s.issueTokenLocked(t.login, t.scopes)])
}
