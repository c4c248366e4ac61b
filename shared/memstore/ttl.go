package memstore

import (
	"container/heap"
	"encoding/binary"
	"hash/fnv"
	"time"

	"rcgithub/shared/session"
)

// This file models DynamoDB's Time to Live: an item whose expires_at has
// passed is deleted later, not at once ("typically within a few days" in
// AWS's words; about two days is what the simulation assumes), and until then
// reads return it. The service must treat such an item as gone itself.

// SessionBackstop is how long after its Ends a live or retired session may be
// deleted by TTL: the same backstop as the DynamoDB adapter's (records.go),
// beyond a year, so TTL only removes sessions the service failed to clean up.
const SessionBackstop = 400 * 24 * time.Hour

// MaxTTLLag is the longest lag TTL options may ask for: DynamoDB documents
// deletion "within a few days" of expiry; two days was its older wording.
const MaxTTLLag = 7 * 24 * time.Hour

// TTL tunes the TTL model of NewStoreWithTTL.
type TTL struct {
	// Now tells the time that decides what has expired (nil: time.Now).
	Now func() time.Time
	// MaxLag is the longest an expired item lingers: each item lingers a
	// pseudo-random lag in [0, MaxLag], fixed by Seed and the item's key,
	// so a run can be repeated exactly. At most MaxTTLLag.
	MaxLag time.Duration
	// Seed picks the lags.
	Seed uint64
}

// recordKind tells which map an item of the TTL heap lives in.
type recordKind uint8

const (
	kindLink recordKind = iota
	kindMessage
	kindQuota
	kindPending
	kindLive
	kindRetired
)

// ttlEntry is an item's deletion time, pushed when the item is written.
// When it comes due, the item is deleted only if its current version is due
// too: a rewrite pushes an entry of its own.
type ttlEntry struct {
	at   int64 // Unix nanoseconds: expires_at plus the item's lag
	kind recordKind
	id   string // link id, message id or state
	key  session.Key
	n    int64 // quota window (Unix nanoseconds) or generation
}

type ttlHeap []ttlEntry

func (h ttlHeap) Len() int           { return len(h) }
func (h ttlHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h ttlHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ttlHeap) Push(x any)        { *h = append(*h, x.(ttlEntry)) }
func (h *ttlHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// ttlModel is the TTL state of a store; nil when the store models no TTL.
type ttlModel struct {
	now    func() time.Time
	maxLag time.Duration
	seed   uint64
	due    ttlHeap
}

// NewStoreWithTTL returns an empty store that deletes each item some time
// after its TTL attribute's time, as DynamoDB does: links, their message
// items and pending authorizations at their Expires, quota items two link
// windows after their window starts, sessions SessionBackstop after their
// Ends. Until then reads return the item. MaxLag is capped at MaxTTLLag.
func NewStoreWithTTL(o TTL) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	o.MaxLag = min(max(o.MaxLag, 0), MaxTTLLag)
	s := NewStore()
	s.ttl = &ttlModel{now: o.Now, maxLag: o.MaxLag, seed: o.Seed}
	return s
}

// Lag is how long after its expiry the item e lingers: a pseudo-random
// duration in [0, maxLag] that depends only on the seed and the item's key.
func (t *ttlModel) lag(e ttlEntry) time.Duration {
	if t.maxLag == 0 {
		return 0
	}
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], t.seed)
	h.Write(b[:])
	h.Write([]byte{byte(e.kind)})
	h.Write([]byte(e.id))
	h.Write([]byte{0})
	h.Write([]byte(e.key.Site))
	h.Write([]byte{0})
	h.Write([]byte(e.key.UserID))
	binary.LittleEndian.PutUint64(b[:], uint64(e.n))
	h.Write(b[:])
	return time.Duration(mix(h.Sum64()) % uint64(t.maxLag+1))
}

// mix spreads the bits of an FNV hash (splitmix64's finaliser), so that
// keys differing in their last bytes get unrelated lags.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// expiresAt is the TTL time of the item e names as it is stored now, and
// whether it is stored.
func (m *Store) expiresAt(e ttlEntry) (time.Time, bool) {
	switch e.kind {
	case kindLink:
		l, ok := m.links[e.id]
		return l.Expires, ok
	case kindMessage:
		l, ok := m.messages[linkMessage{e.key, e.id}]
		return l.Expires, ok
	case kindQuota:
		_, ok := m.quota[quotaKey{e.key, e.n}]
		return time.Unix(0, e.n).Add(2 * session.LinkTTL), ok
	case kindPending:
		p, ok := m.pending[e.id]
		return p.Expires, ok
	case kindLive:
		s, ok := m.live[e.key]
		return s.Ends.Add(SessionBackstop), ok
	default:
		s, ok := m.retired[retiredKey{e.key, e.n}]
		return s.Ends.Add(SessionBackstop), ok
	}
}

