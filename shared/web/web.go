// Package web serves the service's HTTP routes with net/http: the Rocket.Chat
// outgoing webhook and the OAuth pages. The local server mounts every route
// (Routes); each Lambda mounts only its own (WebhookRoutes, OAuthRoutes).
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// Service is what the handlers call; *session.Service implements it.
type Service interface {
	StartLogin(ctx context.Context, r session.LinkRequest) (session.Link, error)
	GetStatus(ctx context.Context, k session.Key) (session.Status, error)
	Logout(ctx context.Context, k session.Key) (session.LogoutResult, error)
	OpenLink(ctx context.Context, id string) (session.Link, error)
	Authorize(ctx context.Context, linkID, browserSecret string) (string, error)
	CancelLogin(ctx context.Context, state, browserSecret string) (trigger string)
	CompleteLogin(ctx context.Context, state, code, browserSecret string) (session.Login, error)
}

// Config is what the handlers need besides the service.
type Config struct {
	// PublicURL is where browsers reach this service, without a trailing slash.
	PublicURL string
	// GitHubURL is GitHub's web origin; the OAuth form posts end up there.
	GitHubURL string
	// TriggerWords address the service (rocketchat.DefaultTriggerWords);
	// required. The first is the word used where a link or sign-in carries none.
	TriggerWords []string
	// SessionTTL is how long a session lasts, for the help texts and replies.
	SessionTTL time.Duration
	// ExtraScopes are the scopes users may add to a login
	// (GITHUB_EXTRA_SCOPES), for the help text; optional.
	ExtraScopes []string
	// Sites says which Rocket.Chat servers may call the webhook, with which
	// tokens (config.LiveSites); required, in tests too.
	Sites SiteTokens
	// Metrics counts the requests refused at the edge; optional.
	Metrics session.Metrics
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now defaults to time.Now.
	Now func() time.Time
}

// Handler serves the service's routes. Make it with New.
type Handler struct {
	svc       Service
	cfg       Config
	helpTexts map[string]string // by trigger word: help is the hot path
	chat      *ChatOps          // the commands that act at GitHub; nil: off (EnableChatOps)
	running   sync.WaitGroup    // chat commands still running after their answer (WaitCommands)
}

// New checks c and returns the handlers of svc.
func New(svc Service, c Config) (*Handler, error) {
	var errs []error
	if svc == nil {
		errs = append(errs, errors.New("no service"))
	}
	if c.PublicURL == "" {
		errs = append(errs, errors.New("no public URL"))
	}
	if len(c.TriggerWords) == 0 {
		errs = append(errs, errors.New("no trigger words"))
	}
	if c.SessionTTL <= 0 {
		errs = append(errs, errors.New("no session TTL"))
	}
	if c.Sites == nil {
		errs = append(errs, errors.New("no sites"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	h := &Handler{svc: svc, cfg: c, helpTexts: make(map[string]string, len(c.TriggerWords))}
	for _, t := range c.TriggerWords {
		h.helpTexts[t] = helpText(t, c.SessionTTL, c.ExtraScopes)
	}
	return h, nil
}

// Routes returns every route: POST /rocketchat/webhook, GET and POST
// /oauth/start, GET /oauth/callback. The local server serves them all.
func (h *Handler) Routes() http.Handler { return h.routes(true, true) }

// WebhookRoutes returns only POST /rocketchat/webhook, for the webhook
// Lambda; every other path is 404.
func (h *Handler) WebhookRoutes() http.Handler { return h.routes(true, false) }

// OAuthRoutes returns only GET and POST /oauth/start and GET
// /oauth/callback, for the OAuth Lambda; every other path is 404.
func (h *Handler) OAuthRoutes() http.Handler { return h.routes(false, true) }

func (h *Handler) routes(webhook, oauth bool) http.Handler {
	mux := http.NewServeMux()
	// Other methods on a served path: 405 with Allow (never 410, which would
	// disable the Rocket.Chat integration), with a body that says what to do.
	if webhook {
		mux.HandleFunc("POST /rocketchat/webhook", h.webhook)
		mux.HandleFunc("/rocketchat/webhook", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST for the Rocket.Chat outgoing webhook"})
		})
	}
	if oauth {
		mux.HandleFunc("GET /oauth/start", h.startPage) // GET patterns match HEAD too
		mux.HandleFunc("POST /oauth/start", h.startPost)
		mux.HandleFunc("GET /oauth/callback", h.callback)
		for path, allow := range map[string]string{"/oauth/start": "GET, HEAD, POST", "/oauth/callback": "GET, HEAD"} {
			mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Allow", allow)
				h.page(w, http.StatusMethodNotAllowed, "Not here", methodNotAllowedText(h.defaultTrigger()))
			})
		}
	}
	mux.HandleFunc("/", h.notFound)
	return accessLog(h.log(), mux)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.page(w, http.StatusNotFound, "Not found", notFoundText(h.defaultTrigger()))
}

func (h *Handler) log() *slog.Logger { return h.cfg.Logger }

func (h *Handler) now() time.Time { return h.cfg.Now() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	if reply, ok := v.(rocketchat.Reply); ok { // nearly every answer: same bytes, no reflection (reply.go)
		writeReply(w, status, reply)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// origin returns scheme://host of a URL, for the Content-Security-Policy.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
