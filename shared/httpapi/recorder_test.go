package httpapi

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"testing"
)

// TestRecorder: the answer is what net/http would have sent: the first
// status, the headers as of that status, a sniffed Content-Type when the
// handler set none, cookies apart, and a binary body in base64.
func TestRecorder(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		status      int
		headers     map[string]string
		cookies     []string
		body        string
		base64Coded bool
	}{
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, 200, map[string]string{}, nil, "", false},
		{"body only", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<p>hi</p>")) },
			200, map[string]string{"Content-Type": "text/html; charset=utf-8"}, nil, "<p>hi</p>", false},
		{"status, headers, cookies", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.Header().Add("Vary", "A")
			w.Header().Add("Vary", "B")
			w.WriteHeader(http.StatusSeeOther)
			w.WriteHeader(http.StatusInternalServerError) // ignored
			w.Header().Set("X-Late", "ignored")
			_, _ = w.Write([]byte(`{}`))
		}, 303, map[string]string{"Content-Type": "application/json", "Vary": "A, B"}, []string{"a=1", "b=2"}, `{}`, false},
		{"binary body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte{0xff, 0x00})
		}, 200, map[string]string{"Content-Type": "application/octet-stream"}, nil, base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			tt.handler(rec, &http.Request{})
			got := rec.response()
			if got.StatusCode != tt.status || !reflect.DeepEqual(got.Headers, tt.headers) ||
				!reflect.DeepEqual(got.Cookies, tt.cookies) || got.Body != tt.body || got.IsBase64Encoded != tt.base64Coded {
				t.Fatalf("response %+v", got)
			}
		})
	}
}
