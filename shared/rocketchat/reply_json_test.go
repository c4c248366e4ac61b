package rocketchat

import (
	"encoding/json"
	"testing"
)

var replyCases = []string{
	"", "GitHub commands:\n`/github login`: connect", `quotes " and \ backslash`, "<a href='x'>&amp;</a>",
	"controls \x00\x01\b\f\n\r\t\x1f\x7f", "é ✓ 😀", "bad \xff\xfe utf-8 \xe2\x82", "separators \u2028 \u2029",
}

func TestAppendReplyJSONIsJSONMarshal(t *testing.T) {
	yes, no := true, false
	for _, text := range replyCases {
		for _, r := range []Reply{{Text: text}, {Channel: text}, {Text: text, Channel: "@" + text, ParseURLs: &no},
			{Text: text, ParseURLs: &yes}, {ParseURLs: &no}, DirectReply("alice", text),
			RoomReply(text, "thread-1"), {ThreadID: text}, {Channel: "#room", ThreadID: text}} {
			checkReplyJSON(t, r)
		}
	}
}

func checkReplyJSON(t *testing.T, r Reply) {
	t.Helper()
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendReplyJSON([]byte("prefix"), r); string(got) != "prefix"+string(want) {
		t.Fatalf("AppendReplyJSON(%+v) = %s, json.Marshal gives %s", r, got[len("prefix"):], want)
	}
}

func FuzzAppendReplyJSON(f *testing.F) {
	for _, text := range replyCases {
		f.Add(text, "alice", "", uint8(0))
	}
	f.Add("answer", "", "tmid", uint8(1))
	f.Fuzz(func(t *testing.T, text, channel, thread string, parse uint8) {
		r := Reply{Text: text, Channel: channel, ThreadID: thread}
		if parse > 0 {
			v := parse > 1
			r.ParseURLs = &v
		}
		checkReplyJSON(t, r)
	})
}
