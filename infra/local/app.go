package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
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
	// The directory holds the key and the sessions: an existing one open to
	// others is refused, as the files in it are (a new one is made private).
	if err := bolt.CheckPrivate(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
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
	// Tokens sealed before the format had a version are converted once, here,
	// before anything reads them; the sealer then opens the current format only.
	rewritten, failed, err := db.ResealTokens(context.Background(), sealer.Reseal)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if rewritten > 0 {
		logger.Info("resealed tokens stored in the old format", "sessions", rewritten)
	}
	if failed > 0 {
		// Left as they are (they would not open before either): one broken
		// record must not keep the server from starting.
		logger.Warn("stored tokens that open with this key in no known format", "sessions", failed)
	}
	a := &app{db: db, Scheduler: bolt.NewScheduler(db, now, logger)}

	mux := http.NewServeMux()
	gh := github.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, BaseURL: cfg.GitHubURL,
		APIURL: cfg.GitHubAPIURL, RedirectURL: cfg.PublicURL + "/oauth/callback", Scopes: cfg.Scopes}
	if cfg.Sandbox {
		a.Sandbox = githubtest.New(githubtest.Options{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURLs: []string{gh.RedirectURL}, AppName: "rcgithub (sandbox)", Now: now})
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
	h, err := web.New(a.Service, web.Config{PublicURL: cfg.PublicURL, GitHubURL: gh.BaseURL, TriggerWords: cfg.TriggerWords,
		SessionTTL: cfg.SessionTTL, Sites: a.Sites, Logger: logger, Now: now})
	if err != nil {
		return nil, err
	}
	if a.Sandbox != nil {
		// The sandbox's pages get the service's security headers, their own
		// inline style allowed by hash.
		sandbox := a.Sandbox.Handler()
		mux.Handle(sandboxPath+"/", http.StripPrefix(sandboxPath, h.WithPageSecurity(sandbox, inlineStyles(sandbox)...)))
	}
	mux.Handle("/", h.Routes())
	a.Handler = mux
	return a, nil
}

// styleBlock is an inline style block of an HTML page.
var styleBlock = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// inlineStyles returns the inline style blocks of the sandbox's pages, read
// from its home page: its pages share one head.
func inlineStyles(sandbox http.Handler) []string {
	rec := httptest.NewRecorder()
	sandbox.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	var styles []string
	for _, m := range styleBlock.FindAllStringSubmatch(rec.Body.String(), -1) {
		styles = append(styles, m[1])
	}
	return styles
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
