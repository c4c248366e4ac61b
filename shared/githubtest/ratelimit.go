package githubtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rate limits as GitHub's docs "Rate limits for the REST API" give them: per
// user (per client for anonymous requests), 5000 requests an hour for the
// core API and 30 a minute for search when authenticated, 60 an hour and 10
// a minute when not. Every answer of the repository and search routes
// carries the X-RateLimit-* headers; a spent limit answers 403 with
// X-RateLimit-Remaining 0.
const (
	resourceCore   = "core"
	resourceSearch = "search"

	rateLimitDocs = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
)

type rateLimit struct {
	limit  int
	window time.Duration
}

var (
	authenticatedLimits = map[string]rateLimit{resourceCore: {5000, time.Hour}, resourceSearch: {30, time.Minute}}
	anonymousLimits     = map[string]rateLimit{resourceCore: {60, time.Hour}, resourceSearch: {10, time.Minute}}
)

// rateBucket is one user's use of one resource in the current window.
type rateBucket struct {
	limit int
	used  int
	reset time.Time
}

// bucketLocked returns the current window of who's resource, starting a new
// one when the last has passed. Callers hold s.mu.
func (s *Server) bucketLocked(who, resource string, anonymous bool) *rateBucket {
	limits := authenticatedLimits
	if anonymous {
		limits = anonymousLimits
	}
	rl := limits[resource]
	key := who + "\x00" + resource
	now := s.now()
	b, ok := s.rates[key]
	if !ok || !now.Before(b.reset) {
		// Whole seconds, as X-RateLimit-Reset tells them.
		b = &rateBucket{limit: rl.limit, reset: now.Add(rl.window).Truncate(time.Second)}
		s.rates[key] = b
	}
	return b
}

// spendRate counts one request of c to resource, sets the rate-limit
// headers, and reports whether the request may go on; when not, it has
// answered 403 as GitHub does.
func (s *Server) spendRate(w http.ResponseWriter, c caller, resource string) bool {
	s.mu.Lock()
	b := s.bucketLocked(c.rateKey(), resource, c.anonymous())
	allowed := b.used < b.limit
	if allowed {
		b.used++
	}
	limit, used, reset := b.limit, b.used, b.reset
	s.mu.Unlock()

	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-used))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", resource)
	if !allowed {
		msg := "API rate limit exceeded for user ID " + strconv.FormatInt(userID(c.login), 10) + "."
		if c.anonymous() {
			msg = "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)"
		}
		writeAPIError(w, http.StatusForbidden, apiError{Message: msg, DocumentationURL: rateLimitDocs})
	}
	return allowed
}

// ExhaustRateLimit spends what is left of login's limit on resource ("core"
// or "search") in the current window, so that its next request there answers
// 403 with X-RateLimit-Remaining 0 until the window ends (by Options.Now).
func (s *Server) ExhaustRateLimit(login, resource string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bucketLocked(strings.ToLower(login), resource, false)
	b.used = b.limit
}

// RateLimitReset returns when login's current window on resource ends.
func (s *Server) RateLimitReset(login, resource string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bucketLocked(strings.ToLower(login), resource, false).reset
}