// expireLater records that the item e, just written, expires at its TTL time
// plus its lag. Called with m.mu held; nothing when the store models no TTL.
// Sessions are not recorded: see dropIfExpired.
func (m *Store) expireLater(e ttlEntry) {
	if m.ttl == nil || e.kind == kindLive || e.kind == kindRetired {
		return
	}
	at, ok := m.expiresAt(e)
	if !ok {
		return
	}
	e.at = at.Add(m.ttl.lag(e)).UnixNano()
	heap.Push(&m.ttl.due, e)
}

// sweep deletes the items whose TTL time plus lag has passed, as DynamoDB's
// background process does. Called with m.mu held, on every store call.
func (m *Store) sweep() {
	if m.ttl == nil {
		return
	}
	now := m.ttl.now().UnixNano()
	for len(m.ttl.due) > 0 && m.ttl.due[0].at <= now {
		e := heap.Pop(&m.ttl.due).(ttlEntry)
		at, ok := m.expiresAt(e)
		if !ok || at.Add(m.ttl.lag(e)).UnixNano() > now {
			continue // deleted meanwhile, or rewritten with a later expiry (its own entry follows)
		}
		m.delete(e)
	}
}

// delete deletes the item e names.
func (m *Store) delete(e ttlEntry) {
	switch e.kind {
	case kindLink:
		delete(m.links, e.id)
	case kindMessage:
		delete(m.messages, linkMessage{e.key, e.id})
	case kindQuota:
		delete(m.quota, quotaKey{e.key, e.n})
	case kindPending:
		delete(m.pending, e.id)
	case kindLive:
		delete(m.live, e.key)
	case kindRetired:
		delete(m.retired, retiredKey{e.key, e.n})
	}
}

// dropIfExpired deletes the session item e names once TTL would have
// deleted it. Sessions expire only SessionBackstop after their end, so they
// are checked when touched (and by Records) instead of filling the heap with
// entries a run never reaches: to a reader it is the same. Called with m.mu
// held.
func (m *Store) dropIfExpired(e ttlEntry) {
	if m.ttl == nil {
		return
	}
	at, ok := m.expiresAt(e)
	now := m.ttl.now()
	if ok && !at.After(now) && !at.Add(m.ttl.lag(e)).After(now) {
		m.delete(e)
	}
}

// Sweep runs TTL's deletions due now; store calls also run them. A
// simulation calls it as its clock advances, so that idle stretches delete
// too.
func (m *Store) Sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
}

// Records counts the items a store holds, as DynamoDB would bill them.
type Records struct {
	Links, Messages, Quotas, Pending, Live, Retired int
	// Expired counts the items past their TTL time that TTL has not
	// deleted yet (links, message and quota items, pending authorizations):
	// reads still return them.
	Expired int
}

// Total is the number of items.
func (r Records) Total() int {
	return r.Links + r.Messages + r.Quotas + r.Pending + r.Live + r.Retired
}

// Records counts the items held now. It walks every item: call it once a
// simulated day, not per request.
func (m *Store) Records() Records {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	for k := range m.live {
		m.dropIfExpired(ttlEntry{kind: kindLive, key: k})
	}
	for k := range m.retired {
		m.dropIfExpired(ttlEntry{kind: kindRetired, key: k.Key, n: k.gen})
	}
	r := Records{Links: len(m.links), Messages: len(m.messages), Quotas: len(m.quota), Pending: len(m.pending),
		Live: len(m.live), Retired: len(m.retired)}
	if m.ttl == nil {
		return r
	}
	now := m.ttl.now()
	for _, l := range m.links {
		if !now.Before(l.Expires) {
			r.Expired++
		}
	}
	for _, l := range m.messages {
		if !now.Before(l.Expires) {
			r.Expired++
		}
	}
	for q := range m.quota {
		if !now.Before(time.Unix(0, q.window).Add(2 * session.LinkTTL)) {
			r.Expired++
		}
	}
	for _, p := range m.pending {
		if !now.Before(p.Expires) {
			r.Expired++
		}
	}
	return r
}
