package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"
)

const (
	// LinkTTL is how long a login link and an authorization in flight live.
	// GitHub's codes live 10 minutes too.
	LinkTTL = 10 * time.Minute
	// earlyTolerance lets an automatic logout fire a little before the session's
	// end (scheduler precision) but never end a session well before its time.
	earlyTolerance = 2 * time.Minute
	// The first retry waits longer than an invoker's own retries of the failed
	// run (Lambda's asynchronous retries come after about 1 and 2 minutes), so
	// those find the next attempt still pending and merely move it.
	firstRetryDelay = 5 * time.Minute
	maxRetryDelay   = 6 * time.Hour
	// cleanupTimeout bounds work that must finish after its request gave up.
	cleanupTimeout = 10 * time.Second
	// MaxLinksPerWindow is how many login links a user gets per LinkTTL window.
	MaxLinksPerWindow = 5
)

// Service runs the session lifecycle. Its zero value is not usable; fill every
// field but Notifier and Logger.
type Service struct {
	Store     Store
	Scheduler Scheduler
	Sealer    Sealer
	GitHub    GitHub
	Notifier  Notifier     // optional
	Metrics   Metrics      // optional
	Logger    *slog.Logger // optional
	Now       func() time.Time
	TTL       time.Duration // how long a session lives, 7 days in production
	// IDKey authenticates the login link ids and OAuth states the service
	// issues, so that a value it never issued is refused without a store call.
	// Every instance of a deployment must have the same one: see DeriveIDKey.
	IDKey []byte
	// Scopes are the OAuth scopes asked for (GITHUB_SCOPES); what GitHub grants
	// is compared with them after each login (see ScopeNote).
	Scopes []string
}

func (s *Service) count(ctx context.Context, metric, dimension, value string) {
	if s.Metrics != nil {
		s.Metrics.Count(ctx, metric, dimension, value)
	}
}

func (s *Service) notify(ctx context.Context, k Key, text string) {
	if s.Notifier == nil {
		return
	}
	err := s.Notifier.Notify(ctx, k, text)
	if err == nil {
		return
	}
	// A refusal an operator must fix (a setting of the incoming webhook, say)
	// carries its own kind; its message says what to change.
	var refusal interface{ FailureKind() string }
	if errors.As(err, &refusal) {
		s.count(ctx, "Failures", "Kind", refusal.FailureKind())
		s.log().ErrorContext(ctx, "notify user: Rocket.Chat refused the message", "site", k.Site, "user", k.UserID, "error", err)
		return
	}
	s.count(ctx, "Failures", "Kind", "notify")
	s.log().WarnContext(ctx, "notify user", "site", k.Site, "user", k.UserID, "error", err)
}

// DeriveIDKey derives Service.IDKey from a secret every instance of a
// deployment shares (the GitHub client secret): no extra secret to manage.
// Changing the secret invalidates only the links and sign-ins in flight.
func DeriveIDKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("rcgithub: login link ids and OAuth states, v1"))
	return m.Sum(nil)
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// storeProblem maps ErrNotFound to the given problem and other store failures
// to an "unavailable" one.
func (s *Service) storeProblem(err error, notFound *Problem) error {
	if errors.Is(err, ErrNotFound) {
		return notFound
	}
	return &Problem{Kind: Unavailable, Err: err,
		Message: "Our storage is unavailable right now. Wait a minute, then type /github login in Rocket.Chat to try again."}
}

// FormatTime is how times are shown to users: absolute, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// newGeneration picks a random generation, different from the current one. It
// stays below 2^53 so that it survives JSON in any language.
func newGeneration(prev *Session) (int64, error) {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<53-1))
		if err != nil {
			return 0, fmt.Errorf("generation: %w", err)
		}
		g := n.Int64() + 1
		if prev == nil || g != prev.Generation {
			return g, nil
		}
	}
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// FormatDuration is how durations are shown to users: days, hours and
// minutes, leaving minutes out at day scale.
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hours := int(d / time.Hour)
	mins := int((d - time.Duration(hours)*time.Hour) / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if hours > 0 {
		parts = append(parts, plural(hours, "hour"))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, plural(mins, "minute"))
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
