package bolt

import (
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/session"
)

// CreateLink stores l unless the same site, user and message id already made a
// link, and returns the one kept. The message entry outlives TakeLink, so a
// message re-delivered after its link was used gets that used link back, not a
// fresh one; DeleteExpired removes both once the link has expired. A new link
// is counted in the user's quota entry for q.Window; past q.Max it is refused.
func (db *DB) CreateLink(ctx context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	var kept linkRecord
	var overQuota bool
	err := db.write(ctx, func(tx *bbolt.Tx) error {
		kept, overQuota = linkRecord{}, false
		messages := tx.Bucket(bucketLinkMessages)
		msgKey := linkMessageKey(l.Key, l.MessageID)
		if data := messages.Get(msgKey); data != nil {
			return decode(data, &kept)
		}
		quota := tx.Bucket(bucketLinkQuota)
		quotaKey := linkQuotaKey(l.Key, q.Window)
		used := quotaRecord{Window: q.Window}
		if data := quota.Get(quotaKey); data != nil {
			if err := decode(data, &used); err != nil {
				return err
			}
		}
		if used.Count >= q.Max {
			overQuota = true // a result, not a failure: the batch's other writes stand
			return nil
		}
		used.Count++
		data, err := encode(used)
		if err != nil {
			return err
		}
		if err := quota.Put(quotaKey, data); err != nil {
			return err
		}
		rec := toLinkRecord(l)
		data, err = encode(rec)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketLinks).Put([]byte(l.ID), data); err != nil {
			return err
		}
		if err := messages.Put(msgKey, data); err != nil {
			return err
		}
		kept = rec
		return nil
	})
	if err != nil {
		return session.Link{}, fmt.Errorf("create link: %w", err)
	}
	if overQuota {
		return session.Link{}, session.ErrTooManyLinks
	}
	return kept.link(), nil
}

// GetLink returns the link with the id, or session.ErrNotFound.
func (db *DB) GetLink(ctx context.Context, id string) (session.Link, error) {
	var rec linkRecord
	err := db.read(ctx, func(tx *bbolt.Tx) error {
		return get(tx.Bucket(bucketLinks), []byte(id), &rec)
	})
	if err != nil {
		return session.Link{}, fmt.Errorf("get link: %w", err)
	}
	return rec.link(), nil
}

// TakeLink deletes and returns the link with the id, or session.ErrNotFound.
func (db *DB) TakeLink(ctx context.Context, id string) (session.Link, error) {
	rec, outcome, err := take[linkRecord](ctx, db, bucketLinks, []byte(id))
	if err := failure("take link", err, outcome); err != nil {
		return session.Link{}, err
	}
	return rec.link(), nil
}

// PutPending stores p under its state, replacing any with the same state.
func (db *DB) PutPending(ctx context.Context, p session.Pending) error {
	data, err := encode(toPendingRecord(p))
	if err != nil {
		return fmt.Errorf("put pending: %w", err)
	}
	err = db.write(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketPending).Put([]byte(p.State), data)
	})
	if err != nil {
		return fmt.Errorf("put pending: %w", err)
	}
	return nil
}

// TakePending deletes and returns the pending authorization, or
// session.ErrNotFound.
func (db *DB) TakePending(ctx context.Context, state string) (session.Pending, error) {
	rec, outcome, err := take[pendingRecord](ctx, db, bucketPending, []byte(state))
	if err := failure("take pending", err, outcome); err != nil {
		return session.Pending{}, err
	}
	return rec.pending(), nil
}

// take deletes the record at key and returns it. The outcome is
// session.ErrNotFound when there is no such record; err is a storage failure.
func take[T any](ctx context.Context, db *DB, bucket, key []byte) (rec T, outcome, err error) {
	err = db.write(ctx, func(tx *bbolt.Tx) error {
		var zero T
		rec, outcome = zero, nil
		b := tx.Bucket(bucket)
		data := b.Get(key)
		if data == nil {
			outcome = session.ErrNotFound
			return nil
		}
		if err := decode(data, &rec); err != nil {
			return err
		}
		return b.Delete(key)
	})
	return rec, outcome, err
}

// get decodes the record at key into rec, or returns session.ErrNotFound.
func get(b *bbolt.Bucket, key []byte, rec any) error {
	data := b.Get(key)
	if data == nil {
		return session.ErrNotFound
	}
	return decode(data, rec)
}

// DeleteExpired removes links and pending authorizations that expired before
// now, so the file does not grow with every login. Links and authorizations
// live minutes; calling it every hour or so is plenty. It returns how many
// entries went (a link counts twice: itself and its message's entry).
func (db *DB) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	var deleted int
	err := db.write(ctx, func(tx *bbolt.Tx) error {
		deleted = 0
		for _, name := range [][]byte{bucketLinks, bucketLinkMessages} {
			n, err := deleteWhere(tx.Bucket(name), func(data []byte) (bool, error) {
				var rec linkRecord
				err := decode(data, &rec)
				return err == nil && rec.Expires.Before(now), err
			})
			if err != nil {
				return err
			}
			deleted += n
		}
		n, err := deleteWhere(tx.Bucket(bucketPending), func(data []byte) (bool, error) {
			var rec pendingRecord
			err := decode(data, &rec)
			return err == nil && rec.Expires.Before(now), err
		})
		deleted += n
		if err != nil {
			return err
		}
		n, err = deleteWhere(tx.Bucket(bucketLinkQuota), func(data []byte) (bool, error) {
			var rec quotaRecord
			err := decode(data, &rec)
			return err == nil && rec.Window.Add(session.LinkTTL).Before(now), err
		})
		deleted += n
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired links and authorizations: %w", err)
	}
	return deleted, nil
}

// deleteWhere deletes the records of b that match and returns how many.
func deleteWhere(b *bbolt.Bucket, match func(data []byte) (bool, error)) (int, error) {
	var doomed [][]byte
	err := b.ForEach(func(k, v []byte) error {
		ok, err := match(v)
		if ok {
			// Deleting while iterating skips keys; delete after, from copies.
			doomed = append(doomed, append([]byte(nil), k...))
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}

// failure is what an operation op returns: the storage failure err, else its
// outcome (such as session.ErrNotFound or session.ErrConflict), wrapped with
// op; nil when there is neither.
func failure(op string, err, outcome error) error {
	if err == nil {
		err = outcome
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}
