// Package chatopstest holds the contract every chatops.Claims adapter
// passes (memstore, bolt, dynamodb), like sessiontest for session.Store.
package chatopstest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

// ClaimsOptions tune the contract to an adapter.
type ClaimsOptions struct {
	// Concurrent runs the race of claims for one message in parallel; false
	// for backends that do not serialise conditional writes (moto).
	Concurrent bool
}

// TestClaims runs the contract against the Claims newClaims returns; each
// call must give an empty store whose clock reads now (the claims of the
// contract expire relative to it).
func TestClaims(t *testing.T, newClaims func(t *testing.T, now time.Time) chatops.Claims, o ClaimsOptions) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	repo := chatops.Repo{Owner: "octocat", Name: "hello"}
	claim := func(k session.Key, msg string) chatops.Claim {
		return chatops.Claim{Key: k, MessageID: msg, Repo: repo, Expires: now.Add(chatops.ClaimTTL)}
	}
	created := chatops.Created{Repo: repo, Number: 42, HTMLURL: "https://github.com/octocat/hello/issues/42"}

	t.Run("first claim wins, later ones get it back", func(t *testing.T) {
		c := newClaims(t, now)
		ctx := t.Context()
		got, claimed, err := c.Claim(ctx, claim(k, "m1"))
		if err != nil || !claimed {
			t.Fatalf("first Claim = %v, %v; want claimed", claimed, err)
		}
		same(t, got, claim(k, "m1"))
		second := claim(k, "m1")
		second.Repo = chatops.Repo{Owner: "other", Name: "repo"}
		second.Expires = now.Add(time.Hour)
		got, claimed, err = c.Claim(ctx, second)
		if err != nil || claimed {
			t.Fatalf("second Claim = %v, %v; want the first one back", claimed, err)
		}
		same(t, got, claim(k, "m1"))
	})

	t.Run("claims are per user and message", func(t *testing.T) {
		c := newClaims(t, now)
		ctx := t.Context()
		mustClaim(t, c, claim(k, "m1"))
		mustClaim(t, c, claim(k, "m2"))
		mustClaim(t, c, claim(session.Key{Site: k.Site, UserID: "u2"}, "m1"))
		mustClaim(t, c, claim(session.Key{Site: "https://other.example.com", UserID: "u1"}, "m1"))
		// Separators inside parts cannot make two claims meet.
		mustClaim(t, c, claim(session.Key{Site: k.Site, UserID: "u1#m"}, "1"))
		mustClaim(t, c, claim(session.Key{Site: k.Site, UserID: "u1"}, "m#1"))
		if _, claimed, err := c.Claim(ctx, claim(k, "m2")); err != nil || claimed {
			t.Fatalf("Claim of m2 again = %v, %v; want refused", claimed, err)
		}
	})

	t.Run("complete is returned to re-deliveries", func(t *testing.T) {
		c := newClaims(t, now)
		ctx := t.Context()
		mustClaim(t, c, claim(k, "m1"))
		if err := c.Complete(ctx, k, "m1", created); err != nil {
			t.Fatal(err)
		}
		got, claimed, err := c.Claim(ctx, claim(k, "m1"))
		if err != nil || claimed {
			t.Fatalf("Claim after Complete = %v, %v; want refused", claimed, err)
		}
		want := claim(k, "m1")
		want.Created = created
		same(t, got, want)
	})

	t.Run("complete of no claim is not found", func(t *testing.T) {
		c := newClaims(t, now)
		if err := c.Complete(t.Context(), k, "nothing", created); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Complete without a claim = %v, want session.ErrNotFound", err)
		}
	})

	t.Run("release lets the message try again", func(t *testing.T) {
		c := newClaims(t, now)
		ctx := t.Context()
		mustClaim(t, c, claim(k, "m1"))
		if err := c.Release(ctx, k, "m1"); err != nil {
			t.Fatal(err)
		}
		mustClaim(t, c, claim(k, "m1"))
		if err := c.Release(ctx, k, "never claimed"); err != nil {
			t.Fatalf("Release of nothing = %v, want nil", err)
		}
	})

	t.Run("an expired claim is gone", func(t *testing.T) {
		c := newClaims(t, now)
		ctx := t.Context()
		old := claim(k, "m1")
		old.Expires = now.Add(-time.Second)
		old.Created = created
		mustClaim(t, c, old)
		got, claimed, err := c.Claim(ctx, claim(k, "m1"))
		if err != nil || !claimed {
			t.Fatalf("Claim over an expired one = %v, %v; want claimed", claimed, err)
		}
		same(t, got, claim(k, "m1"))
	})

	t.Run("the longest keys fit", func(t *testing.T) {
		c := newClaims(t, now)
		long := session.Key{Site: "https://" + strings.Repeat("a", session.MaxSiteLen-len("https://")),
			UserID: strings.Repeat("#", session.MaxUserIDLen)}
		msg := strings.Repeat("%", 256) // the webhook's bound on message ids
		mustClaim(t, c, claim(long, msg))
		if err := c.Complete(t.Context(), long, msg, created); err != nil {
			t.Fatal(err)
		}
		if err := c.Release(t.Context(), long, msg); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("one of many concurrent claims wins", func(t *testing.T) {
		c := newClaims(t, now)
		const n = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range n {
			run := func() {
				_, claimed, err := c.Claim(context.Background(), claim(k, "race"))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				if claimed {
					wins++
				}
				mu.Unlock()
			}
			if o.Concurrent {
				wg.Add(1)
				go func() { defer wg.Done(); run() }()
			} else {
				run()
			}
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d claims won, want 1", wins)
		}
	})
}

func mustClaim(t *testing.T, c chatops.Claims, claim chatops.Claim) {
	t.Helper()
	if _, claimed, err := c.Claim(t.Context(), claim); err != nil || !claimed {
		t.Fatalf("Claim(%s, %s) = %v, %v; want claimed", claim.UserID, claim.MessageID, claimed, err)
	}
}

// same compares claims, times by Equal.
func same(t *testing.T, got, want chatops.Claim) {
	t.Helper()
	e1, e2 := got.Expires, want.Expires
	got.Expires, want.Expires = time.Time{}, time.Time{}
	if got.Key != want.Key || got.MessageID != want.MessageID || got.Repo != want.Repo || got.Created != want.Created || !e1.Equal(e2) {
		t.Fatalf("claim = %+v (expires %v), want %+v (expires %v)", got, e1, want, e2)
	}
}
