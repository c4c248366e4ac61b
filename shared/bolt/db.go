// Package bolt is the embedded storage for running on one machine: the session
// store and a durable job scheduler in a single bbolt file.
//
// Every write goes through a group commit (groupcommit.go, with bbolt Batch's
// rules), so requests that arrive together share one transaction and one disk
// sync instead of paying for one each. A group may run a write function more
// than once (when another function of the same group fails), so every write
// function here starts from scratch: it resets its outputs and computes them
// from the transaction it is given. Outcomes such as ErrConflict or
// ErrNotFound are results, not failures: the function records them and
// returns nil, having written nothing, so they do not make the group roll
// back and run the rest of it again.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"rcgithub/shared/session"
)

// Options tunes Open. The zero value is fine.
type Options struct {
	// LockTimeout is how long Open waits for another process to let go of the
	// file before giving up. Default 1s.
	LockTimeout time.Duration
}

// DB is an open bbolt file. It implements session.Store; NewScheduler adds the
// job scheduler on the same file. Safe for concurrent use.
type DB struct {
	bolt    *bbolt.DB
	commits *committer // every store write goes through it (groupcommit.go)
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
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if err := CheckPrivate(path, 0o600); err != nil {
		return nil, err
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.LockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
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
	return &DB{bolt: b, commits: newCommitter(b)}, nil
}

// CheckPrivate refuses an existing file or directory at path that its group
// or others may read, write or enter: it holds, or leads to, sealed tokens and
// who is logged in where. The error is one line that says how to fix it, with
// mode (0600 for a file, 0700 for a directory). A missing path is fine: it is
// created private.
func CheckPrivate(path string, mode os.FileMode) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check permissions of %s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has mode %o: it must be private to its owner, which group or others could read or change; run: chmod %o %s",
			path, info.Mode().Perm(), mode, shellQuote(path))
	}
	return nil
}

// shellQuote makes path safe to paste into a shell command.
func shellQuote(path string) string {
	for _, r := range path {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:,@", r)) {
			return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
		}
	}
	return path
}

// Resealer converts a token sealed for k in an older format to the current
// one, reporting whether it did; a current value comes back unchanged
// (aesgcm.Sealer.Reseal).
type Resealer func(ctx context.Context, k session.Key, sealed []byte) (resealed []byte, changed bool, err error)

// ResealTokens rewrites every sealed token of the live and retired sessions
// that reseal converts, in one transaction, so that older formats are opened
// once and never again. It returns how many records it rewrote and how many
// it could not convert (left as they were; each is logged by the caller's
// count only, never with its token). Run it at start, before serving.
func (db *DB) ResealTokens(ctx context.Context, reseal Resealer) (rewritten, failed int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		rewritten, failed = 0, 0
		for _, name := range [][]byte{bucketSessions, bucketRetired} {
			b := tx.Bucket(name)
			updates := map[string][]byte{}
			err := b.ForEach(func(key, raw []byte) error {
				var rec sessionRecord
				if err := decode(raw, &rec); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				k := session.Key{Site: rec.Site, UserID: rec.UserID}
				changed := false
				for _, field := range []*[]byte{&rec.SealedToken, &rec.SealedRefresh} {
					if len(*field) == 0 {
						continue
					}
					resealed, did, err := reseal(ctx, k, *field)
					if err != nil {
						failed++
						return nil
					}
					if did {
						*field, changed = resealed, true
					}
				}
				if changed {
					data, err := encode(rec)
					if err != nil {
						return err
					}
					updates[string(key)] = data
				}
				return nil
			})
			if err != nil {
				return err
			}
			// bbolt forbids writes to a bucket while ForEach walks it.
			for key, data := range updates {
				if err := b.Put([]byte(key), data); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			rewritten += len(updates)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reseal tokens: %w", err)
	}
	return rewritten, failed, nil
}

// Close closes the file. Writes in flight finish first.
func (db *DB) Close() error {
	db.commits.close()
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
	return db.commits.write(fn)
}

// read runs fn in a read-only transaction.
func (db *DB) read(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}
