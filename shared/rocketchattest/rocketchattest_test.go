package rocketchattest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The rules from reference/rocketchat.md: an answer is posted only with status
// 200/201/202, a JSON content type and text or attachments; an empty body or
// another status is retried (500 is logged, not retried); 410 disables.
func TestJudge(t *testing.T) {
	tests := []struct {
		name               string
		status             int
		contentType, body  string
		posted, retry, off bool
	}{
		{"text", 200, "application/json", `{"text":"hi"}`, true, false, false},
		{"charset", 200, "application/json; charset=utf-8", `{"text":"hi"}`, true, false, false},
		{"attachments only", 201, "application/json", `{"attachments":[{"title":"x"}]}`, true, false, false},
		{"empty object", 200, "application/json", `{}`, false, false, false},
		{"empty body", 200, "application/json", ``, false, true, false},
		{"not json", 200, "text/plain", `{"text":"hi"}`, false, false, false},
		{"401", 401, "application/json", `{"error":"x"}`, false, true, false},
		{"500", 500, "application/json", `{"text":"x"}`, false, false, false},
		{"410", 410, "application/json", `{"text":"x"}`, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Judge(tt.status, tt.contentType, []byte(tt.body))
			if (d.Posted != nil) != tt.posted || d.Retry != tt.retry || d.Disabled != tt.off {
				t.Fatalf("Judge = posted %v retry %v disabled %v", d.Posted != nil, d.Retry, d.Disabled)
			}
		})
	}
}

func TestIncoming(t *testing.T) {
	in := NewIncoming()
	defer in.Close()
	post := func(url, body string) int {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(in.URL(), `{"channel":"@u1","text":"hello"}`); got != 200 {
		t.Fatalf("post = %d", got)
	}
	if got := post(in.URL()+"x", `{"channel":"@u1","text":"hello"}`); got != 404 {
		t.Fatalf("wrong hook token = %d, want 404", got)
	}
	long, _ := json.Marshal(map[string]string{"channel": "@u1", "text": strings.Repeat("x", MaxMessageSize+1)})
	if got := post(in.URL(), string(bytes.TrimSpace(long))); got != 400 {
		t.Fatalf("over Message_MaxAllowedSize = %d, want 400", got)
	}
	in.SetDown(true)
	if got := post(in.URL(), `{"channel":"@u1","text":"x"}`); got != 503 {
		t.Fatalf("down = %d", got)
	}
	if msgs := in.MessagesTo("@u1"); len(msgs) != 1 || msgs[0].Text != "hello" {
		t.Fatalf("messages %+v", msgs)
	}
}

func TestOutgoingMessageLooksLikeRocketChat(t *testing.T) {
	o := &Outgoing{Token: "tok", SiteURL: "https://chat.example.com/"}
	m1 := o.Message(User{ID: "uid", Name: "alice"}, "/github login")
	m2 := o.Message(User{ID: "uid", Name: "alice"}, "/github login")
	if m1.MessageID == m2.MessageID || m1.TriggerWord != "/github" || m1.ChannelName == "" || m1.SiteURL != o.SiteURL || m1.Bot {
		t.Fatalf("messages %+v %+v", m1, m2)
	}
}
