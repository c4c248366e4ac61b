// Package bench holds the in-process benchmarks of the Lambda handlers: what
// an invocation costs inside the function, without any I/O. The session store
// finds nothing and the scheduler does nothing, so the numbers are the
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
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

const (
	publicURL    = "https://abc123.execute-api.us-east-1.amazonaws.com"
	webhookToken = "bench-webhook-token-0123456789"
)

func BenchmarkWebhook(b *testing.B) {
	handler := lambda.NewHandler(httpapi.Handler(newWeb(b).Routes()))
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
	handler := lambda.NewHandler(httpapi.Handler(newWeb(b).Routes()))
	event := httpEvent(b, apigw.Request{Method: http.MethodGet, URL: publicURL + "/oauth/start?link=unknown-link-0123456789"})
	benchInvoke(b, handler, event, "This login link is unknown")
}

func BenchmarkLogoutJob(b *testing.B) {
	app := &awsapp.App{Service: newService(), Logger: discard}
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

func newService() *session.Service {
	return &session.Service{Store: emptyStore{}, Scheduler: idleScheduler{}, Logger: discard, Now: time.Now, TTL: 168 * time.Hour, IDKey: session.DeriveIDKey("bench-client-secret")}
}

func newWeb(b *testing.B) *web.Handler {
	svc := newService()
	h, err := web.New(svc, web.Config{PublicURL: publicURL, GitHubURL: "https://github.com", TriggerWords: rocketchat.DefaultTriggerWords,
		SessionTTL: svc.TTL, Sites: config.FixedSites(config.SingleSite(webhookToken, "", "")), Logger: discard})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// emptyStore holds nothing: reads find nothing, a new link is kept as given.
type emptyStore struct{}

func (emptyStore) CreateLink(_ context.Context, l session.Link, _ session.LinkQuota) (session.Link, error) {
	return l, nil
}
func (emptyStore) GetLink(context.Context, string) (session.Link, error) {
	return session.Link{}, session.ErrNotFound
}
func (emptyStore) TakeLink(context.Context, string) (session.Link, error) {
	return session.Link{}, session.ErrNotFound
}
func (emptyStore) PutPending(context.Context, session.Pending) error { return nil }
func (emptyStore) TakePending(context.Context, string) (session.Pending, error) {
	return session.Pending{}, session.ErrNotFound
}
func (emptyStore) GetSession(context.Context, session.Key) (session.Session, error) {
	return session.Session{}, session.ErrNotFound
}
func (emptyStore) PutSession(context.Context, session.Session, int64) error { return nil }
func (emptyStore) RetireSession(context.Context, session.Key, int64) (session.Session, error) {
	return session.Session{}, session.ErrNotFound
}
func (emptyStore) GetRetired(context.Context, session.Key, int64) (session.Session, error) {
	return session.Session{}, session.ErrNotFound
}
func (emptyStore) DeleteRetired(context.Context, session.Key, int64) error { return nil }
func (emptyStore) PutRetired(context.Context, session.Session) error       { return nil }
func (emptyStore) UpdateToken(context.Context, session.Key, int64, []byte, []byte, time.Time, time.Time) error {
	return session.ErrNotFound
}

// idleScheduler schedules nothing.
type idleScheduler struct{}

func (idleScheduler) Schedule(context.Context, session.Job, time.Time) error { return nil }
func (idleScheduler) Cancel(context.Context, session.Job) error              { return nil }
