package bolt

import (
	"context"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

var _ chatops.Claims = (*Claims)(nil)

// bucketClaims holds the issue creations of Rocket.Chat messages:
// (site, user, message id) → claim. It is made on first use, so that data
// files from before it exist work unchanged.
var bucketClaims = []byte("issue_claims")

// Claims is chatops.Claims in the data file. Claims past their Expires count
// as gone; DeleteExpiredClaims removes them.
type Claims struct {
	db  *DB
	now func() time.Time
}

// Claims returns the file's issue claims, whose expiry is read on now (nil:
// time.Now).
func (db *DB) Claims(now func() time.Time) *Claims {
	if now == nil {
		now = time.Now
	}
	return &Claims{db: db, now: now}
}

type claimRecord struct {
	Site      string    `json:"site"`
	UserID    string    `json:"user_id"`
	MessageID string    `json:"message_id"`
	Owner     string    `json:"owner"`
	Name      string    `json:"name"`
	Number    int       `json:"number,omitempty"` // 0 while the creation is in flight
	HTMLURL   string    `json:"html_url,omitempty"`
	Expires   time.Time `json:"expires"`
}

func toClaimRecord(c chatops.Claim) claimRecord {
	return claimRecord{Site: c.Site, UserID: c.UserID, MessageID: c.MessageID, Owner: c.Repo.Owner, Name: c.Repo.Name,
		Number: c.Created.Number, HTMLURL: c.Created.HTMLURL, Expires: c.Expires}
}

func (r claimRecord) claim() chatops.Claim {
	repo := chatops.Repo{Owner: r.Owner, Name: r.Name}
	c := chatops.Claim{Key: session.Key{Site: r.Site, UserID: r.UserID}, MessageID: r.MessageID, Repo: repo, Expires: r.Expires}
	if r.Number != 0 {
		c.Created = chatops.Created{Repo: repo, Number: r.Number, HTMLURL: r.HTMLURL}
	}
	return c
}

func claimKey(k session.Key, messageID string) []byte { return linkMessageKey(k, messageID) }

// Claim stores c unless an unexpired claim of the same key and message
// exists; then it returns that one and stores nothing.
func (c *Claims) Claim(ctx context.Context, claim chatops.Claim) (chatops.Claim, bool, error) {
	now := c.now()
	var kept claimRecord
	var claimed bool
	err := c.db.write(ctx, func(tx *bbolt.Tx) error {
		kept, claimed = claimRecord{}, false
		b, err := tx.CreateBucketIfNotExists(bucketClaims)
		if err != nil {
			return err
		}
		key := claimKey(claim.Key, claim.MessageID)
		if data := b.Get(key); data != nil {
			if err := decode(data, &kept); err != nil {
				return err
			}
			if !kept.Expires.Before(now) {
				return nil
			}
		}
		kept = toClaimRecord(claim)
		data, err := encode(kept)
		if err != nil {
			return err
		}
		claimed = true
		return b.Put(key, data)
	})
	if err != nil {
		return chatops.Claim{}, false, fmt.Errorf("claim issue creation: %w", err)
	}
	return kept.claim(), claimed, nil
}

// Complete records the issue the claim created; session.ErrNotFound when
// there is no claim.
func (c *Claims) Complete(ctx context.Context, k session.Key, messageID string, created chatops.Created) error {
	var missing bool
	err := c.db.write(ctx, func(tx *bbolt.Tx) error {
		missing = false
		b, err := tx.CreateBucketIfNotExists(bucketClaims)
		if err != nil {
			return err
		}
		key := claimKey(k, messageID)
		var rec claimRecord
		data := b.Get(key)
		if data == nil {
			missing = true // a result, not a failure: the batch's other writes stand
			return nil
		}
		if err := decode(data, &rec); err != nil {
			return err
		}
		rec.Number, rec.HTMLURL = created.Number, created.HTMLURL
		if data, err = encode(rec); err != nil {
			return err
		}
		return b.Put(key, data)
	})
	if missing {
		return fmt.Errorf("complete issue claim: %w", session.ErrNotFound)
	}
	return failure("complete issue claim", err, nil)
}

// Release deletes the claim, if any.
func (c *Claims) Release(ctx context.Context, k session.Key, messageID string) error {
	err := c.db.write(ctx, func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketClaims)
		if err != nil {
			return err
		}
		return b.Delete(claimKey(k, messageID))
	})
	return failure("release issue claim", err, nil)
}

// DeleteExpiredClaims removes the claims that expired before now and returns
// how many; call it with DeleteExpired.
func (c *Claims) DeleteExpiredClaims(ctx context.Context, now time.Time) (int, error) {
	var deleted int
	err := c.db.write(ctx, func(tx *bbolt.Tx) error {
		deleted = 0
		b, err := tx.CreateBucketIfNotExists(bucketClaims)
		if err != nil {
			return err
		}
		deleted, err = deleteWhere(b, func(data []byte) (bool, error) {
			var rec claimRecord
			err := decode(data, &rec)
			return err == nil && rec.Expires.Before(now), err
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired issue claims: %w", err)
	}
	return deleted, nil
}
