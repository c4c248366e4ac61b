package bolt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

func TestStoreContract(t *testing.T) {
	sessiontest.TestStore(t, func(t *testing.T) session.Store { return openTest(t) },
		sessiontest.StoreOptions{Concurrent: true})
}

var (
	site = "https://chat.example.com"
	t0   = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
)

func testLink(id, messageID string) session.Link {
	return session.Link{ID: id, Key: session.Key{Site: site, UserID: "u1"}, MessageID: messageID,
		Created: t0, Expires: t0.Add(session.LinkTTL)}
}

func TestConcurrentCreateLink(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const n = 64

	// Distinct messages: every link is stored.
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			l := testLink(fmt.Sprintf("link-%d", i), fmt.Sprintf("msg-%d", i))
			got, err := db.CreateLink(ctx, l, unlimited)
			if err == nil && got.ID != l.ID {
				err = fmt.Errorf("got link %s, want %s", got.ID, l.ID)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateLink %d: %v", i, err)
		}
		if _, err := db.GetLink(ctx, fmt.Sprintf("link-%d", i)); err != nil {
			t.Fatalf("GetLink %d: %v", i, err)
		}
	}

	// One message: one link, the same for everyone.
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			got, err := db.CreateLink(ctx, testLink(fmt.Sprintf("same-%d", i), "same-msg"), unlimited)
			errs[i], ids[i] = err, got.ID
		})
	}
	wg.Wait()
	stored := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("CreateLink %d of one message: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("CreateLink of one message returned %s and %s", ids[0], ids[i])
		}
		if _, err := db.GetLink(ctx, fmt.Sprintf("same-%d", i)); err == nil {
			stored++
		}
	}
	if stored != 1 {
		t.Fatalf("%d links stored for one message, want 1", stored)
	}
}

// Outcomes such as ErrConflict and ErrNotFound must not fail the writes they
// share a batch with.
func TestFailedWritesDoNotFailTheirBatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	k := session.Key{Site: site, UserID: "u1"}
	if err := db.PutSession(ctx, session.Session{Key: k, Generation: 1}, 0); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	const n = 32
	var wg sync.WaitGroup
	errs := make([]error, 3*n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = db.CreateLink(ctx, testLink(fmt.Sprintf("link-%d", i), fmt.Sprintf("msg-%d", i)), unlimited)
		})
		wg.Go(func() {
			errs[n+i] = db.PutSession(ctx, session.Session{Key: k, Generation: int64(100 + i)}, 99)
		})
		wg.Go(func() {
			_, errs[2*n+i] = db.TakeLink(ctx, fmt.Sprintf("missing-%d", i))
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("CreateLink %d: %v", i, errs[i])
		} else if _, err := db.GetLink(ctx, fmt.Sprintf("link-%d", i)); err != nil {
			t.Errorf("GetLink %d: %v", i, err)
		}
		if !errors.Is(errs[n+i], session.ErrConflict) {
			t.Errorf("PutSession %d with a wrong prev: %v, want ErrConflict", i, errs[n+i])
		}
		if !errors.Is(errs[2*n+i], session.ErrNotFound) {
			t.Errorf("TakeLink %d of a missing link: %v, want ErrNotFound", i, errs[2*n+i])
		}
	}
	if cur, err := db.GetSession(ctx, k); err != nil || cur.Generation != 1 {
		t.Errorf("GetSession: generation %d, %v; want 1, nil", cur.Generation, err)
	}
}

