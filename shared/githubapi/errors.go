package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"

	"rcgithub/shared/chatops"
)

// Headers GitHub sets on refusals (docs "Rate limits for the REST API",
// "Troubleshooting the REST API").
const (
	headerRetryAfter          = "Retry-After"
	headerAcceptedPermissions = "X-Accepted-GitHub-Permissions"
)

// notAccessible is GitHub's message when a GitHub App token lacks a permission.
const notAccessible = "Resource not accessible by integration"

// secondaryWait is how long to wait after a secondary rate limit that names
// no time: GitHub's docs say at least one minute.
const secondaryWait = time.Minute

// classify turns what go-github returned for op into chatops' reasons, and
// wraps anything else (GitHub unreachable, a 5xx, the caller's deadline) with
// op. The answer's headers decide, not go-github's type alone: a 403 with
// Retry-After is a secondary limit whatever its documentation_url says.
// go-github's errors name the method and URL, never the Authorization header.
func classify(op string, err error, now time.Time) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("github %s: %w", op, err)
	}
	// go-github's own check before sending: an earlier answer of this client
	// said the limit is spent until Reset.
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		until := rl.Rate.Reset.Time
		if until.IsZero() {
			until = now.Add(secondaryWait)
		}
		return &chatops.RateLimitedError{Until: until, Search: rl.Rate.Resource == "search"}
	}
	// Its check for a secondary limit makes up an answer without headers.
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) && (abuse.Response == nil || len(abuse.Response.Header) == 0) {
		wait := secondaryWait
		if abuse.RetryAfter != nil && *abuse.RetryAfter > 0 {
			wait = *abuse.RetryAfter
		}
		return &chatops.RateLimitedError{Until: now.Add(wait)}
	}
	resp, message := answerOf(err)
	if resp == nil {
		return fmt.Errorf("github %s: %w", op, err)
	}
	switch status := resp.StatusCode; {
	case status == http.StatusUnauthorized:
		return chatops.ErrUnauthorized
	case status == http.StatusNotFound:
		return chatops.ErrNotFound
	case status == http.StatusForbidden || status == http.StatusTooManyRequests:
		if limited := rateLimited(resp, message, now); limited != nil {
			return limited
		}
		if strings.Contains(message, notAccessible) {
			return &chatops.NotAccessibleError{Permission: strings.TrimSpace(resp.Header.Get(headerAcceptedPermissions))}
		}
		return &chatops.ForbiddenError{Message: message}
	case status == http.StatusGone:
		// "Issues are disabled for this repo": the user may not do this here.
		return &chatops.ForbiddenError{Message: message}
	case status == http.StatusUnprocessableEntity:
		return &chatops.InvalidError{Message: invalidMessage(err, message)}
	}
	return fmt.Errorf("github %s: %w", op, err)
}

// answerOf returns GitHub's answer behind err and its message, or nil when
// no answer came (a network failure).
func answerOf(err error) (*http.Response, string) {
	var rl *github.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response, rl.Message
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) && abuse.Response != nil {
		return abuse.Response, abuse.Message
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response, er.Message
	}
	var tfa *github.TwoFactorAuthError
	if errors.As(err, &tfa) && tfa.Response != nil {
		return tfa.Response, tfa.Message
	}
	return nil, ""
}

// rateLimited reads a 403 or 429 as a rate limit, or returns nil. Primary:
// X-RateLimit-Remaining 0, until X-RateLimit-Reset. Secondary: Retry-After
// seconds, or a 429 or a message saying so: until X-RateLimit-Reset if it
// names a later time, else for a minute (GitHub's docs: "at least one minute").
func rateLimited(resp *http.Response, message string, now time.Time) *chatops.RateLimitedError {
	search := resp.Header.Get(github.HeaderRateResource) == "search"
	if resp.Header.Get(github.HeaderRateRemaining) == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get(github.HeaderRateReset), 10, 64); err == nil && reset > 0 {
			return &chatops.RateLimitedError{Until: time.Unix(reset, 0).UTC(), Search: search}
		}
		return &chatops.RateLimitedError{Until: now.Add(secondaryWait), Search: search}
	}
	if v := resp.Header.Get(headerRetryAfter); v != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
			return &chatops.RateLimitedError{Until: now.Add(time.Duration(secs) * time.Second), Search: search}
		}
		if at, err := http.ParseTime(v); err == nil {
			return &chatops.RateLimitedError{Until: at.UTC(), Search: search}
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || strings.Contains(strings.ToLower(message), "rate limit") {
		if reset, err := strconv.ParseInt(resp.Header.Get(github.HeaderRateReset), 10, 64); err == nil && time.Unix(reset, 0).After(now) {
			return &chatops.RateLimitedError{Until: time.Unix(reset, 0).UTC(), Search: search}
		}
		return &chatops.RateLimitedError{Until: now.Add(secondaryWait), Search: search}
	}
	return nil
}

// invalidMessage is GitHub's account of a 422: its message and what each
// entry of errors says ("Validation Failed: title missing_field").
func invalidMessage(err error, message string) string {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || len(er.Errors) == 0 {
		return message
	}
	details := make([]string, 0, len(er.Errors))
	for _, e := range er.Errors {
		switch {
		case e.Message != "":
			details = append(details, e.Message)
		case e.Field != "" || e.Code != "":
			details = append(details, strings.TrimSpace(e.Field+" "+e.Code))
		}
	}
	if len(details) == 0 {
		return message
	}
	if message == "" {
		return strings.Join(details, "; ")
	}
	return message + ": " + strings.Join(details, "; ")
}
