package main

import (
	"context"
	"errors"
	"sync/atomic"

	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
)

// countingStore is memstore's store as the service sees it, which also
// counts the retired records (tokens awaiting revocation) as they are written
// and deleted, so that the backlog can be read every simulated hour:
// memstore's Records walks every item, about a second at a million users.
// Each day the count is checked against Records (Day.RetiredCounted).
type countingStore struct {
	*memstore.Store
	retired atomic.Int64
}

var _ session.Store = (*countingStore)(nil)

// PutSession replaces the live session; one it replaces becomes retired.
func (c *countingStore) PutSession(ctx context.Context, s session.Session, prev int64) error {
	if err := c.Store.PutSession(ctx, s, prev); err != nil {
		return err
	}
	if prev != 0 {
		if _, err := c.Store.GetRetired(ctx, s.Key, prev); err == nil {
			c.retired.Add(1)
		}
	}
	return nil
}

// RetireSession ends the live session, keeping it as retired.
func (c *countingStore) RetireSession(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	s, err := c.Store.RetireSession(ctx, k, gen)
	if err == nil {
		c.retired.Add(1)
	}
	return s, err
}

// PutRetired keeps a token of a failed login as retired.
func (c *countingStore) PutRetired(ctx context.Context, s session.Session) error {
	_, before := c.Store.GetRetired(ctx, s.Key, s.Generation)
	if err := c.Store.PutRetired(ctx, s); err != nil {
		return err
	}
	if errors.Is(before, session.ErrNotFound) {
		c.retired.Add(1)
	}
	return nil
}

// DeleteRetired forgets a retired session.
func (c *countingStore) DeleteRetired(ctx context.Context, k session.Key, gen int64) error {
	_, before := c.Store.GetRetired(ctx, k, gen)
	if err := c.Store.DeleteRetired(ctx, k, gen); err != nil {
		return err
	}
	if before == nil {
		c.retired.Add(-1)
	}
	return nil
}
