package rocketchat

import (
	"encoding/json"
	"testing"
)

func TestDirectReplyJSON(t *testing.T) {
	b, err := json.Marshal(DirectReply("alice", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"text":"hi","channel":"@alice","parseUrls":false}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestMessageDecodesReferenceExample(t *testing.T) {
	// The example from Rocket.Chat's outgoing webhook (reference/rocketchat.md).
	raw := `{"token":"S3cr3t","bot":false,"trigger_word":"/github","channel_id":"GENERAL","channel_name":"general","message_id":"7aDSXtjMA3KPLxLjt","timestamp":"2024-05-01T10:20:30.123Z","user_id":"rbAXPnMktTFbNpwtJ","user_name":"alice","text":"/github login","siteUrl":"https://chat.example.com"}`
	var m Message
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	want := Message{Token: "S3cr3t", TriggerWord: "/github", ChannelID: "GENERAL", ChannelName: "general",
		MessageID: "7aDSXtjMA3KPLxLjt", Timestamp: "2024-05-01T10:20:30.123Z", UserID: "rbAXPnMktTFbNpwtJ",
		UserName: "alice", Text: "/github login", SiteURL: "https://chat.example.com"}
	if m != want {
		t.Fatalf("got %+v, want %+v", m, want)
	}
}

// TestMessageBotShapes: Rocket.Chat sends "bot" as false for people, true for
// bots (current versions) or the bot object (older versions); any value but
// false or absent is a bot.
func TestMessageBotShapes(t *testing.T) {
	tests := []struct {
		bot  string // the raw JSON value; "" leaves the key out
		want bool
	}{
		{"", false},
		{"false", false},
		{" false ", false},
		{"true", true},
		{`{"i":"Gq5aHcYBgFbkH6mPN"}`, true},
		{`{}`, true},
		{`"yes"`, true},
		{`1`, true},
		{`null`, true},
		{`[]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.bot, func(t *testing.T) {
			raw := `{"token":"t","user_id":"u1","text":"/github login"`
			if tt.bot != "" {
				raw += `,"bot":` + tt.bot
			}
			raw += `}`
			var m Message
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
			if m.Bot != tt.want || m.Token != "t" || m.UserID != "u1" || m.Text != "/github login" {
				t.Fatalf("decoded %+v, want bot %v and the other fields kept", m, tt.want)
			}
		})
	}
	// Anything that is not a JSON object is still refused.
	for _, raw := range []string{`[1]`, `{"bot":}`, `{"token":1}`, `"x"`} {
		var m Message
		if json.Unmarshal([]byte(raw), &m) == nil {
			t.Errorf("%s decoded", raw)
		}
	}
}
