// Package localapp is the composition root of the one-machine deployment
// (`make run`): a bbolt store and durable scheduler in DATA_DIR, tokens
// sealed with a local AES-GCM key, and, in sandbox mode, a stand-in GitHub
// mounted under SandboxPath. The service itself is assembled by wiring, as on
// AWS. It links no AWS SDK (infra/local's deps test checks it).
package localapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/bolt"
	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/session"
	"rcgithub/shared/webhookevents"
	"rcgithub/shared/wiring"
)

// SandboxPath is where the stand-in GitHub is mounted in sandbox mode.
const SandboxPath = "/sandbox/github"

// App is the wired one-machine service.
type App struct {
	wiring.App
	// Handler serves Web.Routes(), HealthPath, and the sandbox under SandboxPath.
	Handler   http.Handler
	DB        *bolt.DB
	Scheduler *bolt.Scheduler
	Sealer    *aesgcm.Sealer
	Sandbox   *githubtest.Server // nil unless cfg.Sandbox
}

// Options are what a caller may set; every field is optional.
type Options struct {
	Logger  *slog.Logger     // default slog.Default()
	Now     func() time.Time // default time.Now
	Metrics session.Metrics
	// GitHubHTTPClient makes the requests to GitHub (default: github.DefaultTimeout).
	GitHubHTTPClient *http.Client
}

// New opens (or makes) DATA_DIR's key and data file, converts tokens sealed
// in an older format, and assembles the service. Close releases the data file.
func New(cfg config.Local, o Options) (*App, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	logger := o.Logger
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
	a := &App{DB: db, Scheduler: bolt.NewScheduler(db, o.Now, logger), Sealer: sealer}

	if cfg.Sandbox {
		a.Sandbox = githubtest.New(githubtest.Options{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURLs: []string{cfg.PublicURL + "/oauth/callback"}, AppName: "rcgithub (sandbox)", Now: o.Now,
			World: true}) // a few repositories, issues and pull requests for the chat commands
		cfg.GitHubURL = cfg.PublicURL + SandboxPath
		cfg.GitHubAPIURL = cfg.PublicURL + SandboxPath
	}
	a.App, err = wiring.Assemble(cfg.Common, cfg.ClientSecret, config.LocalSites(cfg, o.Now, logger),
		wiring.Adapters{Store: db, Scheduler: a.Scheduler, Sealer: sealer, Claims: db.Claims(o.Now), Events: eventsCallback(cfg)},
		wiring.Options{Logger: logger, Now: o.Now, Metrics: o.Metrics, GitHubHTTPClient: o.GitHubHTTPClient, DeferLocally: true})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	if a.Sandbox != nil {
		// The sandbox's pages get the service's security headers, their own
		// inline style allowed by hash.
		sandbox := a.Sandbox.Handler()
		mux.Handle(SandboxPath+"/", http.StripPrefix(SandboxPath, a.Web.WithPageSecurity(sandbox, inlineStyles(sandbox)...)))
	}
	// Beside the access log, not behind it: see health.ServeHTTP.
	mux.Handle(HealthPath, &health{store: func(ctx context.Context) error {
		_, err := a.Scheduler.Pending(ctx) // one read transaction
		return err
	}, lastTick: a.Scheduler.LastTick, now: o.Now, logger: logger})
	mux.Handle("/", a.Web.Routes())
	a.Handler = mux
	return a, nil
}

// eventsCallback is the domain events' signed HTTP callback EVENTS_URL, or
// nil (no events) when it is unset.
func eventsCallback(cfg config.Local) session.Events {
	if cfg.EventsURL == "" {
		return nil
	}
	return webhookevents.New(cfg.EventsURL, []byte(cfg.EventsSecret))
}

// Run fires due automatic logouts until ctx ends, and hourly removes login
// links and sign-ins that expired unused.
func (a *App) Run(ctx context.Context) {
	// Run returns only once both loops have: the caller closes the database
	// after it, and a job being run still records its outcome.
	var wg sync.WaitGroup
	defer wg.Wait()
	if a.LocalDeferrer != nil { // late chat commands use the database too
		defer a.LocalDeferrer.Stop()
	}
	defer a.Web.WaitCommands()
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			if n, err := a.DB.DeleteExpired(ctx, a.Service.Now()); err != nil && ctx.Err() == nil {
				a.Logger.Warn("delete expired links", "error", err)
			} else if n > 0 {
				a.Logger.Info("deleted expired links", "count", n)
			}
			if n, err := a.DB.Claims(nil).DeleteExpiredClaims(ctx, a.Service.Now()); err != nil && ctx.Err() == nil {
				a.Logger.Warn("delete expired issue claims", "error", err)
			} else if n > 0 {
				a.Logger.Info("deleted expired issue claims", "count", n)
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

// styleBlock is an inline style block of an HTML page.
var styleBlock = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// inlineStyles returns the inline style blocks of the sandbox's pages, read
// from its home page: its pages share one head.
func inlineStyles(sandbox http.Handler) []string {
	req, err := http.NewRequest(http.MethodGet, "/", nil)
	if err != nil {
		return nil
	}
	var page pageRecorder
	sandbox.ServeHTTP(&page, req)
	var styles []string
	for _, m := range styleBlock.FindAllStringSubmatch(page.body.String(), -1) {
		styles = append(styles, m[1])
	}
	return styles
}

// pageRecorder keeps the body of an in-process answer.
type pageRecorder struct {
	header http.Header
	body   strings.Builder
}

func (p *pageRecorder) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}
func (p *pageRecorder) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageRecorder) WriteHeader(int)             {}

// Close releases the data file.
func (a *App) Close() error { return a.DB.Close() }
