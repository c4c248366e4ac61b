package web

import (
	"context"
	"testing"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

// TestTellUnfinished: a deferred command cut short is answered by direct
// message, an issue creation with the advice to look before trying again.
func TestTellUnfinished(t *testing.T) {
	k := session.Key{Site: chatSite, UserID: "alice-id"}
	for _, tt := range []struct {
		text     string
		stopping bool
		want     string
	}{
		{"/github me", true, stoppedText},
		{"/github me", false, notFinishedText},
		{"/github octocat/hello issue Crash", true, notConfirmedText(chatops.Repo{Owner: "octocat", Name: "hello"})},
	} {
		w := newChatWorld(t, nil)
		if err := w.h.TellUnfinished(context.Background(), chatops.Deferred{Key: k, Text: tt.text}, tt.stopping); err != nil {
			t.Fatal(err)
		}
		if len(w.messenger.dms) != 1 || w.messenger.dms[0] != tt.want {
			t.Errorf("%q stopping %v: told %q, want %q", tt.text, tt.stopping, w.messenger.dms, tt.want)
		}
	}
}
