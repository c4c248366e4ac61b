package memstore

import (
	"context"
	"sync"
	"time"

	"rcgithub/shared/session"
)

var _ session.Store = (*Store)(nil)

type quotaKey struct {
	key    session.Key
	window int64
}

type linkMessage struct {
	key       session.Key
	messageID string
}

type retiredKey struct {
	session.Key
	gen int64
}

// Store is a session.Store in maps behind a mutex. Safe for concurrent use.
// From NewStore nothing expires; from NewStoreWithTTL expired items linger,
// then go, as DynamoDB's TTL deletes them (ttl.go).
type Store struct {
	mu       sync.Mutex
	links    map[string]session.Link
	messages map[linkMessage]session.Link
	quota    map[quotaKey]int
	pending  map[string]session.Pending
	live     map[session.Key]session.Session
	retired  map[retiredKey]session.Session
	ttl      *ttlModel // nil: nothing expires (NewStore); see ttl.go
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		links: map[string]session.Link{}, messages: map[linkMessage]session.Link{}, quota: map[quotaKey]int{},
		pending: map[string]session.Pending{},
		live:    map[session.Key]session.Session{}, retired: map[retiredKey]session.Session{},
	}
}

// CreateLink keeps l unless its message already made a link (then that one is returned) or the quota is spent.
func (m *Store) CreateLink(_ context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	msg := linkMessage{l.Key, l.MessageID}
	if first, ok := m.messages[msg]; ok {
		return first, nil
	}
	qk := quotaKey{l.Key, q.Window.UnixNano()}
	if m.quota[qk] >= q.Max {
		return session.Link{}, session.ErrTooManyLinks
	}
	if m.quota[qk] == 0 {
		defer m.expireLater(ttlEntry{kind: kindQuota, key: l.Key, n: qk.window})
	}
	m.quota[qk]++
	m.messages[msg], m.links[l.ID] = l, l
	m.expireLater(ttlEntry{kind: kindMessage, key: l.Key, id: l.MessageID})
	m.expireLater(ttlEntry{kind: kindLink, id: l.ID})
	return l, nil
}

// GetLink returns the link id, or session.ErrNotFound.
func (m *Store) GetLink(_ context.Context, id string) (session.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	return lookup(m.links, id)
}

// TakeLink returns the link id and deletes it, or session.ErrNotFound.
func (m *Store) TakeLink(_ context.Context, id string) (session.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	return take(m.links, id)
}

// PutPending keeps p under its state.
func (m *Store) PutPending(_ context.Context, p session.Pending) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.pending[p.State] = p
	m.expireLater(ttlEntry{kind: kindPending, id: p.State})
	return nil
}

// TakePending returns the sign-in of state and deletes it, or session.ErrNotFound.
func (m *Store) TakePending(_ context.Context, state string) (session.Pending, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	return take(m.pending, state)
}

// GetSession returns the live session of k, or session.ErrNotFound.
func (m *Store) GetSession(_ context.Context, k session.Key) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.dropIfExpired(ttlEntry{kind: kindLive, key: k})
	return lookup(m.live, k)
}

// PutSession replaces the live session of generation prev (0: none) with s, keeping the one replaced as retired, or returns session.ErrConflict.
func (m *Store) PutSession(_ context.Context, s session.Session, prev int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.dropIfExpired(ttlEntry{kind: kindLive, key: s.Key})
	cur, ok := m.live[s.Key]
	if (!ok && prev != 0) || (ok && cur.Generation != prev) {
		return session.ErrConflict
	}
	if ok {
		m.retired[retiredKey{cur.Key, cur.Generation}] = cur
	}
	m.live[s.Key] = s
	return nil
}

// RetireSession moves the live session of generation gen to the retired ones.
func (m *Store) RetireSession(_ context.Context, k session.Key, gen int64) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.dropIfExpired(ttlEntry{kind: kindLive, key: k})
	cur, ok := m.live[k]
	switch {
	case !ok:
		return cur, session.ErrNotFound
	case cur.Generation != gen:
		return session.Session{}, session.ErrConflict
	}
	delete(m.live, k)
	m.retired[retiredKey{k, gen}] = cur
	return cur, nil
}

// UpdateToken replaces the tokens of the live session of generation gen.
func (m *Store) UpdateToken(_ context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.dropIfExpired(ttlEntry{kind: kindLive, key: k})
	cur, ok := m.live[k]
	switch {
	case !ok:
		return session.ErrNotFound
	case cur.Generation != gen:
		return session.ErrConflict
	}
	cur.SealedToken, cur.SealedRefresh = sealedToken, sealedRefresh
	cur.TokenExpires, cur.RefreshExpires = tokenExpires, refreshExpires
	m.live[k] = cur
	return nil
}

// PutRetired keeps s as retired.
func (m *Store) PutRetired(_ context.Context, s session.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.retired[retiredKey{s.Key, s.Generation}] = s
	return nil
}

// GetRetired returns the retired session of k and gen, or session.ErrNotFound.
func (m *Store) GetRetired(_ context.Context, k session.Key, gen int64) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.dropIfExpired(ttlEntry{kind: kindRetired, key: k, n: gen})
	return lookup(m.retired, retiredKey{k, gen})
}

// DeleteRetired forgets the retired session of k and gen.
func (m *Store) DeleteRetired(_ context.Context, k session.Key, gen int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	delete(m.retired, retiredKey{k, gen})
	return nil
}

// lookup returns the value of k in m, or session.ErrNotFound.
func lookup[K comparable, V any](m map[K]V, k K) (V, error) {
	v, ok := m[k]
	if !ok {
		return v, session.ErrNotFound
	}
	return v, nil
}

// take returns the value of k in m and deletes it, or session.ErrNotFound.
func take[K comparable, V any](m map[K]V, k K) (V, error) {
	v, err := lookup(m, k)
	delete(m, k)
	return v, err
}
