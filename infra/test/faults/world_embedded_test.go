package faults_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/config"
	"rcgithub/shared/emf"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session/sessiontest"
	"rcgithub/shared/web"
)

// newEmbeddedWorld wires the service as `make run` does, with localapp: a
// bbolt store and scheduler in DATA_DIR, its AES-GCM key file, the sites of
// the environment, the web handlers, logs through web.LogHandler and EMF
// metrics beside them. Only the clock and the GitHub client's timeout
// (githubTimeout, so that a stalled stand-in is given up on quickly) differ.
func newEmbeddedWorld(t *testing.T) *world {
	clock := sessiontest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	srv, publicURL := newServer(t)
	gh, ghURL, chat := newStandIns(t, publicURL, clock)
	logs := &lockedBuffer{}
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(logs, nil)))
	env := map[string]string{"PUBLIC_URL": publicURL, "GITHUB_CLIENT_ID": clientID, "GITHUB_CLIENT_SECRET": clientSecret,
		"GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL, "ROCKETCHAT_WEBHOOK_TOKEN": webhookToken,
		"ROCKETCHAT_INCOMING_WEBHOOK_URL": chat.URL(), "SESSION_TTL": ttl.String(), "DATA_DIR": filepath.Join(t.TempDir(), "data")}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, err := localapp.New(cfg, localapp.Options{Logger: logger, Now: clock.Now, Metrics: &emf.Writer{Out: logs},
		GitHubHTTPClient: &http.Client{Timeout: githubTimeout}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	// What the checks read, before the fault injection wraps the ports.
	inspector := faults.Inspector{Store: app.DB, Sealer: app.Sealer, Due: app.Scheduler.Due, GitHub: gh}
	ports := faults.NewPorts(app.Service)
	inspector.Ledger = ports
	w := &world{backend: "embedded", svc: app.Service, ports: ports, gh: gh, chat: chat, clock: clock, logs: logs,
		inspector: inspector,
		runDue: func(ctx context.Context) error {
			_, err := app.Scheduler.RunDue(ctx, app.Service.Expire)
			return err
		}}
	w.finish(t, srv, publicURL, app.Handler)
	return w
}
