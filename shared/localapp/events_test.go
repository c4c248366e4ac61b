package localapp_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session"
	"rcgithub/shared/webhookevents"
)

// TestEventsCallbackIsWired: with EVENTS_URL and EVENTS_SECRET the service
// publishes to that URL, signed with that secret; without them, nowhere.
func TestEventsCallbackIsWired(t *testing.T) {
	const secret = "localapp-events-secret-0123456789abcdef"
	verified := make(chan error, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verified <- webhookevents.Verify([]byte(secret), r.Header.Get(webhookevents.TimestampHeader),
			r.Header.Get(webhookevents.SignatureHeader), body, time.Now())
	}))
	defer rcv.Close()
	for _, configured := range []bool{false, true} {
		env := map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": token,
			"DATA_DIR": filepath.Join(t.TempDir(), "data")}
		if configured {
			env["EVENTS_URL"], env["EVENTS_SECRET"] = rcv.URL+"/events", secret
		}
		cfg, err := config.LoadLocal(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		a, err := localapp.New(cfg, localapp.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		if !configured {
			if a.Service.Events != nil {
				t.Errorf("no EVENTS_URL, yet events go to %T", a.Service.Events)
			}
			continue
		}
		if a.Service.Events == nil {
			t.Fatal("EVENTS_URL is set but the service publishes nowhere")
		}
		err = a.Service.Events.Publish(context.Background(), session.Event{Kind: session.EventLoggedIn,
			Site: "https://chat.example.com", UserID: "u1", GitHubLogin: "octocat", Generation: 1, At: time.Now()})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		if err := <-verified; err != nil {
			t.Errorf("the receiver could not verify the delivery: %v", err)
		}
	}
}
