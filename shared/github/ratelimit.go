package github

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"rcgithub/shared/session"
)

// GitHub limits the calls an OAuth App makes with its client id and secret
// (DELETE /applications/{client_id}/token among them) to 5,000 an hour, 15,000
// for an app owned by a GitHub Enterprise Cloud organization ("Rate limits for
// the REST API", docs.github.com, github/docs
// content/rest/using-the-rest-api/rate-limits-for-the-rest-api.md, read
// 2026-12-02). Over it GitHub answers 403 or 429 with x-ratelimit-remaining 0
// and x-ratelimit-reset (epoch seconds); over a secondary limit, 403 or 429
// with retry-after (seconds), or without it "wait at least one minute".

// DefaultRevocationsPerHour is the client's own pace for revocations when
// Config.RevocationsPerHour is 0: under GitHub's 5,000 an hour, leaving room
// for the app's other client-credential calls and for clock skew.
const DefaultRevocationsPerHour = 4500

const (
	// primarySpread spreads revocations postponed by GitHub's hourly limit
	// over the following hour (its window), so that a backlog drains at
	// about the limit instead of all at the reset.
	primarySpread = time.Hour
	// secondarySpread spreads those postponed by a secondary limit (per
	// minute, per endpoint) over a few minutes.
	secondarySpread = 10 * time.Minute
	// secondaryWait is GitHub's "wait at least one minute" when a secondary
	// limit names no time.
	secondaryWait = time.Minute
)

// rateLimited reads a 403 or 429 answer as GitHub's rate limit, or returns
// nil when it is not one (a 403 for another reason). body is the start of
// the answer's body.
func rateLimited(status int, h http.Header, body []byte, now time.Time) *session.RateLimitError {
	if status != http.StatusForbidden && status != http.StatusTooManyRequests {
		return nil
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && secs >= 0 {
		return &session.RateLimitError{RetryAt: now.Add(max(time.Duration(secs)*time.Second, time.Second)),
			Spread: secondarySpread, Limit: "secondary"}
	}
	if strings.TrimSpace(h.Get("X-RateLimit-Remaining")) == "0" {
		at := now.Add(secondaryWait)
		if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
			if r := time.Unix(reset, 0); r.After(now) {
				at = r
			}
		}
		return &session.RateLimitError{RetryAt: at, Spread: primarySpread, Limit: "primary"}
	}
	if status == http.StatusTooManyRequests || bytes.Contains(bytes.ToLower(body), []byte("rate limit")) {
		return &session.RateLimitError{RetryAt: now.Add(secondaryWait), Spread: secondarySpread, Limit: "secondary"}
	}
	return nil
}

// readStart reads the first bytes of an answer's body (enough for GitHub's
// error message) and closes it.
func readStart(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	drainAndClose(resp)
	return b
}

// revocationPacer keeps the process's revocations under a number per rolling
// hour, and remembers GitHub's refusal until the time GitHub gave, so that no
// call is made while GitHub has said no ("continuing to make requests while
// you are rate limited may result in the banning of your integration").
//
// It is per process: on one machine it is the whole service's pace; on AWS
// each Lambda instance has its own, and GitHub's answer (with the durable
// postponement the service makes of it) is what holds the fleet under the
// limit.
type revocationPacer struct {
	mu      sync.Mutex
	perHour int       // 0: no pace of its own
	sent    []int64   // send times (Unix ns) of the last perHour calls, a ring
	next    int       // index of the oldest entry in sent once it is full
	blocked time.Time // GitHub said no until then
}

func newRevocationPacer(perHour int) *revocationPacer {
	if perHour == 0 {
		perHour = DefaultRevocationsPerHour
	}
	return &revocationPacer{perHour: max(perHour, 0)}
}

// take reserves a call at now, or says when to try again.
func (p *revocationPacer) take(now time.Time) *session.RateLimitError {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Before(p.blocked) {
		return &session.RateLimitError{RetryAt: p.blocked, Spread: primarySpread, Limit: "primary, remembered"}
	}
	if p.perHour == 0 {
		return nil
	}
	if len(p.sent) < p.perHour {
		p.sent = append(p.sent, now.UnixNano())
		return nil
	}
	// Full: the oldest call must be an hour old before another is made.
	if free := time.Unix(0, p.sent[p.next]).Add(time.Hour); now.Before(free) {
		return &session.RateLimitError{RetryAt: free, Spread: primarySpread, Limit: "paced"}
	}
	p.sent[p.next] = now.UnixNano()
	p.next = (p.next + 1) % p.perHour
	return nil
}

// refused remembers GitHub's primary rate limit until its reset.
func (p *revocationPacer) refused(rl *session.RateLimitError) {
	if rl.Limit != "primary" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if rl.RetryAt.After(p.blocked) {
		p.blocked = rl.RetryAt
	}
}
