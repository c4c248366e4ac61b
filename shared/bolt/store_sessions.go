package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/session"
)

// Compile-time check that DB is a session store.
var _ session.Store = (*DB)(nil)

// GetSession returns the live session of k, or session.ErrNotFound.
func (db *DB) GetSession(ctx context.Context, k session.Key) (session.Session, error) {
	var rec sessionRecord
	err := db.read(ctx, func(tx *bbolt.Tx) error {
		return get(tx.Bucket(bucketSessions), sessionKey(k), &rec)
	})
	if err != nil {
		return session.Session{}, fmt.Errorf("get session: %w", err)
	}
	return rec.session(), nil
}

// PutSession makes s the live session of s.Key if the live one has generation
// prev (0: none), keeping the one it replaces as retired; else
// session.ErrConflict, with nothing written.
func (db *DB) PutSession(ctx context.Context, s session.Session, prev int64) error {
	data, err := encode(toSessionRecord(s))
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	var outcome error
	err = db.write(ctx, func(tx *bbolt.Tx) error {
		outcome = nil
		live := tx.Bucket(bucketSessions)
		key := sessionKey(s.Key)
		cur := live.Get(key)
		if cur == nil {
			if prev != 0 {
				outcome = session.ErrConflict
			}
		} else {
			var rec sessionRecord
			if err := decode(cur, &rec); err != nil {
				return err
			}
			if rec.Generation != prev {
				outcome = session.ErrConflict
			}
		}
		if outcome != nil {
			return nil
		}
		if cur != nil {
			// A value Get returned is bbolt's memory; Put keeps what it is given.
			if err := tx.Bucket(bucketRetired).Put(retiredKey(s.Key, prev), bytes.Clone(cur)); err != nil {
				return err
			}
		}
		return live.Put(key, data)
	})
	return failure("put session", err, outcome)
}

// RetireSession ends the live session of k if its generation is gen, keeping it
// as retired, and returns it. session.ErrNotFound when k has none live,
// session.ErrConflict when the live one has another generation.
func (db *DB) RetireSession(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	var rec sessionRecord
	var outcome error
	err := db.write(ctx, func(tx *bbolt.Tx) error {
		var raw []byte
		var err error
		rec, outcome = sessionRecord{}, nil
		if raw, rec, outcome, err = liveAt(tx, k, gen); err != nil || outcome != nil {
			rec = sessionRecord{}
			return err
		}
		if err := tx.Bucket(bucketRetired).Put(retiredKey(k, gen), bytes.Clone(raw)); err != nil {
			return err
		}
		return tx.Bucket(bucketSessions).Delete(sessionKey(k))
	})
	if err := failure("retire session", err, outcome); err != nil {
		return session.Session{}, err
	}
	return rec.session(), nil
}

// UpdateToken replaces the tokens of the live session of k if its generation
// is gen, keeping everything else; session.ErrNotFound when k has none live,
// session.ErrConflict when the live one has another generation.
func (db *DB) UpdateToken(ctx context.Context, k session.Key, gen int64, sealedToken, sealedRefresh []byte,
	tokenExpires, refreshExpires time.Time) error {
	var outcome error
	err := db.write(ctx, func(tx *bbolt.Tx) error {
		var rec sessionRecord
		var err error
		outcome = nil
		if _, rec, outcome, err = liveAt(tx, k, gen); err != nil || outcome != nil {
			return err
		}
		rec.SealedToken, rec.SealedRefresh = sealedToken, sealedRefresh
		rec.TokenExpires, rec.RefreshExpires = tokenExpires, refreshExpires
		data, err := encode(rec)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketSessions).Put(sessionKey(k), data)
	})
	return failure("update token", err, outcome)
}

// GetRetired returns the retired session of k with generation gen, or
// session.ErrNotFound.
func (db *DB) GetRetired(ctx context.Context, k session.Key, gen int64) (session.Session, error) {
	var rec sessionRecord
	err := db.read(ctx, func(tx *bbolt.Tx) error {
		return get(tx.Bucket(bucketRetired), retiredKey(k, gen), &rec)
	})
	if err != nil {
		return session.Session{}, fmt.Errorf("get retired session: %w", err)
	}
	return rec.session(), nil
}

// DeleteRetired forgets a retired session; one that is not there is no error.
func (db *DB) DeleteRetired(ctx context.Context, k session.Key, gen int64) error {
	err := db.write(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRetired).Delete(retiredKey(k, gen))
	})
	if err != nil {
		return fmt.Errorf("delete retired session: %w", err)
	}
	return nil
}

// PutRetired stores s as a retired session; the live session of s.Key stays
// as it is.
func (db *DB) PutRetired(ctx context.Context, s session.Session) error {
	data, err := encode(toSessionRecord(s))
	if err != nil {
		return fmt.Errorf("put retired session: %w", err)
	}
	err = db.write(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRetired).Put(retiredKey(s.Key, s.Generation), data)
	})
	if err != nil {
		return fmt.Errorf("put retired session: %w", err)
	}
	return nil
}

// liveAt reads the live session of k inside tx for a write conditional on its
// generation: outcome is session.ErrNotFound when k has none live and
// session.ErrConflict when it has another generation (results, not failures:
// the batch's other writes stand). raw is bbolt's memory, valid only in tx.
func liveAt(tx *bbolt.Tx, k session.Key, gen int64) (raw []byte, rec sessionRecord, outcome, err error) {
	raw = tx.Bucket(bucketSessions).Get(sessionKey(k))
	if raw == nil {
		return nil, sessionRecord{}, session.ErrNotFound, nil
	}
	if err := decode(raw, &rec); err != nil {
		return nil, sessionRecord{}, nil, err
	}
	if rec.Generation != gen {
		return nil, sessionRecord{}, session.ErrConflict, nil
	}
	return raw, rec, nil, nil
}
