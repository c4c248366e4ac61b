package bolt

import (
	"path/filepath"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/chatops/chatopstest"
	"rcgithub/shared/session"
)

func TestClaimsContract(t *testing.T) {
	chatopstest.TestClaims(t, func(t *testing.T, now time.Time) chatops.Claims {
		return openTest(t).Claims(func() time.Time { return now })
	}, chatopstest.ClaimsOptions{Concurrent: true})
}

// TestClaimsSurviveReopen: a claim completed before a restart still answers a
// re-delivery after it, and expired claims are deleted.
func TestClaimsSurviveReopen(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "data.db")
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	repo := chatops.Repo{Owner: "o", Name: "r"}
	created := chatops.Created{Repo: repo, Number: 7, HTMLURL: "https://github.com/o/r/issues/7"}

	db := openAt(t, path)
	claims := db.Claims(func() time.Time { return now })
	if _, claimed, err := claims.Claim(ctx, chatops.Claim{Key: k, MessageID: "m1", Repo: repo, Expires: now.Add(time.Hour)}); err != nil || !claimed {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	if err := claims.Complete(ctx, k, "m1", created); err != nil {
		t.Fatal(err)
	}
	if _, claimed, err := claims.Claim(ctx, chatops.Claim{Key: k, MessageID: "old", Repo: repo, Expires: now.Add(-time.Hour)}); err != nil || !claimed {
		t.Fatalf("Claim = %v, %v", claimed, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path)
	defer db.Close()
	claims = db.Claims(func() time.Time { return now })
	got, claimed, err := claims.Claim(ctx, chatops.Claim{Key: k, MessageID: "m1", Repo: repo, Expires: now.Add(time.Hour)})
	if err != nil || claimed || got.Created != created {
		t.Fatalf("after reopen: %+v, %v, %v; want the completed claim", got, claimed, err)
	}
	if n, err := claims.DeleteExpiredClaims(ctx, now); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredClaims = %d, %v; want 1", n, err)
	}
}
