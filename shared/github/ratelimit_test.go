package github

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// TestRevokeRateLimited: GitHub's rate-limit answers (403 or 429, as its docs
// say either may come) are returned as *session.RateLimitError with the time
// GitHub gives, and never confirmed with GET /user; other 403s are not.
func TestRevokeRateLimited(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	reset := now.Add(37 * time.Minute)
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		wantAt    time.Time // zero: not a rate limit
		wantLimit string
	}{
		{"primary, 403", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10)},
			`{"message":"API rate limit exceeded"}`, reset, "primary"},
		{"primary, 429", 429, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10)},
			``, reset, "primary"},
		{"primary, reset already past", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)},
			``, now.Add(time.Minute), "primary"},
		{"secondary with retry-after", 403, map[string]string{"Retry-After": "120", "X-RateLimit-Remaining": "3"},
			`{"message":"You have exceeded a secondary rate limit"}`, now.Add(2 * time.Minute), "secondary"},
		{"secondary without a time", 403, nil,
			`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`, now.Add(time.Minute), "secondary"},
		{"429 without headers", 429, nil, ``, now.Add(time.Minute), "secondary"},
		{"403 for another reason", 403, map[string]string{"X-RateLimit-Remaining": "4999"}, `{"message":"Resource not accessible"}`, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var userHits atomic.Int32
			gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/user" {
					userHits.Add(1)
					w.WriteHeader(401)
					return
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c := New(Config{ClientID: testClientID, ClientSecret: testSecret, APIURL: gh.url, BaseURL: gh.url,
				Now: func() time.Time { return now }})
			err := c.Revoke(context.Background(), testToken)
			var rl *session.RateLimitError
			if tt.wantAt.IsZero() {
				if errors.As(err, &rl) {
					t.Fatalf("Revoke = %v, want no rate limit", err)
				}
				if userHits.Load() != 1 {
					t.Errorf("GET /user asked %d times, want 1 (the usual check)", userHits.Load())
				}
				return
			}
			if !errors.As(err, &rl) {
				t.Fatalf("Revoke = %v, want a *session.RateLimitError", err)
			}
			if !rl.RetryAt.Equal(tt.wantAt) || rl.Limit != tt.wantLimit || rl.Spread <= 0 {
				t.Errorf("RateLimitError = %+v, want retry at %v, limit %q, a spread", rl, tt.wantAt, tt.wantLimit)
			}
			if userHits.Load() != 0 {
				t.Errorf("GET /user asked %d times after a rate limit, want 0", userHits.Load())
			}
			assertNoSecrets(t, err)
		})
	}
}

// TestRevokeRemembersPrimaryLimit: after GitHub's primary rate limit, no
// revocation is sent before its reset; after it, they are again.
func TestRevokeRemembersPrimaryLimit(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	reset := now.Add(20 * time.Minute)
	var calls atomic.Int32
	gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(403)
			return
		}
		w.WriteHeader(204)
	})
	c := New(Config{ClientID: testClientID, ClientSecret: testSecret, APIURL: gh.url, BaseURL: gh.url,
		Now: func() time.Time { return now }})
	for i := range 3 {
		var rl *session.RateLimitError
		if err := c.Revoke(context.Background(), testToken); !errors.As(err, &rl) || !rl.RetryAt.Equal(reset) {
			t.Fatalf("revocation %d before the reset = %v, want retry at %v", i, err, reset)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d calls reached GitHub before its reset, want 1", n)
	}
	now = reset
	if err := c.Revoke(context.Background(), testToken); err != nil {
		t.Fatalf("revocation at the reset = %v", err)
	}
}

// TestRevocationPace: the client sends at most RevocationsPerHour revocations
// in any rolling hour of its clock, and says when the next one may go.
func TestRevocationPace(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	now := start
	var sent atomic.Int32
	gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.WriteHeader(204)
	})
	const perHour = 50
	c := New(Config{ClientID: testClientID, ClientSecret: testSecret, APIURL: gh.url, BaseURL: gh.url,
		Now: func() time.Time { return now }, RevocationsPerHour: perHour})
	// Try a revocation every 30 s of the virtual clock for three hours: 360
	// tries, of which at most perHour may go in any hour.
	var sentAt []time.Time
	for i := range 360 {
		now = start.Add(time.Duration(i) * 30 * time.Second)
		before := sent.Load()
		err := c.Revoke(context.Background(), testToken)
		var rl *session.RateLimitError
		switch {
		case err == nil:
			if sent.Load() != before+1 {
				t.Fatal("Revoke succeeded without a call")
			}
			sentAt = append(sentAt, now)
		case errors.As(err, &rl):
			if sent.Load() != before {
				t.Fatal("a paced revocation reached GitHub")
			}
			if !rl.RetryAt.After(now) || rl.RetryAt.After(now.Add(time.Hour)) {
				t.Fatalf("paced: retry at %v, now %v", rl.RetryAt, now)
			}
		default:
			t.Fatal(err)
		}
	}
	for i := range sentAt {
		j := i
		for j < len(sentAt) && sentAt[j].Sub(sentAt[i]) < time.Hour {
			j++
		}
		if j-i > perHour {
			t.Fatalf("%d revocations within the hour from %v, want at most %d", j-i, sentAt[i], perHour)
		}
	}
	if len(sentAt) != 3*perHour {
		t.Errorf("%d revocations sent in three hours, want %d (the pace, used fully)", len(sentAt), 3*perHour)
	}
	// A negative pace is no pace of its own.
	unpaced := New(Config{ClientID: testClientID, ClientSecret: testSecret, APIURL: gh.url, BaseURL: gh.url,
		Now: func() time.Time { return now }, RevocationsPerHour: -1})
	for range 2 * perHour {
		if err := unpaced.Revoke(context.Background(), testToken); err != nil {
			t.Fatalf("unpaced client: %v", err)
		}
	}
}
