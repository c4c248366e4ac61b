package bolt

import (
	"context"
	"reflect"
	"testing"

	"rcgithub/shared/session"
)

func TestLiveSessions(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	keys := []session.Key{
		{Site: "https://a.example.com", UserID: "u1"},
		{Site: "https://a.example.com", UserID: "u2"},
		{Site: "https://a.example.com/x", UserID: "u1"}, // a site that extends another's text
		{Site: "https://b.example.com", UserID: "u1"},
	}
	for i, k := range keys {
		if err := db.PutSession(ctx, session.Session{Key: k, Generation: int64(i + 1)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	// A retired session is not live.
	if _, err := db.RetireSession(ctx, keys[3], 4); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		site, user string
		want       []session.Key
	}{
		{"https://a.example.com", "", keys[:2]},
		{"https://a.example.com", "u2", keys[1:2]},
		{"https://a.example.com/x", "", keys[2:3]},
		{"https://b.example.com", "", nil},
		{"https://c.example.com", "", nil},
	}
	for _, tt := range tests {
		got, err := db.LiveSessions(ctx, tt.site, tt.user)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LiveSessions(%q, %q) = %v, %v; want %v", tt.site, tt.user, got, err, tt.want)
		}
	}
}
