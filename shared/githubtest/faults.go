package githubtest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Route names a group of endpoints, for counters and faults.
type Route string

// The routes the stand-in serves.
const (
	RouteAuthorize   Route = "authorize"    // GET and POST /login/oauth/authorize
	RouteToken       Route = "access_token" // POST /login/oauth/access_token
	RouteUser        Route = "user"         // GET /user
	RouteRevokeToken Route = "revoke_token" // DELETE /applications/{client_id}/token
	RouteRevokeGrant Route = "revoke_grant" // DELETE /applications/{client_id}/grant
	RouteRepo        Route = "repo"         // GET /repos/{owner}/{repo}
	RouteIssues      Route = "issues"       // GET /repos/{owner}/{repo}/issues
	RouteCreateIssue Route = "create_issue" // POST /repos/{owner}/{repo}/issues
	RoutePulls       Route = "pulls"        // GET /repos/{owner}/{repo}/pulls
	RouteRelease     Route = "release"      // GET /repos/{owner}/{repo}/releases/latest
	RouteSearch      Route = "search"       // GET /search/issues
)

// Fault makes a route misbehave.
type Fault struct {
	// Status, when not 0, is answered instead of doing the work, with a JSON
	// body {"message": ...}.
	Status int
	// Delay is waited before answering (or before doing the work when Status
	// is 0); a client that gives up ends the wait.
	Delay time.Duration
	// Times is how many requests the fault applies to; 0 means all of them
	// until ClearFault.
	Times int
	// Header is added to the faulty answer, e.g. Retry-After for a secondary
	// rate limit (see SecondaryRateLimit).
	Header http.Header
	// Message replaces the body's message (default: the status text).
	Message string
}

// SecondaryRateLimit makes the next request to route answer as GitHub does
// when a secondary rate limit is hit: 403 with Retry-After (seconds) and a
// message saying so.
func (s *Server) SecondaryRateLimit(route Route, retryAfter time.Duration) {
	s.SetFault(route, Fault{Status: http.StatusForbidden, Times: 1,
		Header:  http.Header{"Retry-After": {strconv.Itoa(int(retryAfter / time.Second))}},
		Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
}

type activeFault struct {
	fault Fault
	left  int // requests still affected; -1: until cleared
}

// SetFault makes the next requests to route misbehave as f says, replacing
// any fault set before.
func (s *Server) SetFault(route Route, f Fault) {
	left := f.Times
	if left <= 0 {
		left = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = &activeFault{fault: f, left: left}
}

// FailNext makes the next request to route answer status.
func (s *Server) FailNext(route Route, status int) {
	s.SetFault(route, Fault{Status: status, Times: 1})
}

// ClearFault makes route behave again.
func (s *Server) ClearFault(route Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, route)
}

// Requests reports how many HTTP requests route has received, faulty
// answers included. Authorize and Deny are not HTTP requests and do not count.
func (s *Server) Requests(route Route) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[route]
}

// takeFault returns the fault for the request now arriving at route, if any.
func (s *Server) takeFault(route Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	af, ok := s.faults[route]
	if !ok {
		return Fault{}, false
	}
	if af.left > 0 {
		af.left--
		if af.left == 0 {
			delete(s.faults, route)
		}
	}
	return af.fault, true
}

// applyFault waits and answers as the route's fault says; it reports whether
// the request has been dealt with.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, route Route) bool {
	f, ok := s.takeFault(route)
	if !ok {
		return false
	}
	if f.Delay > 0 {
		// Read the body first: net/http notices a client that hung up (and
		// cancels the request's context) only once the body has been read.
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return true
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		timer := time.NewTimer(f.Delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return true // the client gave up; nobody reads an answer
		}
	}
	if f.Status == 0 {
		return false
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	writeJSON(w, f.Status, apiError{Message: msg})
	return true
}
