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

// Problem is an error meant for the person in front of the page or chat: Message
// says what happened and what to do. The cause is kept for logs.
type Problem struct {
	Kind    ProblemKind
	Message string
	Err     error
}

// ProblemKind classifies problems so that adapters can choose a status code.
type ProblemKind int

const (
	// BadRequest: the person's input is wrong, stale or not theirs (4xx).
	BadRequest ProblemKind = iota
	// Unavailable: a dependency (GitHub, storage) failed; trying again may work (5xx).
	Unavailable
)

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Message + ": " + p.Err.Error()
	}
	return p.Message
}

func (p *Problem) Unwrap() error { return p.Err }
