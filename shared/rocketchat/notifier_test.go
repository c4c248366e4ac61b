package rocketchat_test

import (
	"context"
	"strings"
	"testing"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

func TestNotifier(t *testing.T) {
	in := rocketchattest.NewIncoming()
	defer in.Close()
	site := "https://chat.example.com"
	n := &rocketchat.Notifier{URLs: map[string]string{site: in.URL()}}
	ctx := context.Background()

	if err := n.Notify(ctx, session.Key{Site: site, UserID: "u1"}, "hello"); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	got := in.MessagesTo("@u1")
	if len(got) != 1 || got[0].Text != "hello" || got[0].ParseURLs == nil || *got[0].ParseURLs {
		t.Fatalf("messages to @u1 = %+v", got)
	}

	tests := []struct {
		name string
		key  session.Key
		text string
		down bool
	}{
		{"unknown site", session.Key{Site: "https://other.example.com", UserID: "u1"}, "x", false},
		{"rocket.chat down", session.Key{Site: site, UserID: "u1"}, "x", true},
		{"message too long", session.Key{Site: site, UserID: "u1"}, strings.Repeat("x", rocketchattest.MaxMessageSize+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in.SetDown(tt.down)
			defer in.SetDown(false)
			err := n.Notify(ctx, tt.key, tt.text)
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if strings.Contains(err.Error(), in.URL()) || strings.Contains(err.Error(), "/hooks/") {
				t.Fatalf("error leaks the secret webhook URL: %v", err)
			}
		})
	}
}

// TestNotifierLookup routes each site's messages to its own incoming webhook,
// as the lookup says at the time of sending, and sends nothing for a site
// without one.
func TestNotifierLookup(t *testing.T) {
	a, b := rocketchattest.NewIncoming(), rocketchattest.NewIncoming()
	defer a.Close()
	defer b.Close()
	hooks := map[string]string{"https://a.example.com": a.URL(), "https://b.example.com": b.URL()}
	n := &rocketchat.Notifier{Lookup: func(_ context.Context, site string) string { return hooks[site] }}
	ctx := context.Background()
	for _, site := range []string{"https://a.example.com", "https://b.example.com", "https://b.example.com", "https://none.example.com"} {
		if err := n.Notify(ctx, session.Key{Site: site, UserID: "u1"}, "hi"); err != nil {
			t.Fatalf("Notify at %s: %v", site, err)
		}
	}
	if len(a.MessagesTo("@u1")) != 1 || len(b.MessagesTo("@u1")) != 2 {
		t.Fatalf("a got %d, b got %d messages; want 1 and 2", len(a.MessagesTo("@u1")), len(b.MessagesTo("@u1")))
	}
	hooks["https://a.example.com"] = b.URL() // the configuration changed
	if err := n.Notify(ctx, session.Key{Site: "https://a.example.com", UserID: "u1"}, "hi"); err != nil {
		t.Fatal(err)
	}
	if len(a.MessagesTo("@u1")) != 1 || len(b.MessagesTo("@u1")) != 3 {
		t.Fatal("the notifier did not follow the changed lookup")
	}
}
