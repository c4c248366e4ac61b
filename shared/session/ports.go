package session

import (
	"context"
	"time"
)

// Store keeps links, pending authorizations and sessions. Adapters: bolt (one
// machine), dynamodb (AWS) and memstore (in memory, for tests). All pass the
// contract suite in sessiontest.
//
// Expiry is the service's job: a store may return records past their Expires
// or Ends time (DynamoDB's TTL deletes lazily), and the service checks.
type Store interface {
	// CreateLink stores l unless a link for the same site, user and message id
	// exists, in which case it stores nothing and returns the existing one:
	// Rocket.Chat re-delivers a message on retries, replays and edits. The user
	// is part of the key so that no message id can ever return another user's link.
	// A new link counts against the user's quota for the window q.Window: past
	// q.Max links in it, CreateLink stores nothing and returns ErrTooManyLinks.
	CreateLink(ctx context.Context, l Link, q LinkQuota) (Link, error)
	// GetLink returns the link with the id, or ErrNotFound.
	GetLink(ctx context.Context, id string) (Link, error)
	// TakeLink deletes and returns the link with the id; only one caller can take it.
	TakeLink(ctx context.Context, id string) (Link, error)
	// PutPending stores an authorization in flight under its state.
	PutPending(ctx context.Context, p Pending) error
	// TakePending deletes and returns the pending authorization; only one caller can take it.
	TakePending(ctx context.Context, state string) (Pending, error)

	// GetSession returns the live session of k, or ErrNotFound.
	GetSession(ctx context.Context, k Key) (Session, error)
	// PutSession makes s the live session of s.Key provided the live session now
	// has generation prev (0: there is none), else ErrConflict. A live session it
	// replaces is kept as retired, in the same atomic step, until its token is revoked.
	PutSession(ctx context.Context, s Session, prev int64) error
	// RetireSession ends the live session of k if its generation is gen, keeping it
	// as retired until its token is revoked, and returns it. ErrNotFound when k has
	// no live session, ErrConflict when it has one of another generation.
	RetireSession(ctx context.Context, k Key, gen int64) (Session, error)
	// PutRetired stores s as retired, directly: a token of a login that failed,
	// kept only until GitHub confirms its revocation. It never touches the live
	// session of s.Key.
	PutRetired(ctx context.Context, s Session) error
	// GetRetired returns the retired session of k with generation gen, or ErrNotFound.
	GetRetired(ctx context.Context, k Key, gen int64) (Session, error)
	// DeleteRetired forgets a retired session once its token is revoked. Deleting
	// one that is not there is not an error.
	DeleteRetired(ctx context.Context, k Key, gen int64) error
	// UpdateToken replaces the tokens of the live session of k (a refreshed
	// GitHub App token pair) provided it has generation gen, which it keeps:
	// the scheduled automatic logout names the session by it. ErrNotFound when
	// k has no live session, ErrConflict when it has one of another generation.
	UpdateToken(ctx context.Context, k Key, gen int64, sealedToken, sealedRefresh []byte,
		tokenExpires, refreshExpires time.Time) error
}

// Scheduler runs Service.Expire(job) at a given time, durably: a job survives
// restarts and runs late rather than never. Adapters: bolt (in-process),
// eventbridge (EventBridge Scheduler) and memstore (in memory, for tests).
type Scheduler interface {
	// Schedule arranges for job to run at. Scheduling the same job again moves it.
	Schedule(ctx context.Context, job Job, at time.Time) error
	// Cancel removes a pending job; cancelling one that is not there is not an error.
	Cancel(ctx context.Context, job Job) error
}

// Sealer encrypts tokens at rest, bound to the session key they belong to, so a
// sealed token copied to another user's record does not open. Adapters: aesgcm
// (local key file) and kms (AWS KMS).
type Sealer interface {
	Seal(ctx context.Context, k Key, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, k Key, sealed []byte) ([]byte, error)
}

// GitHub is the OAuth and REST API surface the service needs. Adapter: github
// (githubtest stands in for GitHub in tests and the sandbox).
type GitHub interface {
	// AuthCodeURL is GitHub's authorize URL for the state and PKCE verifier,
	// asking for the OAuth scopes (a GitHub App ignores them: its tokens have
	// the app's permissions instead).
	AuthCodeURL(state, verifier string, scopes []string) string
	// Exchange trades an authorization code for a token. Errors GitHub reports
	// (with HTTP 200) come back as *OAuthError.
	Exchange(ctx context.Context, code, verifier string) (Token, error)
	// Refresh trades a GitHub App refresh token for a new token pair; the old
	// pair stops working. Errors GitHub reports (with HTTP 200, such as
	// bad_refresh_token) come back as *OAuthError.
	Refresh(ctx context.Context, refreshToken string) (Token, error)
	// User reads the token's user; ErrTokenDead when GitHub answers 401.
	User(ctx context.Context, token string) (User, error)
	// Revoke revokes the token at GitHub; nil when GitHub confirmed it or the
	// token was already dead.
	Revoke(ctx context.Context, token string) error
}

// Token is what GitHub's token endpoint returned.
type Token struct {
	AccessToken string
	Scopes      []string
	// The fields below are set for GitHub App user tokens only; OAuth App
	// tokens do not expire and have no refresh token.
	RefreshToken     string
	ExpiresAt        time.Time // when AccessToken stops working
	RefreshExpiresAt time.Time // when RefreshToken stops working
}

// User is the GitHub account behind a token.
type User struct {
	Login  string
	ID     int64
	Scopes []string // from X-OAuth-Scopes; nil for GitHub App tokens
}

// OAuthError is an error GitHub's OAuth endpoints reported, such as
// bad_verification_code (token endpoint, HTTP 200) or access_denied (callback).
type OAuthError struct {
	Code        string
	Description string
}

func (e *OAuthError) Error() string {
	if e.Description != "" {
		return "github oauth: " + e.Code + ": " + e.Description
	}
	return "github oauth: " + e.Code
}

// The Notifier port is in notice.go, Metrics in metrics.go.
