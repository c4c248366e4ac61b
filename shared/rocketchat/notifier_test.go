package rocketchat_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

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

	if err := n.Send(ctx, session.Key{Site: site, UserID: "u1"}, "hello"); err != nil {
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
			err := n.Send(ctx, tt.key, tt.text)
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
		if err := n.Send(ctx, session.Key{Site: site, UserID: "u1"}, "hi"); err != nil {
			t.Fatalf("Notify at %s: %v", site, err)
		}
	}
	if len(a.MessagesTo("@u1")) != 1 || len(b.MessagesTo("@u1")) != 2 {
		t.Fatalf("a got %d, b got %d messages; want 1 and 2", len(a.MessagesTo("@u1")), len(b.MessagesTo("@u1")))
	}
	hooks["https://a.example.com"] = b.URL() // the configuration changed
	if err := n.Send(ctx, session.Key{Site: "https://a.example.com", UserID: "u1"}, "hi"); err != nil {
		t.Fatal(err)
	}
	if len(a.MessagesTo("@u1")) != 1 || len(b.MessagesTo("@u1")) != 3 {
		t.Fatal("the notifier did not follow the changed lookup")
	}
}

// TestNotifierRefusals: each of Rocket.Chat's /hooks refusals is a
// *RefusalError of its own kind whose text names the setting to change and
// the site, never the hook's URL (it holds the hook's token).
func TestNotifierRefusals(t *testing.T) {
	site := "https://chat.example.com"
	tests := []struct {
		name     string
		settings rocketchattest.IncomingSettings
		text     string
		wrongURL bool
		kind     session.Metric
		setting  string
	}{
		{"Rocket.Chat's default integration", rocketchattest.IncomingSettings{NoRateLimit: true}, "hi", false,
			rocketchat.KindOverrideDisabled, `"Override Destination Channel"`},
		{"disabled", rocketchattest.IncomingSettings{Disabled: true, OverrideDestinationChannel: true, NoRateLimit: true}, "hi", false,
			rocketchat.KindDisabled, `"Enabled"`},
		{"unknown hook", rocketchattest.SetUpIncoming, "hi", true,
			rocketchat.KindUnknownHook, "URL"},
		{"too long", rocketchattest.SetUpIncoming, strings.Repeat("x", rocketchattest.MaxMessageSize+1), false,
			rocketchat.KindMessageTooLarge, "Message_MaxAllowedSize"},
		{"rate limited", rocketchattest.IncomingSettings{OverrideDestinationChannel: true, RateLimitCalls: 1}, "hi", false,
			rocketchat.KindRateLimited, `"Post as"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := rocketchattest.NewIncomingWith(tt.settings)
			defer in.Close()
			hook := in.URL()
			if tt.wrongURL {
				hook += "0"
			}
			// No wait is allowed: a 429 is returned at once.
			n := &rocketchat.Notifier{URLs: map[string]string{site: hook}, MaxWait: time.Nanosecond}
			k := session.Key{Site: site, UserID: "u1"}
			if tt.kind == rocketchat.KindRateLimited {
				if err := n.Send(context.Background(), k, "uses the one call of the window"); err != nil {
					t.Fatal(err)
				}
			}
			err := n.Send(context.Background(), k, tt.text)
			var refusal *rocketchat.RefusalError
			if !errors.As(err, &refusal) || refusal.Failure() != tt.kind {
				t.Fatalf("Notify = %v, want a refusal of kind %s", err, tt.kind)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.setting) || !strings.Contains(msg, site) {
				t.Fatalf("error %q does not name %s and the site", msg, tt.setting)
			}
			if strings.Contains(msg, "/hooks/") || strings.Contains(msg, in.URL()) || strings.Contains(msg, "Yx8vN2qLp0") {
				t.Fatalf("error leaks the secret webhook URL: %v", err)
			}
		})
	}
}

// TestNotifierWaitsForTheRateLimiter: a 429 is sent again after the time
// Rocket.Chat gives, when it fits in the caller's deadline and MaxWait.
func TestNotifierWaitsForTheRateLimiter(t *testing.T) {
	site := "https://chat.example.com"
	in := rocketchattest.NewIncomingWith(rocketchattest.IncomingSettings{OverrideDestinationChannel: true, RateLimitCalls: 1, RateLimitWindow: 10 * time.Second})
	defer in.Close()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	in.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	var waits []time.Duration
	n := &rocketchat.Notifier{URLs: map[string]string{site: in.URL()}, Sleep: func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		now = now.Add(d)
		return nil
	}}
	k := session.Key{Site: site, UserID: "u1"}
	for _, text := range []string{"first", "second"} {
		if err := n.Send(context.Background(), k, text); err != nil {
			t.Fatalf("Notify %s: %v", text, err)
		}
	}
	if len(waits) != 1 || waits[0] != 10*time.Second || len(in.MessagesTo("@u1")) != 2 {
		t.Fatalf("waits %v, %d messages; want one wait of 10s and 2 messages", waits, len(in.MessagesTo("@u1")))
	}
	// A deadline shorter than the wait: no wait, the refusal at once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := n.Send(ctx, k, "third")
	var refusal *rocketchat.RefusalError
	if !errors.As(err, &refusal) || refusal.Kind != rocketchat.KindRateLimited || refusal.RetryAfter != 10*time.Second || len(waits) != 1 {
		t.Fatalf("Notify within a 5s deadline = %v after waits %v", err, waits)
	}
}
