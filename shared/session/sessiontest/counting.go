package sessiontest

import (
	"context"
	"maps"
	"sync"
	"time"

	"rcgithub/shared/session"
)

// CountingStore is a session.Store that counts every call by method name
// before passing it on to Store, to show that some input costs no store call
// at all. Each method is written out (Store is a field, not embedded), so a
// method added to session.Store fails to compile here instead of slipping
// past the count. It is safe for concurrent use.
type CountingStore struct {
	Store session.Store

	mu    sync.Mutex
	calls map[string]int
}

var _ session.Store = (*CountingStore)(nil)

// NewCountingStore counts the calls made to s.
func NewCountingStore(s session.Store) *CountingStore { return &CountingStore{Store: s} }

// Calls returns how many calls were made to each method since the last Reset.
func (c *CountingStore) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// Total is how many calls were made since the last Reset.
func (c *CountingStore) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

// Reset forgets the calls counted so far.
func (c *CountingStore) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = nil
}

func (c *CountingStore) count(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[method]++
}

// CreateLink counts and passes the call on.
func (c *CountingStore) CreateLink(ctx context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	c.count("CreateLink")
	return c.Store.CreateLink(ctx, l, q)
}

// GetLink counts and passes the call on.
func (c *CountingStore) GetLink(ctx context.Context, id string) (session.Link, error) {
	c.count("GetLink")
	return c.Store.GetLink(ctx, id)
}

// TakeLink counts and passes the call on.
func (c *CountingStore) TakeLink(ctx context.Context, id string) (session.Link, error) {
	c.count("TakeLink")
	return c.Store.TakeLink(ctx, id)
}

// PutPending counts and passes the call on.
func (c *CountingStore) PutPending(ctx context.Context, p session.Pending) error {
	c.count("PutPending")
	return c.Store.PutPending(ctx, p)
}

// TakePending counts and passes the call on.
func (c *CountingStore) TakePending(ctx context.Context, state string) (session.Pending, error) {
	c.count("TakePending")
	return c.Store.TakePending(ctx, state)
}

// GetSession counts and passes the call on.
func (c *CountingStore) GetSession(ctx context.Context, k session.Key) (session.Session, error) {
	c.count("GetSession")
	return c.Store.GetSession(ctx, k)
}

// PutSession counts and passes the call on.
func (c *CountingStore) PutSession(ctx context.Context, s session.Session, prev int64) error {
	c.count("PutSession")
	return c.Store.PutSession(ctx, s, prev)
}

// RetireSession counts and passes the call on.
func (c *CountingStore) RetireSession(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	c.count("RetireSession")
	return c.Store.RetireSession(ctx, k, gen)
}

// PutRetired counts and passes the call on.
func (c *CountingStore) PutRetired(ctx context.Context, s session.Session) error {
	c.count("PutRetired")
	return c.Store.PutRetired(ctx, s)
}

// GetRetired counts and passes the call on.
func (c *CountingStore) GetRetired(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	c.count("GetRetired")
	return c.Store.GetRetired(ctx, k, gen)
}

// DeleteRetired counts and passes the call on.
func (c *CountingStore) DeleteRetired(ctx context.Context, k session.Key, gen int64) error {
	c.count("DeleteRetired")
	return c.Store.DeleteRetired(ctx, k, gen)
}

// UpdateToken counts and passes the call on.
func (c *CountingStore) UpdateToken(ctx context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	c.count("UpdateToken")
	return c.Store.UpdateToken(ctx, k, gen, sealedToken, sealedRefresh, tokenExpires, refreshExpires)
}
