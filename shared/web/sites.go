package web

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// SiteTokens gives the webhook tokens of each Rocket.Chat server the service
// serves. config.LiveSites implements it.
type SiteTokens interface {
	// WebhookTokens returns the tokens accepted from the normalised site URL
	// (one, or two during a rotation), and false when the site is not configured.
	WebhookTokens(ctx context.Context, site string) ([]string, bool)
}

// webhookTokens returns the tokens a request claiming site may carry.
func (h *Handler) webhookTokens(ctx context.Context, site string) ([]string, bool) {
	return h.cfg.Sites.WebhookTokens(ctx, site)
}

// refuseUnknownSite answers a request from a Rocket.Chat server that is not
// configured: 403 (never 410, which disables the integration; Rocket.Chat
// shows its user nothing and retries a 403 six times over about three hours,
// so a retry succeeds if the site is added meanwhile), a warning naming the
// site so the admin sees which one to add, and a count.
func (h *Handler) refuseUnknownSite(w http.ResponseWriter, r *http.Request, site string) {
	site = rocketchat.Truncate(site, 200) // the caller's text
	annotate(r.Context(), slog.String("outcome", "unknown site"), slog.String("site", site))
	h.log().WarnContext(r.Context(), "webhook from a Rocket.Chat site that is not configured: add it to the sites to serve it", "site", site)
	if h.cfg.Metrics != nil {
		h.cfg.Metrics.Count(r.Context(), session.FailureUnknownSite)
	}
	writeJSON(w, http.StatusForbidden, map[string]string{"error": "this Rocket.Chat site is not configured in the service: ask its admin to add the site's URL and webhook token"})
}

// anyTokenMatches compares got with every token in constant time, so neither
// the match nor which token matched shows in the timing.
func anyTokenMatches(got string, tokens []string) bool {
	if got == "" {
		return false
	}
	match := 0
	for _, t := range tokens {
		if t != "" {
			match |= subtle.ConstantTimeCompare([]byte(got), []byte(t))
		}
	}
	return match == 1
}
