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
