package rocketchat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		30 * time.Second:              "less than a minute",
		time.Minute:                   "1 minute",
		90 * time.Minute:              "1 hour 30 minutes",
		7 * 24 * time.Hour:            "7 days",
		6*24*time.Hour + 23*time.Hour: "6 days 23 hours",
		24*time.Hour + 5*time.Minute:  "1 day", // minutes are noise at day scale
		2*time.Hour + 1*time.Minute:   "2 hours 1 minute",
	}
	for d, want := range tests {
		if got := rocketchat.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	at := time.Date(2026, 11, 27, 17, 30, 0, 0, time.FixedZone("IST", 5*3600+1800))
	if got := rocketchat.FormatTime(at); got != "2026-11-27 12:00 UTC" {
		t.Fatalf("FormatTime = %q", got)
	}
}

// TestNoticeText: each notice names the trigger word it carries, the default
// one when it carries none, and the facts it is about.
func TestNoticeText(t *testing.T) {
	ends := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		n    session.Notice
		want []string
		not  []string
	}{
		{"automatic logout, typed word", session.Notice{Kind: session.NoticeLoggedOutAutomatically, Trigger: "!github", TTL: 7 * 24 * time.Hour},
			[]string{"logged out automatically 7 days after login", "`!github login`"}, []string{"/gh "}},
		{"automatic logout, no word kept", session.Notice{Kind: session.NoticeLoggedOutAutomatically, TTL: time.Hour},
			[]string{"1 hour", "`/gh login`"}, nil},
		{"logged in", session.Notice{Kind: session.NoticeLoggedIn, Trigger: "!github", GitHubLogin: "octocat", Ends: ends},
			[]string{"connected to GitHub as @octocat until 2026-12-04 12:00 UTC.", "`!github me`", "`!github search <query>`"}, []string{"grant", "/gh "}},
		{"logged in, fewer scopes", session.Notice{Kind: session.NoticeLoggedIn, GitHubLogin: "octocat", Ends: ends,
			Scopes: session.ScopeDiff{Missing: []string{"read:org"}, Extra: []string{"repo"}}},
			[]string{"did not grant read:org", "more than asked for (repo)"}, nil},
		{"unknown kind", session.Notice{Trigger: "!github"}, []string{"`!github status`"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := rocketchat.NoticeText(tt.n, "/gh")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("%q contains %q", text, w)
				}
			}
		})
	}
}

// TestNotifyUsesTheDefaultTrigger: a notice without a trigger word names the
// Notifier's DefaultTrigger (the first configured word).
func TestNotifyUsesTheDefaultTrigger(t *testing.T) {
	in := rocketchattest.NewIncoming()
	defer in.Close()
	site := "https://chat.example.com"
	n := &rocketchat.Notifier{URLs: map[string]string{site: in.URL()}, DefaultTrigger: "!github"}
	k := session.Key{Site: site, UserID: "u1"}
	if err := n.Notify(context.Background(), session.Notice{Kind: session.NoticeLoggedOutAutomatically, Key: k, TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	got := in.MessagesTo("@u1")
	if len(got) != 1 || !strings.Contains(got[0].Text, "`!github login`") || strings.Contains(got[0].Text, "/github") {
		t.Fatalf("messages %+v: want the hint with !github", got)
	}
}

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{{"hello", 10, "hello"}, {"hello", 3, "hel"}, {"zoë", 3, "zo"}, {"ë", 1, ""}} {
		if got := rocketchat.Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
