package rocketchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
)

// TestRoomReply: an answer for the room names no channel (Rocket.Chat then
// posts it in the message's room), keeps the thread, and turns previews off.
func TestRoomReply(t *testing.T) {
	b, err := json.Marshal(rocketchat.RoomReply("hi", "T1"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"text":"hi","parseUrls":false,"tmid":"T1"}` {
		t.Fatalf("room reply %s", b)
	}
	if b, _ := json.Marshal(rocketchat.RoomReply("hi", "")); strings.Contains(string(b), "tmid") || strings.Contains(string(b), "channel") {
		t.Fatalf("room reply without thread %s", b)
	}
}

// TestSendRoom: a post to a room goes to "#<room id>" through the site's
// incoming webhook; a site without one has none, and says so.
func TestSendRoom(t *testing.T) {
	in := rocketchattest.NewIncoming()
	defer in.Close()
	site := "https://chat.example.com"
	n := &rocketchat.Notifier{Lookup: func(_ context.Context, s string) string {
		if s == site {
			return in.URL()
		}
		return ""
	}}
	ctx := context.Background()
	if !n.HasIncomingWebhook(ctx, site) || n.HasIncomingWebhook(ctx, "https://other.example.com") {
		t.Fatal("HasIncomingWebhook does not follow the lookup")
	}
	if err := n.SendRoom(ctx, site, "ROOM1", "", "**card**"); err != nil {
		t.Fatal(err)
	}
	got := in.MessagesTo("#ROOM1")
	if len(got) != 1 || got[0].Text != "**card**" || got[0].ParseURLs == nil || *got[0].ParseURLs {
		t.Fatalf("room messages %+v", in.Messages())
	}
	if err := n.SendRoom(ctx, "https://other.example.com", "ROOM1", "", "x"); err == nil {
		t.Fatal("posted to a site without an incoming webhook")
	}
	// Rocket.Chat's refusals are the Notifier's (here: override off).
	in.SetSettings(rocketchattest.IncomingSettings{NoRateLimit: true})
	var refusal *rocketchat.RefusalError
	if err := n.SendRoom(ctx, site, "ROOM1", "", "x"); !errors.As(err, &refusal) || refusal.Kind != rocketchat.KindOverrideDisabled {
		t.Fatalf("refused post = %v, want the override refusal", err)
	}
}
