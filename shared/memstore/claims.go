package memstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

var _ chatops.Claims = (*Claims)(nil)

type claimKey struct {
	key       session.Key
	messageID string
}

// Claims is a chatops.Claims in a map behind a mutex. Claims past their
// Expires count as gone. Safe for concurrent use.
type Claims struct {
	mu     sync.Mutex
	claims map[claimKey]chatops.Claim
	now    func() time.Time
}

// NewClaims returns empty claims whose expiry is read on now (nil: time.Now).
func NewClaims(now func() time.Time) *Claims {
	if now == nil {
		now = time.Now
	}
	return &Claims{claims: map[claimKey]chatops.Claim{}, now: now}
}

// Claim keeps c unless an unexpired claim of the same key and message exists;
// then it returns that one.
func (m *Claims) Claim(_ context.Context, c chatops.Claim) (chatops.Claim, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := claimKey{c.Key, c.MessageID}
	if old, ok := m.claims[id]; ok && !old.Expires.Before(m.now()) {
		return old, false, nil
	}
	m.claims[id] = c
	return c, true, nil
}

// Complete records the issue created for the claim; session.ErrNotFound when
// there is no claim.
func (m *Claims) Complete(_ context.Context, k session.Key, messageID string, created chatops.Created) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := claimKey{k, messageID}
	c, ok := m.claims[id]
	if !ok {
		return fmt.Errorf("complete claim: %w", session.ErrNotFound)
	}
	c.Created = created
	m.claims[id] = c
	return nil
}

// Release forgets the claim, if any.
func (m *Claims) Release(_ context.Context, k session.Key, messageID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.claims, claimKey{k, messageID})
	return nil
}
