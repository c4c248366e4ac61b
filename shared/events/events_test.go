package events_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/events"
	"rcgithub/shared/readmetest"
	"rcgithub/shared/session"
)

var sample = session.Event{Kind: session.EventLoggedIn, Site: "https://chat.example.com", UserID: "alice-id",
	GitHubLogin: "octocat", Generation: 4503599627370495, At: time.Date(2026, 12, 2, 17, 0, 0, 0, time.FixedZone("CET", 3600))}

func TestEncode(t *testing.T) {
	dt, detail, err := events.Encode(sample)
	if err != nil || dt != "Session Logged In" {
		t.Fatalf("Encode = %q, %v", dt, err)
	}
	var got map[string]any
	if err := json.Unmarshal(detail, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": 1.0, "kind": "logged_in", "site": "https://chat.example.com", "user_id": "alice-id",
		"github_login": "octocat", "generation": 4503599627370495.0, "at": "2026-12-02T16:00:00Z",
		"idempotency_key": sample.IdempotencyKey()}
	if !maps.Equal(got, want) {
		t.Errorf("detail %s\nwant %v", detail, want)
	}
	if _, _, err := events.Encode(session.Event{Kind: "renamed"}); err == nil {
		t.Error("an unknown kind was encoded")
	}
}

func TestEveryKindHasItsOwnDetailType(t *testing.T) {
	seen := map[string]session.EventKind{}
	for _, k := range session.EventKinds() {
		dt, err := events.DetailType(k)
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := seen[dt]; ok {
			t.Errorf("%s and %s share the detail-type %q", k, other, dt)
		}
		seen[dt] = k
	}
}

func TestEnvelope(t *testing.T) {
	body, err := events.EncodeEnvelope(sample)
	if err != nil {
		t.Fatal(err)
	}
	var env events.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if env.Source != events.Source || env.DetailType != "Session Logged In" || !env.Time.Equal(sample.At) ||
		env.Detail.IdempotencyKey != sample.IdempotencyKey() || env.Detail.UserID != sample.UserID {
		t.Errorf("envelope %s", body)
	}
}

// TestREADMEDocumentsTheEvents: the README's Events section names the source,
// every kind with its detail-type, and every field of the detail.
func TestREADMEDocumentsTheEvents(t *testing.T) {
	section := readmetest.Section(t, "Events")
	if !strings.Contains(section, "`"+events.Source+"`") {
		t.Errorf("README Events does not name the source %q", events.Source)
	}
	for _, k := range session.EventKinds() {
		dt, _ := events.DetailType(k)
		if !regexp.MustCompile("`" + string(k) + "`[^\n]*`" + dt + "`").MatchString(section) {
			t.Errorf("README Events lacks a line naming `%s` with its detail-type `%s`", k, dt)
		}
	}
	// The key as the README tells a receiver to recompute it.
	recipe := sha256.Sum256([]byte("rcgithub event v1\n" + sample.Site + "\n" + sample.UserID + "\n" +
		strconv.FormatInt(sample.Generation, 10) + "\n" + string(sample.Kind)))
	if hex.EncodeToString(recipe[:]) != sample.IdempotencyKey() || !strings.Contains(section, "joined by newlines") {
		t.Error("README Events describes the idempotency key otherwise than it is made")
	}
	_, detail, _ := events.Encode(sample)
	var fields map[string]any
	_ = json.Unmarshal(detail, &fields)
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		if !strings.Contains(section, "`"+f+"`") {
			t.Errorf("README Events does not document the detail field %q", f)
		}
	}
}
