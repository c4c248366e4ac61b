// Package memapp wires the service in memory, for tests, benchmarks and
// simulations, never for a deployment (infra/local's deps test keeps it out
// of the server): the memstore store and scheduler, which the contract suites
// check, and an AES-GCM sealer with a random key. It takes the one-machine
// configuration, so tests set sites, trigger words and the TTL as production
// does, and it is assembled by wiring, as localapp and awsapp are.
package memapp

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/config"
	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
	"rcgithub/shared/wiring"
)

// App is the service wired in memory.
type App struct {
	wiring.App
	Store     session.Store // Options.Store, or the memstore
	Scheduler *memstore.Scheduler
	Sealer    *aesgcm.Sealer
}

// Options are what a caller may set; every field is optional.
type Options struct {
	Logger  *slog.Logger     // default slog.Default()
	Now     func() time.Time // default time.Now
	Metrics session.Metrics
	// GitHubHTTPClient makes the requests to GitHub (default: github.DefaultTimeout).
	GitHubHTTPClient *http.Client
	// Store replaces the memstore, say with one that records or fails calls.
	Store session.Store
}

// New assembles the service of cfg in memory. cfg.DataDir, ListenAddr and
// Sandbox are not used.
func New(cfg config.Local, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	store := o.Store
	if store == nil {
		store = memstore.NewStore()
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	sealer, err := aesgcm.New(key)
	if err != nil {
		return nil, fmt.Errorf("memapp: %w", err)
	}
	a := &App{Store: store, Scheduler: memstore.NewScheduler(o.Now), Sealer: sealer}
	a.App, err = wiring.Assemble(cfg.Common, cfg.ClientSecret, config.LocalSites(cfg, o.Now, o.Logger),
		wiring.Adapters{Store: store, Scheduler: a.Scheduler, Sealer: sealer, Claims: memstore.NewClaims(o.Now)},
		wiring.Options{Logger: o.Logger, Now: o.Now, Metrics: o.Metrics, GitHubHTTPClient: o.GitHubHTTPClient})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// RunDue runs the automatic logouts and revocation retries due now.
func (a *App) RunDue(ctx context.Context) (int, error) {
	return a.Scheduler.RunDue(ctx, a.Service.Expire)
}
