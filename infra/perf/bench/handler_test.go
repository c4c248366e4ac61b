// Package bench holds the in-process benchmarks of the Lambda handlers: what
// an invocation costs inside the function, without any I/O. The service is
// memapp's (an in-memory store and scheduler), so the numbers are the
// service's own work: decoding the event as the Lambda runtime does, the
// httpapi adapter, routing, the handler, rendering and encoding the result.
// The cold-start and latency benchmark under the runtime emulator is
// ./lambdabench.
package bench

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"rcgithub/infra/test/e2e/apigw"
	"rcgithub/shared/awsapp"
	"rcgithub/shared/config"
	"rcgithub/shared/httpapi"
	"rcgithub/shared/memapp"
	"rcgithub/shared/rocketchattest"
)

const (
	publicURL    = "https://abc123.execute-api.us-east-1.amazonaws.com"
	webhookToken = "bench-webhook-token-0123456789"
)

func BenchmarkWebhook(b *testing.B) {
	handler := lambda.NewHandler(httpapi.Handler(newApp(b).Web.WebhookRoutes()))
	tests := []struct {
		name, token, text, want string
	}{
		{"help", webhookToken, "/github help", "GitHub commands:"},
		{"status, not logged in", webhookToken, "/github status", "You are not logged in to GitHub."},
		{"login link", webhookToken, "/github login", "Connect your GitHub account: " + publicURL + "/oauth/start?link="},
		{"wrong token", "not-the-token-0123456789", "/github help", "wrong or missing webhook token"},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			out := &rocketchattest.Outgoing{Token: tt.token, SiteURL: "https://chat.example.com/"}
			body, err := json.Marshal(out.Message(rocketchattest.User{ID: "u1", Name: "alice"}, tt.text))
			if err != nil {
				b.Fatal(err)
			}
			event := httpEvent(b, apigw.Request{Method: http.MethodPost, URL: publicURL + "/rocketchat/webhook",
				Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
			benchInvoke(b, handler, event, tt.want)
		})
	}
}

func BenchmarkOAuthStartPage(b *testing.B) {
	handler := lambda.NewHandler(httpapi.Handler(newApp(b).Web.OAuthRoutes()))
	event := httpEvent(b, apigw.Request{Method: http.MethodGet, URL: publicURL + "/oauth/start?link=unknown-link-0123456789"})
	benchInvoke(b, handler, event, "This login link is unknown")
}

func BenchmarkLogoutJob(b *testing.B) {
	app := &awsapp.App{App: newApp(b).App} // the logout function's handler, on the in-memory wiring
	handler := lambda.NewHandler(app.Logout)
	benchInvoke(b, handler, []byte(`{"site":"https://chat.example.com","user":"u1","generation":42}`), "null")
}

// benchInvoke measures handler on event the way the Lambda runtime calls it
// (JSON in, JSON out), after checking once that the result contains want.
func benchInvoke(b *testing.B, handler lambda.Handler, event []byte, want string) {
	b.Helper()
	ctx := context.Background()
	result, err := handler.Invoke(ctx, event)
	if err != nil || !strings.Contains(string(result), want) {
		b.Fatalf("result %.300s, %v; want it to contain %q", result, err, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := handler.Invoke(ctx, event); err != nil {
			b.Fatal(err)
		}
	}
}

func httpEvent(b *testing.B, r apigw.Request) []byte {
	b.Helper()
	e, err := apigw.Event(r, "bench-request-id", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	payload, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	return payload
}

var discard = slog.New(slog.DiscardHandler)

// newApp is the service wired in memory, configured as a deployment is.
func newApp(b *testing.B) *memapp.App {
	env := map[string]string{"PUBLIC_URL": publicURL, "GITHUB_CLIENT_ID": "Iv1.bench", "GITHUB_CLIENT_SECRET": "bench-client-secret",
		"ROCKETCHAT_WEBHOOK_TOKEN": webhookToken}
	return newAppWith(b, env, discard)
}

// newAppWith is the service wired in memory with env as its configuration.
func newAppWith(b *testing.B, env map[string]string, logger *slog.Logger) *memapp.App {
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	app, err := memapp.New(cfg, memapp.Options{Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	return app
}
