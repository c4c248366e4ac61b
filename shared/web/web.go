// Package web serves the service's HTTP routes with net/http: the Rocket.Chat
// outgoing webhook and the OAuth pages. The local server mounts the handlers
// directly; the Lambdas wrap them for API Gateway.
package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"sync"

	"rcgithub/shared/session"
)

// Handler serves every route of the service.
type Handler struct {
	Service *session.Service
	// PublicURL is where browsers reach this service, without a trailing slash.
	PublicURL string
	// Sites says which Rocket.Chat servers may call the webhook, with which
	// tokens (config.LiveSites). When nil, WebhookToken is accepted from any site.
	Sites SiteTokens
	// WebhookToken is the Token field of the Rocket.Chat outgoing webhook, for
	// a Handler without Sites.
	WebhookToken string
	// TriggerWords address the service (rocketchat.DefaultTriggerWords).
	TriggerWords []string
	// GitHubURL is GitHub's web origin; the OAuth form posts end up there.
	GitHubURL string
	Logger    *slog.Logger

	helpOnce  sync.Once
	helpTexts map[string]string // by trigger word, made once: help is the hot path
}

// Routes returns the routes: POST /rocketchat/webhook, GET and POST
// /oauth/start, GET /oauth/callback.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rocketchat/webhook", h.webhook)
	mux.HandleFunc("GET /oauth/start", h.startPage) // GET patterns match HEAD too
	mux.HandleFunc("POST /oauth/start", h.startPost)
	mux.HandleFunc("GET /oauth/callback", h.callback)
	// Other methods on those paths: 405 with Allow (never 410, which would
	// disable the Rocket.Chat integration), with a body that says what to do.
	mux.HandleFunc("/rocketchat/webhook", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST for the Rocket.Chat outgoing webhook"})
	})
	for path, allow := range map[string]string{"/oauth/start": "GET, HEAD, POST", "/oauth/callback": "GET, HEAD"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			h.page(w, http.StatusMethodNotAllowed, "Not here", "This address is only used by the GitHub sign-in. Type /github login in Rocket.Chat for a fresh link.")
		})
	}
	mux.HandleFunc("/", h.notFound)
	return accessLog(h.log(), mux)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.page(w, http.StatusNotFound, "Not found", "There is nothing here. Type /github help in Rocket.Chat to see what this service does.")
}

func (h *Handler) log() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}

func writeJSON(w http.ResponseWriter, status int, v any) {
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
