package session

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"
)

// NoticeKind says which direct message a Notice asks for.
type NoticeKind int

// The notices the service sends.
const (
	// NoticeLoggedIn: the user is connected (GitHubLogin, Ends, Scopes).
	NoticeLoggedIn NoticeKind = iota + 1
	// NoticeLoggedOutAutomatically: the session reached its end (TTL).
	NoticeLoggedOutAutomatically
)

// Notice is what the service tells a user outside of a webhook answer, as
// facts: the Notifier words it.
type Notice struct {
	Kind NoticeKind
	Key
	// Trigger is the word the user typed to log in; "" when unknown (the
	// Notifier then uses the first configured one).
	Trigger     string
	GitHubLogin string
	Ends        time.Time     // NoticeLoggedIn: when the session ends
	TTL         time.Duration // NoticeLoggedOutAutomatically: how long sessions live
	Scopes      ScopeDiff     // NoticeLoggedIn: how the granted scopes differ from those asked for
}

// Notifier sends a direct message to a Rocket.Chat user outside of a webhook
// answer (after login, after the automatic logout). Optional.
// Adapter: rocketchat.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

// MaxTriggerLen bounds the trigger word kept with a link, a sign-in and a
// session; a longer one (or one that is not UTF-8) is not kept, and the
// edge uses its first configured word instead.
const MaxTriggerLen = 64

// keptTrigger is the trigger word as stored: t, or "" when unfit.
func keptTrigger(t string) string {
	if len(t) > MaxTriggerLen || !utf8.ValidString(t) {
		return ""
	}
	return t
}

func (s *Service) notify(ctx context.Context, n Notice) {
	if s.Notifier == nil {
		return
	}
	err := s.Notifier.Notify(ctx, n)
	if err == nil {
		return
	}
	// A refusal an operator must fix (a setting of the incoming webhook, say)
	// carries its own Failures kind; its message says what to change.
	var refusal interface{ Failure() Metric }
	if errors.As(err, &refusal) {
		s.count(ctx, refusal.Failure())
		s.log().ErrorContext(ctx, "notify user: Rocket.Chat refused the message", "site", n.Site, "user", n.UserID, "error", err)
		return
	}
	s.count(ctx, FailureNotify)
	s.log().WarnContext(ctx, "notify user", "site", n.Site, "user", n.UserID, "error", err)
}
