package bolt

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRecordsWithoutTrigger: records written before the trigger word was kept
// decode with Trigger "", which the edge replaces with the first configured
// word; records written now carry it.
func TestRecordsWithoutTrigger(t *testing.T) {
	var l linkRecord
	if err := json.Unmarshal([]byte(`{"id":"x","site":"https://chat.example.com","user_id":"u1","user_name":"a","message_id":"m","created":"2026-01-01T00:00:00Z","expires":"2026-01-01T00:10:00Z"}`), &l); err != nil {
		t.Fatal(err)
	}
	var p pendingRecord
	if err := json.Unmarshal([]byte(`{"state":"s","site":"https://chat.example.com","user_id":"u1","verifier":"v","expires":"2026-01-01T00:10:00Z"}`), &p); err != nil {
		t.Fatal(err)
	}
	var s sessionRecord
	if err := json.Unmarshal([]byte(`{"site":"https://chat.example.com","user_id":"u1","github_login":"o","generation":3,"started":"2026-01-01T00:00:00Z","ends":"2026-01-08T00:00:00Z"}`), &s); err != nil {
		t.Fatal(err)
	}
	if l.link().Trigger != "" || p.pending().Trigger != "" || s.session().Trigger != "" {
		t.Fatalf("triggers %q %q %q, want all empty", l.link().Trigger, p.pending().Trigger, s.session().Trigger)
	}
	s.Trigger = "!github"
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back sessionRecord
	if err := json.Unmarshal(b, &back); err != nil || back.session().Trigger != "!github" {
		t.Fatalf("round trip: %q, %v", back.Trigger, err)
	}
}

// TestRecordsWithoutScopes: links, sign-ins and sessions written before each
// login kept the scopes it asked for decode with nil (the service then uses
// its default scopes); records written now carry them, and an empty list is
// not written.
func TestRecordsWithoutScopes(t *testing.T) {
	var l linkRecord
	if err := json.Unmarshal([]byte(`{"id":"x","site":"https://chat.example.com","user_id":"u1","user_name":"a","message_id":"m","created":"2026-01-01T00:00:00Z","expires":"2026-01-01T00:10:00Z"}`), &l); err != nil {
		t.Fatal(err)
	}
	var p pendingRecord
	if err := json.Unmarshal([]byte(`{"state":"s","site":"https://chat.example.com","user_id":"u1","verifier":"v","expires":"2026-01-01T00:10:00Z"}`), &p); err != nil {
		t.Fatal(err)
	}
	var s sessionRecord
	if err := json.Unmarshal([]byte(`{"site":"https://chat.example.com","user_id":"u1","github_login":"o","scopes":["read:user"],"generation":3,"started":"2026-01-01T00:00:00Z","ends":"2026-01-08T00:00:00Z"}`), &s); err != nil {
		t.Fatal(err)
	}
	if l.link().Scopes != nil || p.pending().Scopes != nil || s.session().AskedScopes != nil {
		t.Fatalf("scopes %q %q %q, want all nil", l.link().Scopes, p.pending().Scopes, s.session().AskedScopes)
	}
	for _, w := range []struct {
		record any
		name   string // the attribute that must be absent
	}{{l, `"scopes"`}, {p, `"scopes"`}, {s, `"asked_scopes"`}} {
		b, err := json.Marshal(w.record)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), w.name) {
			t.Fatalf("empty %s written: %s", w.name, b)
		}
	}
	l.Scopes, p.Scopes, s.AskedScopes = []string{"read:user", "repo"}, []string{"read:user", "repo"}, []string{"read:user", "repo"}
	var lb linkRecord
	var pb pendingRecord
	var sb sessionRecord
	for _, rt := range []struct{ in, out any }{{l, &lb}, {p, &pb}, {s, &sb}} {
		b, err := json.Marshal(rt.in)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, rt.out); err != nil {
			t.Fatal(err)
		}
	}
	for _, got := range [][]string{lb.link().Scopes, pb.pending().Scopes, sb.session().AskedScopes} {
		if strings.Join(got, " ") != "read:user repo" {
			t.Fatalf("round trip: %q", got)
		}
	}
}
