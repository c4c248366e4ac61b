package bolt

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// committer runs the store's writes by group commit: one goroutine commits
// in turn, and each commit holds every write that arrived while the previous
// one was being written and synced, and waits (up to maxGather) until it
// holds as many as recent commits did, since their writers are likely on
// their way back. A lone write after lone writes commits at once; under
// load, a commit holds about as many writes as there are requests in flight.
// bbolt's own Batch starts a batch on a timer instead: batches triggered
// while a commit is syncing queue up behind it one after the other, each
// with a sync of its own.
//
// The rules are bbolt Batch's, which the write functions are written for
// (see the package comment): the functions of a group share one transaction;
// when one fails or panics, the transaction is rolled back, that function is
// run again alone in a transaction of its own (its error is its caller's),
// and the rest of the group is run again without it. A caller returns once
// its transaction is committed and synced: durability is unchanged.
type committer struct {
	bolt  *bbolt.DB
	calls chan writeCall // unbuffered: a call is taken only by a running loop
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once

	// gatherAtLeast makes a group wait for this many writes (tests only: it
	// puts given writes in one group, as a test of bbolt's Batch would with
	// MaxBatchSize and a long MaxBatchDelay).
	gatherAtLeast atomic.Int32
}

const (
	// maxGroup bounds a group, as bbolt's MaxBatchSize does.
	maxGroup = 1000
	// maxGather bounds the wait for the writers of recent groups to come
	// back: the delay bbolt's Batch was given here before, but paid only
	// when recent groups held more writes than have arrived.
	maxGather = time.Millisecond
)

type writeCall struct {
	fn  func(*bbolt.Tx) error
	err chan error
}

// errRunAlone tells a caller that its function failed in a group: it runs
// it again alone.
var errRunAlone = errors.New("bolt: write function failed in a group; run it alone")

func newCommitter(db *bbolt.DB) *committer {
	c := &committer{bolt: db, calls: make(chan writeCall), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// write runs fn in a group commit and returns fn's error, or the commit's.
func (c *committer) write(fn func(*bbolt.Tx) error) error {
	call := writeCall{fn: fn, err: make(chan error, 1)}
	select {
	case c.calls <- call:
	case <-c.stop:
		// Closing: bbolt runs it if the file is still open, else says so.
		return c.bolt.Update(fn)
	}
	err := <-call.err
	if errors.Is(err, errRunAlone) {
		err = c.bolt.Update(fn)
	}
	return err
}

// close stops the loop once the group being committed, if any, is done.
func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

func (c *committer) loop() {
	defer close(c.done)
	group := make([]writeCall, 0, 64)
	expect := 1 // how many writes are likely in flight
	gatherTimer := time.NewTimer(time.Hour)
	gatherTimer.Stop()
	for {
		select {
		case call := <-c.calls:
			group = append(group[:0], call)
		case <-c.stop:
			return
		}
		for len(group) < int(c.gatherAtLeast.Load()) {
			group = append(group, <-c.calls)
		}
		if len(group) < expect {
			// The writers of the last group are on their way back (their
			// answers are being sent, their next requests read): wait for
			// them a little, not for a sync each.
			gatherTimer.Reset(maxGather)
		wait:
			for len(group) < expect {
				select {
				case call := <-c.calls:
					group = append(group, call)
				case <-gatherTimer.C:
					break wait
				}
			}
			gatherTimer.Stop()
		}
	gather: // every write waiting now joins
		for len(group) < maxGroup {
			select {
			case call := <-c.calls:
				group = append(group, call)
			default:
				break gather
			}
		}
		c.commit(group)
		// The most writes seen in flight, forgotten one by one: a group that
		// came short (a writer late by more than maxGather) does not make the
		// next ones short too.
		expect = max(len(group), expect-1)
		clear(group) // let the finished calls go
	}
}

// commit runs group in one transaction, as bbolt's batch does.
func (c *committer) commit(group []writeCall) {
	for len(group) > 0 {
		failed := -1
		err := c.bolt.Update(func(tx *bbolt.Tx) error {
			for i, call := range group {
				if err := callSafely(call.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].err <- errRunAlone
			group = append(group[:failed], group[failed+1:]...)
			continue
		}
		for _, call := range group {
			call.err <- err
		}
		return
	}
}

// callSafely runs fn, turning a panic into an error so that one write cannot
// take the loop (and every later write) down with it.
func callSafely(fn func(*bbolt.Tx) error, tx *bbolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bolt: write function panicked: %v", p)
		}
	}()
	return fn(tx)
}
