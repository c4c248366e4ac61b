package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSafeCode(t *testing.T) {
	tests := map[string]string{
		"access_denied":             "access_denied",
		"<script>alert(1)</script>": "scriptalert1script",
		strings.Repeat("a", 100):    strings.Repeat("a", 40),
	}
	for in, want := range tests {
		if got := safeCode(in); got != want {
			t.Errorf("safeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPageHeadersAndEscaping(t *testing.T) {
	h := edgeHandler(t, Config{PublicURL: "https://svc.example.com", GitHubURL: "https://github.com/"})
	rec := httptest.NewRecorder()
	h.page(rec, http.StatusBadRequest, "Sign-in failed", `<img src=x onerror=alert(1)>`)
	res := rec.Result()
	if res.StatusCode != 400 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d type %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self' https://github.com", "style-src " + styleHash} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	body := rec.Body.String()
	if strings.Contains(body, "<img") {
		t.Fatal("page text not escaped")
	}
	// The style block must be byte-for-byte what the CSP hash allows.
	if !strings.Contains(body, "<style>"+pageStyle+"</style>") {
		t.Fatal("style block differs from the hashed style")
	}
	if !strings.Contains(body, `name="viewport"`) {
		t.Fatal("no viewport meta: unreadable on phones")
	}
}

func TestCookieIsHostOnlyAndSecureOnHTTPS(t *testing.T) {
	tests := []struct {
		public     string
		wantName   string
		wantSecure bool
	}{
		{"https://svc.example.com", "__Host-rcgh_login", true},
		{"http://127.0.0.1:8080", "rcgh_login", false},
	}
	for _, tt := range tests {
		c := edgeHandler(t, Config{PublicURL: tt.public}).cookie("v", 600)
		if c.Name != tt.wantName || c.Secure != tt.wantSecure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
			t.Errorf("%s: cookie %+v", tt.public, c)
		}
	}
}

func TestLogHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	h := accessLog(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "inside")
	}))
	req := httptest.NewRequest("GET", "/oauth/callback?code=SECRETCODE&state=SECRETSTATE", nil)
	req.Header.Set("X-Request-Id", "req-123")
	h.ServeHTTP(httptest.NewRecorder(), req)
	out := buf.String()
	if strings.Count(out, `"request_id":"req-123"`) != 2 {
		t.Fatalf("request id not on every line:\n%s", out)
	}
	if strings.Contains(out, "SECRET") {
		t.Fatalf("query string logged:\n%s", out)
	}
}
