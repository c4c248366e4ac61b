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

// Service runs the session lifecycle. Its zero value is not usable.
//
// Required: Store, Scheduler, Sealer, GitHub, TTL and IDKey (at least
// MinIDKeyLen bytes; without it no link is issued and none accepted).
// Optional: Notifier (nil: no direct messages), Metrics (nil: nothing
// counted), Logger (nil: slog.Default()), Now (nil: time.Now), Scopes
// (nil: no scope asked for) and ExtraScopes (nil: users add none).
type Service struct {
	Store     Store
	Scheduler Scheduler
	Sealer    Sealer
	GitHub    GitHub
	Notifier  Notifier         // optional
	Events    Events           // optional: domain events (events.go)
	Metrics   Metrics          // optional
	Logger    *slog.Logger     // optional
	Now       func() time.Time // optional
	TTL       time.Duration    // how long a session lives, 7 days in production
	// IDKey authenticates the login link ids and OAuth states the service
	// issues, so that a value it never issued is refused without a store call.
	// Every instance of a deployment must have the same one: see DeriveIDKey.
	IDKey []byte
	// Scopes are the OAuth scopes every login asks for (GITHUB_SCOPES).
	// Optional.
	Scopes []string
	// ExtraScopes are the scopes a user may add to a login by naming them
	// ("/github login repo", GITHUB_EXTRA_SCOPES); any other is refused.
	// What GitHub grants is compared with what each login asked for
	// (Login.Scopes). Optional.
	ExtraScopes []string
}

func (s *Service) count(ctx context.Context, m Metric) {
	if s.Metrics != nil {
		s.Metrics.Count(ctx, m)
	}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
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
// to StorageUnavailable.
func (s *Service) storeProblem(err error, notFound *Problem) error {
	if errors.Is(err, ErrNotFound) {
		return notFound
	}
	return failed(StorageUnavailable, notFound.Trigger, err)
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
