package sessiontest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// The suites are checked here against the simplest adapters that keep the
// contract: maps behind a mutex. A suite that failed them would be wrong.

func TestReferenceStore(t *testing.T) {
	for _, concurrent := range []bool{true, false} {
		t.Run(map[bool]string{true: "concurrent", false: "one at a time"}[concurrent], func(t *testing.T) {
			sessiontest.TestStore(t, func(*testing.T) session.Store { return newMapStore() },
				sessiontest.StoreOptions{Concurrent: concurrent})
		})
	}
}

func TestReferenceScheduler(t *testing.T) {
	sessiontest.TestScheduler(t, func(*testing.T) (session.Scheduler, sessiontest.Inspect) {
		s := &mapScheduler{jobs: map[session.Job]time.Time{}}
		return s, s.inspect
	})
}

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

type mapStore struct {
	mu       sync.Mutex
	links    map[string]session.Link
	messages map[linkMessage]session.Link
	quota    map[quotaKey]int
	pending  map[string]session.Pending
	live     map[session.Key]session.Session
	retired  map[retiredKey]session.Session
}

func newMapStore() *mapStore {
	return &mapStore{
		links: map[string]session.Link{}, messages: map[linkMessage]session.Link{}, quota: map[quotaKey]int{},
		pending: map[string]session.Pending{},
		live:    map[session.Key]session.Session{}, retired: map[retiredKey]session.Session{},
	}
}

func (m *mapStore) CreateLink(_ context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg := linkMessage{l.Key, l.MessageID}
	if first, ok := m.messages[msg]; ok {
		return first, nil
	}
	qk := quotaKey{l.Key, q.Window.UnixNano()}
	if m.quota[qk] >= q.Max {
		return session.Link{}, session.ErrTooManyLinks
	}
	m.quota[qk]++
	m.messages[msg], m.links[l.ID] = l, l
	return l, nil
}

func (m *mapStore) GetLink(_ context.Context, id string) (session.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[id]
	if !ok {
		return l, session.ErrNotFound
	}
	return l, nil
}

func (m *mapStore) TakeLink(_ context.Context, id string) (session.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[id]
	if !ok {
		return l, session.ErrNotFound
	}
	delete(m.links, id)
	return l, nil
}

func (m *mapStore) PutPending(_ context.Context, p session.Pending) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending[p.State] = p
	return nil
}

func (m *mapStore) TakePending(_ context.Context, state string) (session.Pending, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pending[state]
	if !ok {
		return p, session.ErrNotFound
	}
	delete(m.pending, state)
	return p, nil
}

func (m *mapStore) GetSession(_ context.Context, k session.Key) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.live[k]
	if !ok {
		return s, session.ErrNotFound
	}
	return s, nil
}

func (m *mapStore) PutSession(_ context.Context, s session.Session, prev int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
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

func (m *mapStore) RetireSession(_ context.Context, k session.Key, gen int64) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
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

func (m *mapStore) UpdateToken(_ context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
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

func (m *mapStore) PutRetired(_ context.Context, s session.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retired[retiredKey{s.Key, s.Generation}] = s
	return nil
}

func (m *mapStore) GetRetired(_ context.Context, k session.Key, gen int64) (session.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.retired[retiredKey{k, gen}]
	if !ok {
		return s, session.ErrNotFound
	}
	return s, nil
}

func (m *mapStore) DeleteRetired(_ context.Context, k session.Key, gen int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.retired, retiredKey{k, gen})
	return nil
}

type mapScheduler struct {
	mu   sync.Mutex
	jobs map[session.Job]time.Time
}

func (m *mapScheduler) Schedule(_ context.Context, job session.Job, at time.Time) error {
	if err := job.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.jobs[job] = at
	return nil
}

func (m *mapScheduler) Cancel(_ context.Context, job session.Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.jobs, job)
	return nil
}

func (m *mapScheduler) inspect(_ context.Context, job session.Job) (time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.jobs[job]
	return at, ok, nil
}
