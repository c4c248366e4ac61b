package chatops

import "errors"

var (
	// ErrEmptyTitle means an issue was asked for without a title.
	ErrEmptyTitle = errors.New("chatops: the issue has no title")
	// ErrEmptyQuery means a search was asked for without a query.
	ErrEmptyQuery = errors.New("chatops: the search has no query")
	// ErrBeingCreated means the same Rocket.Chat message is creating its issue
	// right now (a re-delivery arrived while the first delivery works): the
	// answer comes from that first delivery.
	ErrBeingCreated = errors.New("chatops: the issue of this message is being created")
)

// NotShareableError refuses to share the details of a repository that is not
// public into a room: the service cannot see who is in the room, so it
// cannot tell whether they all may see the repository.
type NotShareableError struct {
	Repo       Repo
	Visibility Visibility
}

func (e *NotShareableError) Error() string {
	return "chatops: " + e.Repo.String() + " is " + string(e.Visibility) + ": not shared into a room"
}

// ErrNotConfirmed means GitHub was asked to open the issue but its answer
// never said how that ended (a timeout, a dropped connection, a 5xx): the
// issue may exist. The message's claim stays pending until it expires, so
// that no re-delivery or deferred run opens a second one; the user is told
// to look at the repository's issues before trying again.
var ErrNotConfirmed = errors.New("chatops: GitHub has not confirmed the issue")

// ErrNoMessageID means an issue was asked for by a message without a
// message id: there is nothing to make its creation happen once by (all such
// messages of a user would share one claim). Rocket.Chat always sends one.
var ErrNoMessageID = errors.New("chatops: the message has no message id to create its issue once by")
