package bench

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/web"
)

// BenchmarkLocalWebhook is the webhook as the local server serves it (the
// routes behind net/http, logging JSON lines through web.LogHandler as
// infra/local does, to a writer that keeps nothing), without the network:
// the request is reused, the answer goes to a writer that keeps nothing.
// `make bench-load` measures the same path over loopback.
func BenchmarkLocalWebhook(b *testing.B) {
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(io.Discard, nil)))
	env := map[string]string{"PUBLIC_URL": "http://127.0.0.1:8080", "GITHUB_CLIENT_ID": "Iv1.bench", "GITHUB_CLIENT_SECRET": "bench-client-secret",
		"ROCKETCHAT_WEBHOOK_TOKEN": webhookToken}
	app := newAppWith(b, env, logger)
	routes := app.Web.Routes()
	tests := []struct{ name, text, want string }{
		{"help", "/github help", "GitHub commands:"},
		{"login link", "/github login", "/oauth/start?link="},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			out := &rocketchattest.Outgoing{Token: webhookToken, SiteURL: "https://chat.example.com/"}
			user := rocketchattest.User{ID: "u1", Name: "alice"}
			body, err := json.Marshal(out.Message(user, tt.text))
			if err != nil {
				b.Fatal(err)
			}
			reader := strings.NewReader("")
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/rocketchat/webhook", reader)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			w := &discardWriter{header: http.Header{}}
			serve := func() {
				reader.Reset(string(body))
				req.Body = io.NopCloser(reader)
				clear(w.header)
				w.body.Reset()
				routes.ServeHTTP(w, req)
			}
			serve()
			if w.status != http.StatusOK || !strings.Contains(w.body.String(), tt.want) {
				b.Fatalf("answer %d %.300s; want 200 with %q", w.status, w.body.String(), tt.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps the status and the last answer only.
type discardWriter struct {
	header http.Header
	status int
	body   strings.Builder
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(status int) { w.status = status }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
