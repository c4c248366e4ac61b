package chatops

import (
	"context"
	"time"

	"rcgithub/shared/session"
)

// GitHub is GitHub's REST API acting as one user: every call is made with
// that user's token. Adapter: githubapi (go-github); githubtest serves the
// same endpoints in tests and the sandbox.
//
// Errors: ErrUnauthorized (401), ErrNotFound (404: unknown, or private and not
// visible to the token), *RateLimitedError, *NotAccessibleError (a GitHub App
// token lacks a permission), *ForbiddenError (another 403), *InvalidError
// (422); anything else is GitHub being unreachable or failing.
type GitHub interface {
	// Profile returns the user and the five most recent of their open pull
	// requests, review requests and assigned issues, with the total of each.
	// publicOnly leaves out everything from repositories that are not public.
	Profile(ctx context.Context, publicOnly bool) (Profile, error)
	// Repo returns a repository's card.
	Repo(ctx context.Context, r Repo) (RepoCard, error)
	// Issues returns the n most recently updated open issues (not pull requests).
	Issues(ctx context.Context, r Repo, n int) ([]Item, error)
	// Pulls returns the n most recently updated open pull requests.
	Pulls(ctx context.Context, r Repo, n int) ([]Item, error)
	// CreateIssue opens an issue as the user.
	CreateIssue(ctx context.Context, r Repo, title, body string) (Created, error)
	// Search returns the first n issues and pull requests matching GitHub's
	// search syntax; publicOnly restricts it to public repositories.
	Search(ctx context.Context, query string, n int, publicOnly bool) (SearchResult, error)
}

// Connect returns the GitHub API acting with token. It must not fail: a bad
// token shows as ErrUnauthorized on the first call.
type Connect func(token string) GitHub

// Sessions hands out the tokens of live sessions. *session.Service implements it.
type Sessions interface {
	// UserToken returns a usable token of the live session of k, refreshed
	// first when it is about to expire. session.ErrNotFound when k has no live
	// session; session.ErrEndedAtGitHub when GitHub refused its refresh and
	// the session was ended.
	UserToken(ctx context.Context, k session.Key) (session.UserToken, error)
	// TokenRejected ends the session of k and generation gen because GitHub
	// answered 401 to its token (revoked by the user, say), and returns
	// session.ErrEndedAtGitHub, or session.ErrNotFound when that session had
	// ended or been replaced meanwhile.
	TokenRejected(ctx context.Context, k session.Key, gen int64) error
}

// Claims make issue creation happen once per Rocket.Chat message, as login
// links do: Rocket.Chat retries, replays and re-sends edited messages.
// Adapters: bolt, dynamodb and memstore.
type Claims interface {
	// Claim records that c.MessageID of c.Key is creating an issue, unless a
	// claim for the same key and message id exists: then it stores nothing and
	// returns that one with claimed false.
	Claim(ctx context.Context, c Claim) (existing Claim, claimed bool, err error)
	// Complete records the issue the claim created.
	Complete(ctx context.Context, k session.Key, messageID string, created Created) error
	// Release forgets a claim whose creation failed, so that the same message
	// may try again. Releasing one that is not there is not an error.
	Release(ctx context.Context, k session.Key, messageID string) error
}

// Claim is one message's issue creation: pending (Created zero) or done.
type Claim struct {
	session.Key
	MessageID string
	Repo      Repo
	Created   Created   // zero while the creation is in flight
	Expires   time.Time // the store may forget it after this
}

// Deferred is a command that could not finish inside the webhook's deadline
// (a slow GitHub): it is finished elsewhere and answered by direct message.
// It carries what the user typed, never a token.
type Deferred struct {
	session.Key
	UserName  string
	MessageID string
	Trigger   string // the trigger word the user typed
	Text      string // the whole message as typed (the raw text, lines kept)
	RoomID    string // the room it was typed in (channel_id), for share
	// ThreadID is the thread the message was typed in (tmid), "" for none: a
	// shared answer goes to the message's thread, as it would have at once.
	ThreadID string
}

// Deferrer hands a Deferred to a worker that finishes it: locally a goroutine
// of the server, on AWS a queue read by a Lambda of its own (a Lambda is
// frozen once its handler returns). An error means nobody will finish it.
type Deferrer interface {
	Defer(ctx context.Context, d Deferred) error
}
