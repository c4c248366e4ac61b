package config

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// LiveSites is the sites table of a running service, re-read through Load at
// most once per Every, lazily, on the request that finds it stale. So an admin
// adds a site or rotates a token without a restart or redeploy. A failed
// re-read keeps the last good table and is logged; it is tried again after
// another Every. Safe for concurrent use.
type LiveSites struct {
	Load   func(ctx context.Context) (Sites, error) // nil: the table never changes
	Every  time.Duration
	Now    func() time.Time
	Logger *slog.Logger

	mu      sync.Mutex
	current Sites
	loaded  time.Time
}

// NewLiveSites starts from initial, read at start; the first re-read is due
// Every after now.
func NewLiveSites(initial Sites, every time.Duration, now func() time.Time, load func(context.Context) (Sites, error), logger *slog.Logger) *LiveSites {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &LiveSites{Load: load, Every: every, Now: now, Logger: logger, current: initial, loaded: now()}
}

// Current returns the table, re-reading it first when it is stale. Concurrent
// callers wait for one re-read rather than each making their own.
func (l *LiveSites) Current(ctx context.Context) Sites {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Load == nil || l.Now().Sub(l.loaded) < l.Every {
		return l.current
	}
	l.loaded = l.Now() // also on failure: a broken source is not hammered
	sites, err := l.Load(ctx)
	if err != nil {
		l.Logger.ErrorContext(ctx, "re-read Rocket.Chat sites failed; keeping the last good configuration", "error", err)
		return l.current
	}
	if sites.String() != l.current.String() {
		l.Logger.InfoContext(ctx, "Rocket.Chat sites changed", "sites", sites.String())
	}
	l.current = sites
	return sites
}

// WebhookTokens returns the tokens accepted from the normalised site URL, and
// false when the site is not configured.
func (l *LiveSites) WebhookTokens(ctx context.Context, site string) ([]string, bool) {
	s, ok := l.Current(ctx).Lookup(site)
	return s.WebhookTokens, ok
}

// IncomingWebhookURL returns the incoming webhook of the normalised site URL,
// "" when it has none or is not configured.
func (l *LiveSites) IncomingWebhookURL(ctx context.Context, site string) string {
	s, _ := l.Current(ctx).Lookup(site)
	return s.IncomingWebhookURL
}

// FixedSites is a LiveSites whose table never changes, for a deployment (or a
// test) that configures its sites once.
func FixedSites(s Sites) *LiveSites { return NewLiveSites(s, 0, nil, nil, nil) }

// LocalSitesRefresh is how often, at most, a one-machine server re-reads
// ROCKETCHAT_SITES_FILE: an edit takes effect within seconds, without a restart.
const LocalSitesRefresh = 3 * time.Second

// LocalSites is the live sites table of a one-machine server: c.SiteTable,
// re-read from c.SitesFile (when set) at most every LocalSitesRefresh.
func LocalSites(c Local, now func() time.Time, logger *slog.Logger) *LiveSites {
	var reload func(context.Context) (Sites, error)
	if c.SitesFile != "" {
		reload = func(context.Context) (Sites, error) { return ReadSitesFile(c.SitesFile) }
	}
	return NewLiveSites(c.SiteTable, LocalSitesRefresh, now, reload, logger)
}
