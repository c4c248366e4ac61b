// Package bolt is the embedded storage for running on one machine: the session
// store and a durable job scheduler in a single bbolt file.
//
// Every write goes through bbolt's Batch, so requests that arrive together
// share one transaction and one disk sync instead of paying for one each.
// Batch may run a write function more than once (when another function of the
// same batch fails), so every write function here starts from scratch: it
// resets its outputs and computes them from the transaction it is given.
// Outcomes such as ErrConflict or ErrNotFound are results, not failures: the
// function records them and returns nil, having written nothing, so they do
// not make bbolt roll back and re-run the rest of the batch.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Options tunes Open. The zero value is fine.
type Options struct {
	// LockTimeout is how long Open waits for another process to let go of the
	// file before giving up. Default 1s.
	LockTimeout time.Duration
	// BatchDelay is how long a write waits for others to share its disk sync.
	// Default 1ms. bbolt's own default, 10ms, adds 10ms to every lone write and,
	// measured with BenchmarkCreateLink on an SSD, gave a third of the
	// throughput under load: requests in flight are few, so waiting longer
	// gathers no more of them.
	BatchDelay time.Duration
}

// DB is an open bbolt file. It implements session.Store; NewScheduler adds the
// job scheduler on the same file. Safe for concurrent use.
type DB struct {
	bolt *bbolt.DB
}

// ErrLocked means another process has the data file open.
var ErrLocked = errors.New("data file is in use by another process (is another instance running with the same data directory?)")

// Bucket names. Keys are built in keys.go.
var (
	bucketLinks        = []byte("links")         // link id → link
	bucketLinkMessages = []byte("link_messages") // (site, user, message id) → first link
	bucketLinkQuota    = []byte("link_quota")    // (site, user, window) → links made in it
	bucketPending      = []byte("pending")       // state → pending authorization
	bucketSessions     = []byte("sessions")      // (site, user) → live session
	bucketRetired      = []byte("retired")       // (site, user, generation) → retired session
	bucketJobs         = []byte("jobs")          // (site, user, generation, attempt) → job record
	bucketJobsDue      = []byte("jobs_due")      // (due time, job key) → nothing: jobs in due order
)

var allBuckets = [][]byte{bucketLinks, bucketLinkMessages, bucketLinkQuota, bucketPending,
	bucketSessions, bucketRetired, bucketJobs, bucketJobsDue}

// Open opens or creates the data file at path (mode 0600; its directory is
// created with mode 0700 if missing). It fails with ErrLocked when another
// process holds the file.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.BatchDelay <= 0 {
		opts.BatchDelay = time.Millisecond
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	b.MaxBatchDelay = opts.BatchDelay
	err = b.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &DB{bolt: b}, nil
}

// Close closes the file. Writes in flight finish first.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close data file: %w", err)
	}
	return nil
}

// write runs fn in a batched read-write transaction. fn must be idempotent and
// return an error only when the transaction must not commit; see the package
// comment.
func (db *DB) write(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Batch(fn)
}

// read runs fn in a read-only transaction.
func (db *DB) read(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}
