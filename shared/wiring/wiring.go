// Package wiring is the one place a session.Service and its web.Handler are
// assembled from a configuration and a deployment's adapters: awsapp (AWS),
// localapp (one machine) and memapp (tests and simulations) differ only in the
// adapters they pass, so a setting (a timeout, the metrics, the ID key) cannot
// drift between them.
package wiring

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/config"
	"rcgithub/shared/github"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

// NotifyTimeout bounds each message to a Rocket.Chat incoming webhook.
const NotifyTimeout = 10 * time.Second

var _ web.Service = (*session.Service)(nil)

// App is a wired service: the domain, its HTTP handlers and the sites they serve.
type App struct {
	Service *session.Service
	Web     *web.Handler
	Sites   *config.LiveSites
	Logger  *slog.Logger
	// Chat runs the commands that act at GitHub as the user.
	Chat *chatops.Service
	// LocalDeferrer finishes late commands with Options.DeferLocally; the
	// server stops it before closing its store. Nil otherwise.
	LocalDeferrer *LocalDeferrer
}

// Adapters are what a deployment keeps its state in.
type Adapters struct {
	Events    session.Events // optional: where the domain events go (nil: nowhere)
	Store     session.Store
	Scheduler session.Scheduler
	Sealer    session.Sealer
	// Claims make an issue creation happen once per Rocket.Chat message
	// (chatops); the chat commands that act at GitHub need them.
	Claims chatops.Claims
	// Deferrer finishes the commands that outrun the webhook's deadline
	// elsewhere (AWS: a queue and a function of its own); optional.
	Deferrer chatops.Deferrer
}

// Options are what a caller may set; every field is optional.
type Options struct {
	Logger  *slog.Logger     // default slog.Default()
	Now     func() time.Time // default time.Now
	Metrics session.Metrics  // default: none counted
	// GitHubHTTPClient makes the requests to GitHub; default: github.New's
	// (github.DefaultTimeout) for OAuth, and githubapi.DefaultHTTPClient for
	// the chat commands, whose calls the caller's context bounds.
	GitHubHTTPClient *http.Client
	// NotifyHTTPClient sends the direct messages; default: NotifyTimeout.
	NotifyHTTPClient *http.Client
	// ConnectGitHub replaces the GitHub API acting as a user; default:
	// githubapi on GITHUB_API_URL, with GitHubHTTPClient.
	ConnectGitHub chatops.Connect
	// DeferLocally finishes late commands in goroutines of this process (the
	// one-machine server) when Adapters.Deferrer is nil.
	DeferLocally bool
}

// Assemble builds the service for cfg from a's adapters: the GitHub client,
// the Rocket.Chat notifier on the sites' incoming webhooks, the ID key derived
// from the GitHub client secret, and the web handlers.
func Assemble(cfg config.Common, clientSecret string, sites *config.LiveSites, a Adapters, o Options) (App, error) {
	var errs []error
	if a.Store == nil || a.Scheduler == nil || a.Sealer == nil {
		errs = append(errs, errors.New("a store, a scheduler and a sealer are required"))
	}
	if sites == nil {
		errs = append(errs, errors.New("no Rocket.Chat sites"))
	}
	if clientSecret == "" {
		errs = append(errs, errors.New("no GitHub client secret"))
	}
	if err := errors.Join(errs...); err != nil {
		return App{}, fmt.Errorf("wiring: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NotifyHTTPClient == nil {
		o.NotifyHTTPClient = &http.Client{Timeout: NotifyTimeout}
	}
	gh := github.New(github.Config{ClientID: cfg.ClientID, ClientSecret: clientSecret, BaseURL: cfg.GitHubURL,
		APIURL: cfg.GitHubAPIURL, RedirectURL: cfg.PublicURL + "/oauth/callback", Scopes: cfg.Scopes,
		HTTPClient: o.GitHubHTTPClient, Now: o.Now})
	notifier := &rocketchat.Notifier{Lookup: sites.IncomingWebhookURL, Client: o.NotifyHTTPClient}
	if len(cfg.TriggerWords) > 0 { // else web.New refuses the configuration below
		notifier.DefaultTrigger = cfg.TriggerWords[0] // what DMs name for a session that carries no word
	}
	svc := &session.Service{
		Store:     a.Store,
		Scheduler: a.Scheduler,
		Sealer:    a.Sealer,
		GitHub:    gh,
		Notifier:  notifier,
		Events:    a.Events,
		Metrics:   o.Metrics,
		Logger:    o.Logger,
		Now:       o.Now,
		TTL:       cfg.SessionTTL,
		Scopes:    cfg.Scopes,
		IDKey:     session.DeriveIDKey(clientSecret),
		// What users may add to a login ("/github login repo").
		ExtraScopes: cfg.ExtraScopes,
	}
	h, err := web.New(svc, web.Config{PublicURL: cfg.PublicURL, GitHubURL: cfg.GitHubURL, TriggerWords: cfg.TriggerWords,
		SessionTTL: cfg.SessionTTL, ExtraScopes: cfg.ExtraScopes, Sites: sites, Metrics: o.Metrics, Logger: o.Logger, Now: o.Now})
	if err != nil {
		return App{}, fmt.Errorf("wiring: %w", err)
	}
	app := App{Service: svc, Web: h, Sites: sites, Logger: o.Logger}
	if err := assembleChat(&app, cfg, a, o, notifier); err != nil {
		return App{}, err
	}
	return app, nil
}
