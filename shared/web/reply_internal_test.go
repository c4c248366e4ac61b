package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"rcgithub/shared/rocketchat"
)

// writeJSON's fast path for replies answers what json.Encoder did: the same
// status, headers and bytes.
func TestWriteJSONOfAReplyIsEncodingJSON(t *testing.T) {
	no := false
	for _, tt := range []struct {
		status int
		reply  rocketchat.Reply
	}{
		{http.StatusOK, rocketchat.DirectReply("alice", "GitHub commands:\n`/github login` <&> \u2028")},
		{http.StatusOK, rocketchat.Reply{}},
		{http.StatusAccepted, rocketchat.Reply{Text: "x", ParseURLs: &no}},
	} {
		got := httptest.NewRecorder()
		writeJSON(got, tt.status, tt.reply)
		want := httptest.NewRecorder()
		want.Header().Set("Content-Type", "application/json")
		want.Header().Set("Cache-Control", "no-store")
		want.WriteHeader(tt.status)
		if err := json.NewEncoder(want).Encode(tt.reply); err != nil {
			t.Fatal(err)
		}
		if got.Code != want.Code || got.Body.String() != want.Body.String() ||
			got.Header().Get("Content-Type") != "application/json" || got.Header().Get("Cache-Control") != "no-store" || len(got.Header()) != 2 {
			t.Errorf("writeJSON(%+v): %d %v %q; want %d %v %q", tt.reply, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
}
