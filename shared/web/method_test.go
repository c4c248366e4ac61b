package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWrongMethodAnswers405WithAllow: RFC 9110 (15.5.6) says a 405 answer MUST
// carry an Allow header listing the methods the resource supports; schemathesis'
// unsupported_method check (ST204) flags its absence. Paths under /oauth/ that
// are no resource at all are not found (404), whatever the method.
func TestWrongMethodAnswers405WithAllow(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		method, path string
		wantStatus   int
		wantAllow    []string
	}{
		{http.MethodGet, "/rocketchat/webhook", 405, []string{"POST"}},
		{http.MethodPut, "/rocketchat/webhook", 405, []string{"POST"}},
		{http.MethodDelete, "/oauth/start", 405, []string{"GET", "HEAD", "POST"}},
		{http.MethodPost, "/oauth/callback", 405, []string{"GET", "HEAD"}},
		{http.MethodGet, "/oauth/nothing-here", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			fx.handler.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			allow := rec.Header().Get("Allow")
			for _, m := range tt.wantAllow {
				if !strings.Contains(allow, m) {
					t.Errorf("Allow %q lacks %s", allow, m)
				}
			}
		})
	}
}