// bbolt runs a batch's functions again when one of them fails. The store's
// functions must give the same results when run twice.
func TestWritesSurviveABatchRerun(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const ops = 7 // 4 CreateLink, TakeLink, RetireSession, PutSession that conflicts

	rerunForced := false
	for round := range 12 {
		prefix := fmt.Sprintf("r%d-", round)
		k := session.Key{Site: site, UserID: prefix + "u"}
		if _, err := db.CreateLink(ctx, testLink(prefix+"taken", prefix+"taken-msg"), unlimited); err != nil {
			t.Fatalf("CreateLink: %v", err)
		}
		if err := db.PutSession(ctx, session.Session{Key: k, Generation: 5}, 0); err != nil {
			t.Fatalf("PutSession: %v", err)
		}

		// Only a full group commits: the calls below all share one.
		db.commits.gatherAtLeast.Store(ops + 1)
		var wg sync.WaitGroup
		created := make([]session.Link, 4)
		errs := make([]error, ops)
		var taken session.Link
		var retired session.Session
		for i := range 4 {
			wg.Go(func() {
				created[i], errs[i] = db.CreateLink(ctx, testLink(fmt.Sprintf("%snew-%d", prefix, i), fmt.Sprintf("%smsg-%d", prefix, i)), unlimited)
			})
		}
		wg.Go(func() { taken, errs[4] = db.TakeLink(ctx, prefix+"taken") })
		wg.Go(func() { retired, errs[5] = db.RetireSession(ctx, k, 5) })
		wg.Go(func() { errs[6] = db.PutSession(ctx, session.Session{Key: k, Generation: 7}, 6) })
		// This function fails whenever another ran before it in the transaction,
		// so that bbolt rolls the batch back and runs the others again.
		var failures atomic.Int32
		wg.Go(func() {
			// Join the batch last (it waits for all eight calls), so that the
			// others ran before it in the transaction.
			time.Sleep(20 * time.Millisecond)
			_ = db.write(ctx, func(tx *bbolt.Tx) error {
				for i := range 4 {
					if tx.Bucket(bucketLinks).Get(fmt.Appendf(nil, "%snew-%d", prefix, i)) != nil {
						failures.Add(1)
						return errors.New("forced failure")
					}
				}
				return nil
			})
		})
		wg.Wait()
		db.commits.gatherAtLeast.Store(0)
		rerunForced = rerunForced || failures.Load() > 0

		for i := range 4 {
			if errs[i] != nil || created[i].ID != fmt.Sprintf("%snew-%d", prefix, i) {
				t.Fatalf("round %d: CreateLink %d: %+v, %v", round, i, created[i], errs[i])
			}
			if _, err := db.GetLink(ctx, created[i].ID); err != nil {
				t.Fatalf("round %d: GetLink %d: %v", round, i, err)
			}
		}
		if errs[4] != nil || taken.ID != prefix+"taken" {
			t.Fatalf("round %d: TakeLink: %+v, %v", round, taken, errs[4])
		}
		if _, err := db.GetLink(ctx, prefix+"taken"); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("round %d: GetLink of the taken link: %v, want ErrNotFound", round, err)
		}
		if errs[5] != nil || retired.Generation != 5 {
			t.Fatalf("round %d: RetireSession: %+v, %v", round, retired, errs[5])
		}
		if _, err := db.GetRetired(ctx, k, 5); err != nil {
			t.Fatalf("round %d: GetRetired: %v", round, err)
		}
		if !errors.Is(errs[6], session.ErrConflict) {
			t.Fatalf("round %d: PutSession with a wrong prev: %v, want ErrConflict", round, errs[6])
		}
		if _, err := db.GetSession(ctx, k); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("round %d: GetSession after retiring: %v, want ErrNotFound", round, err)
		}
	}
	// The failing function joins each batch last, so every round forces a rerun.
	if !rerunForced {
		t.Fatal("no batch was rolled back and run again; the test did not test anything")
	}
}

func TestDeleteExpired(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	old := testLink("old", "old-msg")
	fresh := testLink("fresh", "fresh-msg")
	fresh.Expires = t0.Add(time.Hour)
	for _, l := range []session.Link{old, fresh} {
		if _, err := db.CreateLink(ctx, l, unlimited); err != nil {
			t.Fatalf("CreateLink: %v", err)
		}
	}
	takenOld := testLink("taken-old", "taken-old-msg")
	if _, err := db.CreateLink(ctx, takenOld, unlimited); err != nil {
		t.Fatalf("CreateLink: %v", err)
	}
	if _, err := db.TakeLink(ctx, takenOld.ID); err != nil {
		t.Fatalf("TakeLink: %v", err)
	}
	for _, p := range []session.Pending{{State: "old", Expires: t0}, {State: "fresh", Expires: t0.Add(time.Hour)}} {
		if err := db.PutPending(ctx, p); err != nil {
			t.Fatalf("PutPending: %v", err)
		}
	}

	n, err := db.DeleteExpired(ctx, t0.Add(30*time.Minute))
	if err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	// old link and its message, the taken link's message, the old pending, and
	// the quota entry of a window long gone.
	if n != 5 {
		t.Errorf("DeleteExpired removed %d entries, want 5", n)
	}
	if _, err := db.GetLink(ctx, "old"); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("GetLink of the expired link: %v, want ErrNotFound", err)
	}
	if _, err := db.GetLink(ctx, "fresh"); err != nil {
		t.Errorf("GetLink of the fresh link: %v", err)
	}
	if _, err := db.TakePending(ctx, "old"); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("TakePending of the expired one: %v, want ErrNotFound", err)
	}
	if _, err := db.TakePending(ctx, "fresh"); err != nil {
		t.Errorf("TakePending of the fresh one: %v", err)
	}
	// The message of the expired link may make a new link now.
	again := testLink("again", "old-msg")
	if got, err := db.CreateLink(ctx, again, unlimited); err != nil || got.ID != "again" {
		t.Errorf("CreateLink for the expired link's message: %+v, %v; want the new link", got, err)
	}
	// The fresh link's message still returns the fresh link.
	if got, err := db.CreateLink(ctx, testLink("dup", "fresh-msg"), unlimited); err != nil || got.ID != "fresh" {
		t.Errorf("CreateLink for the fresh link's message: %+v, %v; want the fresh link", got, err)
	}
}

// BenchmarkCreateLink measures login-link creation under many concurrent
// requests, where batching lets them share disk syncs. Compare with
// BenchmarkCreateLinkOneAtATime, which pays a sync (and the batch delay) each.
func BenchmarkCreateLink(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	var next atomic.Int64
	b.SetParallelism(32) // 32 requests in flight per CPU
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			if _, err := db.CreateLink(ctx, testLink(fmt.Sprintf("link-%d", i), fmt.Sprintf("msg-%d", i)), unlimited); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkCreateLinkOneAtATime(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	for i := 0; b.Loop(); i++ {
		if _, err := db.CreateLink(ctx, testLink(fmt.Sprintf("link-%d", i), fmt.Sprintf("msg-%d", i)), unlimited); err != nil {
			b.Fatal(err)
		}
	}
}

// unlimited is a link quota no test reaches, for tests about other things.
var unlimited = session.LinkQuota{Window: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Max: 1 << 30}
