package session

import "errors"

var (
	// ErrNotFound means the store holds no such record (or it has expired).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a conditional write lost: the record changed since it was read.
	ErrConflict = errors.New("conflict: record changed concurrently")
	// ErrTooManyLinks means the user has used up the login links of the current
	// window (see LinkQuota).
	ErrTooManyLinks = errors.New("too many login links")
	// ErrTokenDead means GitHub no longer accepts the token (401, revoked or expired).
	ErrTokenDead = errors.New("github token is no longer valid")
	// ErrInvalidKey means a session key breaks the rule of Key.Validate; no
	// session, link or job is ever made for such a key.
	ErrInvalidKey = errors.New("invalid session key")
	// ErrInvalidJob means a logout job breaks the rule of Job.Validate: every
	// Scheduler refuses it, and Service.Expire runs nothing for it.
	ErrInvalidJob = errors.New("invalid logout job")
	// ErrNoIDKey means Service.IDKey is missing or shorter than MinIDKeyLen:
	// the service then issues no login link and accepts no link id or state.
	ErrNoIDKey = errors.New("session service: IDKey must hold at least 32 bytes (see DeriveIDKey)")
)

// Problem is an error meant for the person in front of the page or chat. It
// carries a Reason, never a sentence: the edge (web, rocketchat) words it,
// with the trigger word the user typed. The cause is kept for logs.
type Problem struct {
	Kind   ProblemKind
	Reason Reason
	// Trigger is the trigger word of the login link or sign-in the problem is
	// about, once the service has read it; "" when it is not known.
	Trigger string
	// GitHubCode is the error code GitHub gave, for GitHubRefused.
	GitHubCode string
	Err        error
}

// ProblemKind classifies problems so that adapters can choose a status code.
type ProblemKind int

const (
	// BadRequest: the person's input is wrong, stale or not theirs (4xx).
	BadRequest ProblemKind = iota
	// Unavailable: a dependency (GitHub, storage) failed; trying again may work (5xx).
	Unavailable
)

// Reason says what went wrong, for the edge to put in words.
type Reason int

// The reasons of a Problem.
const (
	// LinkGone: the login link is unknown, used or expired.
	LinkGone Reason = iota + 1
	// StateGone: the GitHub sign-in (OAuth state) is unknown, used or expired.
	StateGone
	// OtherBrowser: the sign-in was started in another browser.
	OtherBrowser
	// NoCode: GitHub sent the browser back without an authorization code.
	NoCode
	// StorageUnavailable: the store failed.
	StorageUnavailable
	// SignInNotStarted: the sign-in could not be stored, so it did not start.
	SignInNotStarted
	// GitHubUnanswered: GitHub did not answer the token exchange.
	GitHubUnanswered
	// GitHubRefused: GitHub refused the token exchange (GitHubCode says how).
	GitHubRefused
	// GitHubUserUnknown: GitHub did not say which account signed in.
	GitHubUserUnknown
	// SessionNotSaved: the new session could not be stored.
	SessionNotSaved
)

// AllReasons lists every Reason, for the edge's tests.
func AllReasons() []Reason {
	return []Reason{LinkGone, StateGone, OtherBrowser, NoCode, StorageUnavailable, SignInNotStarted,
		GitHubUnanswered, GitHubRefused, GitHubUserUnknown, SessionNotSaved}
}

var reasonNames = map[Reason]string{
	LinkGone: "link_gone", StateGone: "state_gone", OtherBrowser: "other_browser", NoCode: "no_code",
	StorageUnavailable: "storage_unavailable", SignInNotStarted: "sign_in_not_started",
	GitHubUnanswered: "github_unanswered", GitHubRefused: "github_refused",
	GitHubUserUnknown: "github_user_unknown", SessionNotSaved: "session_not_saved",
}

// String is the reason in snake_case, for logs.
func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return "unknown_reason"
}

func (p *Problem) Error() string {
	msg := p.Reason.String()
	if p.GitHubCode != "" {
		msg += " (" + p.GitHubCode + ")"
	}
	if p.Err != nil {
		return msg + ": " + p.Err.Error()
	}
	return msg
}

func (p *Problem) Unwrap() error { return p.Err }

// refused is a BadRequest problem for reason.
func refused(reason Reason, trigger string) *Problem {
	return &Problem{Kind: BadRequest, Reason: reason, Trigger: trigger}
}

// failed is an Unavailable problem for reason, caused by err.
func failed(reason Reason, trigger string, err error) *Problem {
	return &Problem{Kind: Unavailable, Reason: reason, Trigger: trigger, Err: err}
}
