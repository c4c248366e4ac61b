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
