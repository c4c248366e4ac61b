package sessiontest

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"rcgithub/shared/session"
)

// LiveLister is a session.Store that also lists the live sessions of a site,
// as the admin commands ask it to.
type LiveLister interface {
	session.Store
	LiveSessions(ctx context.Context, site, user string) ([]session.Key, error)
}

// TestLiveSessions checks, on an empty store, that LiveSessions lists the live
// sessions of a site, or of one user of it, in any order: no retired ones, none
// of a site whose URL extends the one asked for, and nothing for a user without
// one.
func TestLiveSessions(t *testing.T, s LiveLister) {
	ctx := context.Background()
	keys := []session.Key{
		{Site: "https://a.example.com", UserID: "u1"},
		{Site: "https://a.example.com", UserID: "u2"},
		{Site: "https://a.example.com#x", UserID: "u1"}, // sites whose text extends another's
		{Site: "https://a.example.com/x", UserID: "u1"},
		{Site: "https://b.example.com", UserID: "u1"},
	}
	for i, k := range keys {
		if err := s.PutSession(ctx, session.Session{Key: k, Generation: int64(i + 1)}, 0); err != nil {
			t.Fatalf("PutSession: %v", err)
		}
	}
	if _, err := s.RetireSession(ctx, keys[4], 5); err != nil { // retired is not live
		t.Fatalf("RetireSession: %v", err)
	}
	tests := []struct {
		site, user string
		want       []session.Key
	}{
		{"https://a.example.com", "", keys[:2]},
		{"https://a.example.com", "u2", keys[1:2]},
		{"https://a.example.com", "nobody", nil},
		{"https://a.example.com#x", "", keys[2:3]},
		{"https://a.example.com/x", "", keys[3:4]},
		{"https://b.example.com", "", nil},
		{"https://c.example.com", "", nil},
	}
	for _, tt := range tests {
		got, err := s.LiveSessions(ctx, tt.site, tt.user)
		sort.Slice(got, func(i, j int) bool { return got[i].UserID < got[j].UserID })
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LiveSessions(%q, %q) = %v, %v; want %v", tt.site, tt.user, got, err, tt.want)
		}
	}
}
