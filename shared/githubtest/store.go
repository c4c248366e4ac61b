package githubtest

import (
	"cmp"
	"crypto/rand"
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

const (
	// codeLifetime is how long an authorization code can be exchanged.
	codeLifetime = 10 * time.Minute
	// maxTokensPerScope is how many tokens GitHub keeps per user, app and
	// scope set; issuing one more makes the oldest stop working.
	maxTokensPerScope = 10
	// GitHub App user tokens work 8 hours, their refresh tokens about 6 months.
	appTokenLifetime = 28800 * time.Second
	refreshLifetime  = 15811200 * time.Second
)

// authCode is an authorization code handed to the app's callback.
type authCode struct {
	clientID    string
	login       string
	redirectURI string // the one the authorize request used
	scopes      []string
	challenge   string // S256 PKCE challenge; empty without PKCE
	issuedAt    time.Time
	used        bool
}

// accessToken is an OAuth App token (gho_...) or, in GitHub App mode, a user
// token (ghu_...) with its refresh token (ghr_...).
type accessToken struct {
	value    string
	clientID string
	login    string
	scopes   []string
	seq      int64 // issue order: lower is older
	revoked  bool
	// GitHub App user tokens only; zero otherwise.
	expires        time.Time
	refreshToken   string
	refreshExpires time.Time
}

// app reports whether t is a GitHub App user token.
func (t *accessToken) app() bool { return t.refreshToken != "" }

// newCodeLocked stores c under a fresh code. Callers hold s.mu.
func (s *Server) newCodeLocked(c authCode) string {
	code := strings.ToLower(rand.Text())[:20] // GitHub's codes are 20 characters
	c.issuedAt = s.now()
	s.codes[code] = &c
	return code
}

// issueTokenLocked creates a token for login and, past the cap, revokes the
// oldest live token with the same scopes. Callers hold s.mu.
func (s *Server) issueTokenLocked(login string, scopes []string) string {
	same := s.liveTokensLocked(func(t *accessToken) bool {
		return t.login == login && slices.Equal(t.scopes, scopes)
	})
	for len(same) >= maxTokensPerScope {
		same[0].revoked = true
		same = same[1:]
	}
	s.issued++
	t := &accessToken{
		value:    "gho_" + rand.Text(),
		clientID: s.opts.ClientID,
		login:    login,
		scopes:   slices.Clone(scopes),
		seq:      s.issued,
	}
	if s.opts.GitHubApp {
		now := s.now()
		t.value = "ghu_" + rand.Text()
		t.expires = now.Add(appTokenLifetime)
		t.refreshToken = "ghr_" + rand.Text()
		t.refreshExpires = now.Add(refreshLifetime)
		s.refresh[t.refreshToken] = t
	}
	s.tokens[t.value] = t
	return t.value
}

// liveTokenLocked returns the token if it exists and works. Callers hold s.mu.
func (s *Server) liveTokenLocked(value string) (*accessToken, bool) {
	t, ok := s.tokens[value]
	if !ok || !s.aliveLocked(t) {
		return nil, false
	}
	return t, true
}

// aliveLocked reports whether t works: not revoked and, for a GitHub App
// token, not expired. Callers hold s.mu.
func (s *Server) aliveLocked(t *accessToken) bool {
	return !t.revoked && (t.expires.IsZero() || s.now().Before(t.expires))
}

// liveTokensLocked returns the working tokens that match, oldest first.
// Callers hold s.mu.
func (s *Server) liveTokensLocked(match func(*accessToken) bool) []*accessToken {
	var found []*accessToken
	for _, t := range s.tokens {
		if s.aliveLocked(t) && match(t) {
			found = append(found, t)
		}
	}
	sortByAge(found)
	return found
}

func sortByAge(tokens []*accessToken) {
	slices.SortFunc(tokens, func(a, b *accessToken) int { return cmp.Compare(a.seq, b.seq) })
}

// userID is the account id of login: stable across runs, like GitHub's.
func userID(login string) int64 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(login)))
	return int64(h.Sum32()) + 1
}

// normalizeScopes turns a scope parameter ("repo read:org", commas also
// accepted) into a sorted list without duplicates.
func normalizeScopes(param string) []string {
	scopes := strings.FieldsFunc(param, func(r rune) bool { return r == ' ' || r == ',' })
	slices.Sort(scopes)
	return slices.Compact(scopes)
}
