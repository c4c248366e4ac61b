package faults_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/aesgcm"
	"rcgithub/shared/bolt"
	"rcgithub/shared/config"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
	"rcgithub/shared/web"
)

// newEmbeddedWorld wires the service as infra/local does: bbolt store and
// scheduler in one file, an AES-GCM key file, the web handlers.
func newEmbeddedWorld(t *testing.T) *world {
	dir := t.TempDir()
	clock := sessiontest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	srv, publicURL := newServer(t)
	gh, ghURL, chat := newStandIns(t, publicURL, clock)
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	db, err := bolt.Open(filepath.Join(dir, "sessions.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	sched := bolt.NewScheduler(db, clock.Now, logger)
	sealer, err := aesgcm.LoadOrCreateKey(filepath.Join(dir, "token.key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &session.Service{Store: db, Scheduler: sched, Sealer: sealer, GitHub: githubClient(ghURL, publicURL),
		Notifier: rocketchat.NewNotifier(chat.URL()), Logger: logger, Now: clock.Now, TTL: ttl, IDKey: session.DeriveIDKey("faults-client-secret")}
	ports := faults.NewPorts(svc)
	w := &world{backend: "embedded", svc: svc, ports: ports, gh: gh, chat: chat, clock: clock, logs: logs,
		inspector: faults.Inspector{Store: db, Sealer: sealer, Due: sched.Due, GitHub: gh, Ledger: ports},
		runDue: func(ctx context.Context) error {
			_, err := sched.RunDue(ctx, svc.Expire)
			return err
		}}
	h, err := web.New(svc, web.Config{PublicURL: publicURL, GitHubURL: ghURL, TriggerWords: rocketchat.DefaultTriggerWords,
		SessionTTL: ttl, Sites: config.FixedSites(config.SingleSite(webhookToken, "", "")), Logger: logger, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	w.finish(t, srv, publicURL, h.Routes())
	return w
}
