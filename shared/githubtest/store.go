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

	// maxCodes bounds the codes kept: anyone who reaches the consent page can
	// mint codes without credentials, so past the bound the oldest goes (a
	// code is exchanged within seconds; ten minutes is its upper limit).
	maxCodes = 1000
	// maxTokens bounds the token records kept, revoked ones included (they
	// are kept for RevokedTokens). Past it, dead records go first, oldest
	// first, then the oldest working tokens, which stop working.
	maxTokens = 10000
)

// authCode is an authorization code handed to the app's callback.
type authCode struct {
	clientID    string
	login       string
	redirectURI string // the one the authorize request used
	scopes      []string
	challenge   string // S256 PKCE challenge; empty without PKCE
	issuedAt    time.Time
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

// newCodeLocked stores c under a fresh code, first sweeping expired codes
// and, at the bound, the oldest. Callers hold s.mu.
func (s *Server) newCodeLocked(c authCode) string {
	now := s.now()
	s.sweepCodesLocked(now)
	code := strings.ToLower(rand.Text())[:20] // GitHub's codes are 20 characters
	c.issuedAt = now
	// Copies: a string cut from a request would keep the whole body alive.
	c.clientID, c.login, c.redirectURI, c.challenge = strings.Clone(c.clientID), strings.Clone(c.login),
		strings.Clone(c.redirectURI), strings.Clone(c.challenge)
	c.scopes = cloneStrings(c.scopes)
	s.codes[code] = &c
	return code
}

// takeCodeLocked removes code and returns it if it can still be exchanged:
// a code works once, whatever the rest of the exchange. Callers hold s.mu.
func (s *Server) takeCodeLocked(code string) (*authCode, bool) {
	c, ok := s.codes[code]
	if !ok {
		return nil, false
	}
	delete(s.codes, code)
	return c, !s.codeExpired(c, s.now())
}

func (s *Server) codeExpired(c *authCode, now time.Time) bool {
	return now.Sub(c.issuedAt) > codeLifetime
}

// sweepCodesLocked drops expired codes and, while the bound is reached, the
// oldest. n is at most s.maxCodes, so the scans stay cheap. Callers hold s.mu.
func (s *Server) sweepCodesLocked(now time.Time) {
	for k, c := range s.codes {
		if s.codeExpired(c, now) {
			delete(s.codes, k)
		}
	}
	for len(s.codes) >= s.maxCodes {
		var oldest string
		for k, c := range s.codes {
			if oldest == "" || c.issuedAt.Before(s.codes[oldest].issuedAt) {
				oldest = k
			}
		}
		delete(s.codes, oldest)
	}
}

// sweepTokensLocked drops expired GitHub App tokens that cannot be refreshed
// and makes room for one more token record: dead records
// (revoked, or expired with a refresh token that no longer works) go first,
// oldest first, then the oldest working tokens. Callers hold s.mu.
func (s *Server) sweepTokensLocked() {
	// Expired tokens whose refresh token expired too can never work again;
	// revoked ones stay (up to the bound) for RevokedTokens.
	if s.opts.GitHubApp {
		now := s.now()
		for k, t := range s.tokens {
			if !t.revoked && !t.expires.IsZero() && !now.Before(t.expires) && !now.Before(t.refreshExpires) {
				delete(s.tokens, k)
				delete(s.refresh, t.refreshToken)
			}
		}
	}
	if len(s.tokens) < s.maxTokens {
		return
	}
	all := s.allTokensLocked()
	var dead, live []*accessToken
	for _, t := range all {
		if s.recordDeadLocked(t) {
			dead = append(dead, t)
		} else {
			live = append(live, t)
		}
	}
	for _, t := range append(dead, live...) {
		if len(s.tokens) < s.maxTokens {
			return
		}
		delete(s.tokens, t.value)
		delete(s.refresh, t.refreshToken)
	}
}

// recordDeadLocked reports whether nothing can bring t back: it is revoked,
// or expired and its refresh token is spent or expired. Callers hold s.mu.
func (s *Server) recordDeadLocked(t *accessToken) bool {
	if t.revoked {
		return true
	}
	if s.aliveLocked(t) {
		return false
	}
	_, refreshable := s.refresh[t.refreshToken]
	return !refreshable || !s.now().Before(t.refreshExpires)
}

func cloneStrings(in []string) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = strings.Clone(v)
	}
	return out
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
	s.sweepTokensLocked()
	s.issued++
	t := &accessToken{
		value:    "gho_" + rand.Text(),
		clientID: s.opts.ClientID,
		login:    strings.Clone(login),
		scopes:   cloneStrings(scopes),
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

// entries counts what the stand-in keeps, for tests of its bounds.
func (s *Server) entries() (codes, tokens, refresh int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.codes), len(s.tokens), len(s.refresh)
}
