package bolt

import (
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/session"
)

// LiveSessions lists the keys of the live sessions of a site, or of one user
// of it when user is not empty: what an admin ends in an incident or when
// someone leaves. Keys begin with the site, so only that site's range is read.
func (db *DB) LiveSessions(ctx context.Context, site, user string) ([]session.Key, error) {
	prefix := appendString(nil, site)
	if user != "" {
		prefix = sessionKey(session.Key{Site: site, UserID: user})
	}
	var keys []session.Key
	err := db.read(ctx, func(tx *bbolt.Tx) error {
		keys = nil
		c := tx.Bucket(bucketSessions).Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			var rec sessionRecord
			if err := decode(v, &rec); err != nil {
				return err
			}
			s := rec.session()
			if s.Site == site && (user == "" || s.UserID == user) {
				keys = append(keys, s.Key)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list live sessions: %w", err)
	}
	return keys, nil
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}
