package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/bolt"
	"rcgithub/shared/config"
	"rcgithub/shared/github"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

// sandboxPath is where the stand-in GitHub is mounted in sandbox mode.
const sandboxPath = "/sandbox/github"

// sitesRefresh is how often, at most, the server re-reads ROCKETCHAT_SITES_FILE:
// an edit takes effect within seconds, without a restart.
const sitesRefresh = 3 * time.Second

// app is the wired one-machine service. Tests build it with a fake clock.
type app struct {
	Handler   http.Handler
	Service   *session.Service
	Scheduler *bolt.Scheduler
	Sandbox   *githubtest.Server // nil unless GITHUB_SANDBOX=true
	Sites     *config.LiveSites
	db        *bolt.DB
}

func newApp(cfg config.Local, now func() time.Time, logger *slog.Logger) (*app, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("DATA_DIR %s: %w", cfg.DataDir, err)
	}
	sealer, err := aesgcm.LoadOrCreateKey(filepath.Join(cfg.DataDir, "token.key"))
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(cfg.DataDir, "sessions.db"), bolt.Options{})
	if err != nil {
		return nil, err
	}
	a := &app{db: db, Scheduler: bolt.NewScheduler(db, now, logger)}

	mux := http.NewServeMux()
	gh := github.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, BaseURL: cfg.GitHubURL,
		APIURL: cfg.GitHubAPIURL, RedirectURL: cfg.PublicURL + "/oauth/callback", Scopes: cfg.Scopes}
	if cfg.Sandbox {
		a.Sandbox = githubtest.New(githubtest.Options{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURLs: []string{gh.RedirectURL}, AppName: "rcgithub (sandbox)", Now: now})
		mux.Handle(sandboxPath+"/", http.StripPrefix(sandboxPath, a.Sandbox.Handler()))
		gh.BaseURL = cfg.PublicURL + sandboxPath
		gh.APIURL = cfg.PublicURL + sandboxPath
	}
	var reload func(context.Context) (config.Sites, error)
	if cfg.SitesFile != "" {
		reload = func(context.Context) (config.Sites, error) { return config.ReadSitesFile(cfg.SitesFile) }
	}
	a.Sites = config.NewLiveSites(cfg.SiteTable, sitesRefresh, now, reload, logger)
	notifier := &rocketchat.Notifier{Lookup: a.Sites.IncomingWebhookURL, Client: &http.Client{Timeout: 10 * time.Second}}
	a.Service = &session.Service{
		Store: db, Scheduler: a.Scheduler, Sealer: sealer, GitHub: github.New(gh),
		Notifier: notifier, Logger: logger, Now: now, TTL: cfg.SessionTTL, Scopes: cfg.Scopes,
		IDKey: session.DeriveIDKey(cfg.ClientSecret),
	}
	h := &web.Handler{Service: a.Service, PublicURL: cfg.PublicURL, Sites: a.Sites,
		TriggerWords: cfg.TriggerWords, GitHubURL: gh.BaseURL, Logger: logger}
	mux.Handle("/", h.Routes())
	a.Handler = mux
	return a, nil
}

// RunScheduler fires due automatic logouts until ctx ends, and hourly removes
// login links and sign-ins that expired unused.
func (a *app) RunScheduler(ctx context.Context) {
	go func() {
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			if n, err := a.db.DeleteExpired(ctx, a.Service.Now()); err != nil && ctx.Err() == nil {
				a.Service.Logger.Warn("delete expired links", "error", err)
			} else if n > 0 {
				a.Service.Logger.Info("deleted expired links", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	a.Scheduler.Run(ctx, a.Service.Expire)
}

func (a *app) Close() error { return a.db.Close() }
