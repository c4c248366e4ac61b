package chatops

import (
	"errors"
	"time"
)

var (
	// ErrUnauthorized means GitHub answered 401: the token is revoked or
	// expired. The service ends the session (Sessions.TokenRejected).
	ErrUnauthorized = errors.New("github: token refused (401)")
	// ErrNotFound means the repository does not exist or the token cannot
	// see it: GitHub answers 404 for private repositories, never 403.
	ErrNotFound = errors.New("github: not found (404)")
	// ErrTokenRenewed means GitHub refused a token that a concurrent refresh
	// had just replaced (a refreshed GitHub App pair retires the old access
	// token): the session goes on, and the same command works again.
	ErrTokenRenewed = errors.New("github refused a token renewed meanwhile; the session goes on")
)

// RateLimitedError means GitHub limits the user until Until: a 403 or 429
// with X-RateLimit-Remaining: 0 (then X-RateLimit-Reset) or Retry-After
// (secondary limits). Search has a lower per-minute limit of its own.
type RateLimitedError struct {
	Until  time.Time
	Search bool // the search API's own limit
}

func (e *RateLimitedError) Error() string {
	return "github: rate limited until " + e.Until.UTC().Format(time.RFC3339)
}

// NotAccessibleError is GitHub's 403 "Resource not accessible by
// integration": a GitHub App token lacks a permission (they have
// permissions, not scopes). Permission names it when GitHub says
// (X-Accepted-GitHub-Permissions), e.g. "issues=write"; "" when not.
type NotAccessibleError struct {
	Permission string
}

func (e *NotAccessibleError) Error() string {
	if e.Permission == "" {
		return "github: resource not accessible by integration"
	}
	return "github: resource not accessible by integration (needs " + e.Permission + ")"
}

// ForbiddenError is any other 403: the user may not do this (issues
// disabled, an archived repository, a blocked user). Message is GitHub's.
type ForbiddenError struct {
	Message string
}

func (e *ForbiddenError) Error() string { return "github: forbidden: " + e.Message }

// InvalidError is a 422: GitHub refused the input (an empty title, a bad
// search query). Message is GitHub's, for the log and the user.
type InvalidError struct {
	Message string
}

func (e *InvalidError) Error() string { return "github: invalid: " + e.Message }

// NeedsScopeError means the session's token lacks the OAuth scope a command
// needs (public_repo to open an issue in a public repository, repo for a
// private one); the user logs in again asking for it.
type NeedsScopeError struct {
	Scope string
}

func (e *NeedsScopeError) Error() string { return "the session lacks the " + e.Scope + " scope" }
