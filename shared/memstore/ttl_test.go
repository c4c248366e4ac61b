package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// The store that models TTL keeps the contract: what has not expired is
// there, as in any store.
func TestTTLStoreContract(t *testing.T) {
	sessiontest.TestStore(t, func(*testing.T) session.Store {
		// The suite's records expire from 2026-01-01 00:20 on: at its clock's
		// time none has, so all must be there.
		return memstore.NewStoreWithTTL(memstore.TTL{MaxLag: 48 * time.Hour, Seed: 1,
			Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	}, sessiontest.StoreOptions{Concurrent: true})
}

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// ttlItem writes one item with a TTL and reads it back: found tells whether
// the store still returns it.
type ttlItem struct {
	name    string
	expires time.Time // the item's TTL time
	write   func(s *memstore.Store, i int) error
	found   func(s *memstore.Store, i int) bool
}

var ttlItems = []ttlItem{
	{"link", t0.Add(session.LinkTTL),
		func(s *memstore.Store, i int) error {
			_, err := s.CreateLink(context.Background(), testLink(i), session.LinkQuota{Window: t0, Max: 1 << 20})
			return err
		},
		func(s *memstore.Store, i int) bool {
			_, err := s.GetLink(context.Background(), testLink(i).ID)
			return err == nil
		}},
	{"link's message item", t0.Add(session.LinkTTL),
		func(s *memstore.Store, i int) error {
			l := testLink(i)
			if _, err := s.CreateLink(context.Background(), l, session.LinkQuota{Window: t0, Max: 1 << 20}); err != nil {
				return err
			}
			_, err := s.TakeLink(context.Background(), l.ID) // the message item stays
			return err
		},
		func(s *memstore.Store, i int) bool {
			// A re-delivery finds the first link while the message item lingers.
			again := testLink(i)
			again.ID += "-again"
			got, err := s.CreateLink(context.Background(), again, session.LinkQuota{Window: t0, Max: 1 << 20})
			return err == nil && got.ID == testLink(i).ID
		}},
	{"pending", t0.Add(session.LinkTTL),
		func(s *memstore.Store, i int) error {
			return s.PutPending(context.Background(), session.Pending{State: fmt.Sprintf("state-%d", i),
				Key: testKey(i), Expires: t0.Add(session.LinkTTL)})
		},
		func(s *memstore.Store, i int) bool {
			return s.Records().Pending == 1
		}},
	{"quota", t0.Add(2 * session.LinkTTL),
		func(s *memstore.Store, i int) error {
			_, err := s.CreateLink(context.Background(), testLink(i), session.LinkQuota{Window: t0, Max: 1})
			return err
		},
		func(s *memstore.Store, i int) bool {
			l := testLink(i)
			l.ID, l.MessageID = l.ID+"-2", l.MessageID+"-2"
			_, err := s.CreateLink(context.Background(), l, session.LinkQuota{Window: t0, Max: 1})
			return errors.Is(err, session.ErrTooManyLinks) // the count is still there
		}},
	{"retired session", t0.Add(memstore.SessionBackstop),
		func(s *memstore.Store, i int) error {
			return s.PutRetired(context.Background(), session.Session{Key: testKey(i), Generation: 7, Ends: t0})
		},
		func(s *memstore.Store, i int) bool {
			_, err := s.GetRetired(context.Background(), testKey(i), 7)
			return err == nil
		}},
}

func testKey(i int) session.Key {
	return session.Key{Site: "https://chat.example.com", UserID: fmt.Sprintf("user%d", i)}
}

func testLink(i int) session.Link {
	return session.Link{ID: fmt.Sprintf("link-%d", i), Key: testKey(i), MessageID: fmt.Sprintf("msg-%d", i),
		Created: t0, Expires: t0.Add(session.LinkTTL)}
}

// deletedAfter writes item i in a fresh store and returns how long after its
// TTL time the store stopped returning it, stepping a clock by step.
func deletedAfter(t *testing.T, it ttlItem, seed uint64, maxLag time.Duration, i int, step time.Duration) time.Duration {
	t.Helper()
	clock := sessiontest.NewClock(t0)
	s := memstore.NewStoreWithTTL(memstore.TTL{Now: clock.Now, MaxLag: maxLag, Seed: seed})
	if err := it.write(s, i); err != nil {
		t.Fatalf("%s: write: %v", it.name, err)
	}
	clock.Set(it.expires.Add(-time.Nanosecond))
	if !it.found(s, i) {
		t.Fatalf("%s: gone before its TTL time", it.name)
	}
	for lag := time.Duration(0); lag <= maxLag+step; lag += step {
		clock.Set(it.expires.Add(lag))
		s.Sweep()
		if !it.found(s, i) {
			return lag
		}
	}
	t.Fatalf("%s: still there %v after its TTL time, past the longest lag %v", it.name, maxLag+step, maxLag)
	return 0
}

// Each item lingers past its TTL time for a lag of its own, within MaxLag,
// the same for the same seed and key, and spread over the range.
func TestTTLLag(t *testing.T) {
	const maxLag = 48 * time.Hour
	for _, it := range ttlItems {
		t.Run(it.name, func(t *testing.T) {
			var lags []time.Duration
			for i := range 40 {
				lag := deletedAfter(t, it, 42, maxLag, i, time.Hour)
				if again := deletedAfter(t, it, 42, maxLag, i, time.Hour); again != lag {
					t.Errorf("item %d: deleted %v after expiry, then %v with the same seed", i, lag, again)
				}
				lags = append(lags, lag)
			}
			short, long := 0, 0
			for _, l := range lags {
				if l <= maxLag/2 {
					short++
				} else {
					long++
				}
			}
			if short < 10 || long < 10 {
				t.Errorf("lags %v are not spread over [0, %v]", lags, maxLag)
			}
		})
	}
}

// With no lag an item goes at its TTL time; NewStore keeps items forever.
func TestTTLBounds(t *testing.T) {
	it := ttlItems[0]
	if lag := deletedAfter(t, it, 1, 0, 0, time.Nanosecond); lag != 0 {
		t.Errorf("MaxLag 0: deleted %v after expiry, want at once", lag)
	}
	s := memstore.NewStore()
	if err := it.write(s, 0); err != nil {
		t.Fatal(err)
	}
	s.Sweep()
	if !it.found(s, 0) {
		t.Error("NewStore deleted an expired item; it models no TTL")
	}
}

// Records counts the items, and those past their TTL time that linger.
func TestRecords(t *testing.T) {
	clock := sessiontest.NewClock(t0)
	s := memstore.NewStoreWithTTL(memstore.TTL{Now: clock.Now, MaxLag: 48 * time.Hour, Seed: 3})
	ctx := context.Background()
	for i := range 3 {
		if _, err := s.CreateLink(ctx, testLink(i), session.LinkQuota{Window: t0, Max: 10}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSession(ctx, session.Session{Key: testKey(0), Generation: 1, Ends: t0.Add(time.Hour)}, 0); err != nil {
		t.Fatal(err)
	}
	want := memstore.Records{Links: 3, Messages: 3, Quotas: 3, Live: 1}
	if got := s.Records(); got != want {
		t.Errorf("Records = %+v, want %+v", got, want)
	}
	clock.Set(t0.Add(2*session.LinkTTL + time.Nanosecond)) // all expired; lags of 1 ns are unlikely
	want.Expired = 9
	if got := s.Records(); got != want {
		t.Errorf("Records after expiry = %+v, want %+v", got, want)
	}
	clock.Set(t0.Add(3 * 24 * time.Hour))
	if got, want := s.Records(), (memstore.Records{Live: 1}); got != want {
		t.Errorf("Records after the longest lag = %+v, want %+v", got, want)
	}
}

// noGitHub fails every call: the refusals below must come before GitHub.
type noGitHub struct{}

func (noGitHub) AuthCodeURL(state, _ string, _ []string) string {
	return "https://github.example/authorize?state=" + state
}
func (noGitHub) Exchange(context.Context, string, string) (session.Token, error) {
	return session.Token{}, errors.New("exchange called")
}
func (noGitHub) Refresh(context.Context, string) (session.Token, error) {
	return session.Token{}, errors.New("refresh called")
}
func (noGitHub) User(context.Context, string) (session.User, error) {
	return session.User{}, errors.New("user called")
}
func (noGitHub) Revoke(context.Context, string) error { return errors.New("revoke called") }

// The service treats an expired item that TTL has not deleted yet as gone:
// a link, a sign-in and a session past their time are refused while the
// store still returns them.
func TestServiceTreatsLingeringItemsAsGone(t *testing.T) {
	ctx := context.Background()
	clock := sessiontest.NewClock(t0)
	store := memstore.NewStoreWithTTL(memstore.TTL{Now: clock.Now, MaxLag: 48 * time.Hour, Seed: 5})
	svc := &session.Service{Store: store, Scheduler: memstore.NewScheduler(clock.Now), GitHub: noGitHub{},
		Now: clock.Now, TTL: 7 * 24 * time.Hour, IDKey: session.DeriveIDKey("ttl-test-secret")}
	key := testKey(1)
	gone := func(what string, err error, reason session.Reason) {
		t.Helper()
		var p *session.Problem
		if !errors.As(err, &p) || p.Reason != reason {
			t.Errorf("%s: %v, want reason %v", what, err, reason)
		}
	}

	lingering, err := svc.StartLogin(ctx, session.LinkRequest{Key: key, MessageID: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := svc.StartLogin(ctx, session.LinkRequest{Key: key, MessageID: "m2"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(lingering.Expires.Add(time.Second))
	if _, err := store.GetLink(ctx, lingering.ID); err != nil {
		t.Fatalf("the expired link is already deleted (%v): the test needs it lingering", err)
	}
	_, err = svc.OpenLink(ctx, lingering.ID)
	gone("OpenLink of a lingering link", err, session.LinkGone)
	_, err = svc.Authorize(ctx, lingering.ID, "browser")
	gone("Authorize with a lingering link", err, session.LinkGone)

	// A sign-in whose pending authorization lingers.
	clock.Set(t0)
	if _, err := svc.OpenLink(ctx, fresh.ID); err != nil {
		t.Fatal(err)
	}
	authURL, err := svc.Authorize(ctx, fresh.ID, "browser")
	if err != nil {
		t.Fatal(err)
	}
	state := authURL[len("https://github.example/authorize?state="):]
	clock.Set(t0.Add(session.LinkTTL + time.Second))
	if store.Records().Pending != 1 {
		t.Fatal("the expired sign-in is already deleted: the test needs it lingering")
	}
	_, err = svc.CompleteLogin(ctx, state, "code", "browser")
	gone("CompleteLogin of a lingering sign-in", err, session.StateGone)

	// A session past its end, its automatic logout not run yet.
	if err := store.PutSession(ctx, session.Session{Key: key, Generation: 9, Started: t0, Ends: t0.Add(time.Hour)}, 0); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(time.Hour + time.Second))
	if _, err := svc.GetStatus(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("GetStatus of a session past its end: %v, want ErrNotFound", err)
	}
}
