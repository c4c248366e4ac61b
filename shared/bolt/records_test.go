package bolt

import (
	"encoding/json"
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
