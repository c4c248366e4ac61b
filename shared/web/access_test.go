package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/config"
)

// Every caller-chosen string that reaches a log line is cut: the query's
// error parameter, the path, an error's text, a group member, the message.
// noService has nothing: the tests that use it never reach the service.
type noService struct{ Service }

func (noService) CancelLogin(context.Context, string, string) string { return "" }

// edgeHandler is a Handler on noService, for tests of the edge alone;
// it fills the Config's required fields c leaves empty.
func edgeHandler(tb testing.TB, c Config) *Handler {
	tb.Helper()
	if c.TriggerWords == nil {
		c.TriggerWords = []string{"/github"}
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = time.Hour
	}
	if c.Sites == nil {
		c.Sites = config.FixedSites(nil)
	}
	h, err := New(noService{}, c)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestLogLinesAreBounded(t *testing.T) {
	huge := strings.Repeat("é", 600_000) // 1.2 MB, two bytes a character
	var buf bytes.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	h := edgeHandler(t, Config{PublicURL: "https://rcgithub.example.com", Logger: logger})
	req := httptest.NewRequest("GET", "/oauth/callback?error="+huge, nil)
	h.Routes().ServeHTTP(httptest.NewRecorder(), req)
	req = httptest.NewRequest("GET", "/"+strings.Repeat("p", 1<<20), nil)
	h.Routes().ServeHTTP(httptest.NewRecorder(), req)
	logger.Info(huge, "err", errors.New(huge), slog.Group("g", "s", huge), "list", []string{huge})
	logger.With("with", huge).Info("with")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d log lines, want 5 (the error, two requests, two direct):\n%.2000s", len(lines), buf.String())
	}
	for _, line := range lines {
		if len(line) > 8*maxLogString {
			t.Errorf("log line of %d bytes: %.300s", len(line), line)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON line (%v): %.300s", err, line)
		}
		if strings.Contains(line, "\\ufffd") {
			t.Errorf("a character was cut in half: %.300s", line)
		}
	}
	if !strings.Contains(buf.String(), "more bytes)") {
		t.Error("a cut value does not say it was cut")
	}
}

func TestRequestIDFromClientOnlyInStrictForm(t *testing.T) {
	tests := []struct {
		name, header, ctxID string
		want                string // "" means: made by the server
	}{
		{name: "proxy's hex id", header: "4f6c2a1b9d8e7f60a1b2c3d4e5f60718", want: "4f6c2a1b9d8e7f60a1b2c3d4e5f60718"},
		{name: "uuid", header: "0f8fad5b-d9cb-469f-a165-70867728950e", want: "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{name: "quote and space", header: `x" "status":200`},
		{name: "newline", header: "a\nb"},
		{name: "too long", header: strings.Repeat("a", 65)},
		{name: "empty", header: ""},
		{name: "leading dash", header: "-rf"},
		{name: "API Gateway's id from the context wins", header: "client-chosen", ctxID: "JKJaXmPLvHcESHA=", want: "JKJaXmPLvHcESHA="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := accessLog(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = RequestID(r.Context())
			}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header["X-Request-Id"] = []string{tt.header}
			if tt.ctxID != "" {
				req = req.WithContext(WithRequestID(req.Context(), tt.ctxID))
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			switch {
			case tt.want != "" && seen != tt.want:
				t.Fatalf("request id %q, want %q", seen, tt.want)
			case tt.want == "" && (seen == tt.header || len(seen) != 16):
				t.Fatalf("request id %q: the client's %q was not replaced by a made one", seen, tt.header)
			}
		})
	}
}

func TestPageSecurityHeaders(t *testing.T) {
	for _, tt := range []struct {
		public   string
		wantHSTS string
	}{
		{"https://rcgithub.example.com", "max-age=31536000"},
		{"http://127.0.0.1:8080", ""},
	} {
		h := edgeHandler(t, Config{PublicURL: tt.public, GitHubURL: "https://github.com", Logger: slog.New(slog.DiscardHandler)})
		rec := httptest.NewRecorder()
		h.Routes().ServeHTTP(rec, httptest.NewRequest("GET", "/nowhere", nil))
		if got := rec.Header().Get("Strict-Transport-Security"); got != tt.wantHSTS {
			t.Errorf("%s: page HSTS %q, want %q", tt.public, got, tt.wantHSTS)
		}

		const style = "body{color:red}"
		wrapped := h.WithPageSecurity(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<style>" + style + "</style>"))
		}), style)
		rec = httptest.NewRecorder()
		wrapped.ServeHTTP(rec, httptest.NewRequest("GET", "/sandbox/github/", nil))
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "style-src "+cspHash(style)+";") || strings.Contains(csp, styleHash) ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "form-action 'self' https://github.com;") {
			t.Errorf("%s: wrapped CSP %q", tt.public, csp)
		}
		if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Referrer-Policy") != "no-referrer" ||
			rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Strict-Transport-Security") != tt.wantHSTS {
			t.Errorf("%s: wrapped headers %v", tt.public, rec.Header())
		}
	}
}
