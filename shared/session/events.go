package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// EventKind says what happened to a session, as its domain event tells it.
// The values are part of the published contract (README, "Events").
type EventKind string

// The events the service publishes.
const (
	// EventLoggedIn: a session started (a login completed; a new login of the
	// same user replaces the old session without a logged_out event).
	EventLoggedIn EventKind = "logged_in"
	// EventLoggedOut: the user ended the session (/github logout).
	EventLoggedOut EventKind = "logged_out"
	// EventLoggedOutAutomatically: the session reached its end (TTL).
	EventLoggedOutAutomatically EventKind = "logged_out_automatically"
	// EventRevokedAtGitHub: GitHub no longer accepts the token or refused its
	// refresh, so the session was ended.
	EventRevokedAtGitHub EventKind = "revoked_at_github"
)

// EventKinds lists every kind the service publishes.
func EventKinds() []EventKind {
	return []EventKind{EventLoggedIn, EventLoggedOut, EventLoggedOutAutomatically, EventRevokedAtGitHub}
}

// Event is a domain event: one thing that happened to one session. It holds
// who and when, never a token or any other secret, so that it may leave the
// service (an EventBridge bus, an HTTP callback).
type Event struct {
	Kind        EventKind
	Site        string // the Rocket.Chat site, normalised (Key.Site)
	UserID      string // the Rocket.Chat user id
	GitHubLogin string // the GitHub account of the session
	Generation  int64  // which login of the user (Session.Generation)
	At          time.Time
}

// IdempotencyKeyLen is the length of Event.IdempotencyKey.
const IdempotencyKeyLen = 64

// IdempotencyKey names the event by site, user, generation and kind, hashed
// (SHA-256, hex) to IdempotencyKeyLen characters: a receiver that sees the same
// key twice (a re-delivery, or a retried command that ended the same session)
// may ignore the second. Sites and user ids hold no whitespace (Key.Validate),
// so the newline-separated input is unambiguous.
func (e Event) IdempotencyKey() string {
	h := sha256.Sum256([]byte("rcgithub event v1\n" + e.Site + "\n" + e.UserID + "\n" +
		strconv.FormatInt(e.Generation, 10) + "\n" + string(e.Kind)))
	return hex.EncodeToString(h[:])
}

// Events publishes domain events to whoever listens outside the service: an
// extension point, like the call-back after login. Optional on Service.
// Adapters: eventbus (AWS EventBridge) and webhookevents (a signed HTTP
// callback). Delivery is best effort: a publication that fails is logged and
// counted (FailureEventPublish), never retried, and never fails the command
// that caused it.
type Events interface {
	Publish(ctx context.Context, e Event) error
}

// PublishTimeout bounds one publication, so that a slow receiver costs the
// user's command at most this much.
const PublishTimeout = 3 * time.Second

// publish tells s.Events that kind happened to the session of k with that
// generation. A failure is logged and counted, never returned.
func (s *Service) publish(ctx context.Context, kind EventKind, k Key, githubLogin string, generation int64) {
	if s.Events == nil {
		return
	}
	e := Event{Kind: kind, Site: k.Site, UserID: k.UserID, GitHubLogin: githubLogin, Generation: generation, At: s.now().UTC()}
	ctx, cancel := context.WithTimeout(ctx, PublishTimeout)
	defer cancel()
	if err := s.Events.Publish(ctx, e); err != nil {
		s.count(ctx, FailureEventPublish)
		s.log().WarnContext(ctx, "publish event: not delivered", "kind", string(kind), "site", k.Site, "user", k.UserID,
			"generation", generation, "error", fmt.Errorf("publish %s: %w", kind, err))
	}
}
