package config

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"rcgithub/shared/session"
)

// Site is what the service knows about one Rocket.Chat server.
type Site struct {
	// WebhookTokens are the Token fields accepted from the server's outgoing
	// webhook: one, or two while a token is being rotated.
	WebhookTokens []string `json:"webhook_tokens"`
	// IncomingWebhookURL is optional: without it the service sends the
	// server's users no direct messages outside of webhook answers.
	IncomingWebhookURL string `json:"incoming_webhook_url,omitempty"`
}

// Sites maps a normalised site URL (session.NormalizeSite) to its Site.
// String redacts every token and URL.
type Sites map[string]Site

// AnySite is the key of the single-site mode (ROCKETCHAT_WEBHOOK_TOKEN without
// ROCKETCHAT_SITE_URL): its Site serves whatever siteUrl a request claims, as
// the service did before it knew several servers.
const AnySite = "*"

// Lookup returns the Site of the normalised site URL, or the AnySite entry.
func (s Sites) Lookup(site string) (Site, bool) {
	if v, ok := s[site]; ok {
		return v, true
	}
	v, ok := s[AnySite]
	return v, ok
}

// String names the sites, never their tokens or incoming webhook URLs.
func (s Sites) String() string {
	names := make([]string, 0, len(s))
	for name := range s {
		names = append(names, name)
	}
	sort.Strings(names)
	return "config.Sites[" + strings.Join(names, " ") + "]"
}

// GoString keeps %#v from printing the secrets.
func (s Sites) GoString() string { return s.String() }

// SingleSite is the table of the single-site mode: one token and incoming
// webhook, for the site siteURL, or for any site when siteURL is empty.
func SingleSite(token, incomingWebhookURL, siteURL string) Sites {
	key := AnySite
	if siteURL != "" {
		key = session.NormalizeSite(siteURL)
	}
	return Sites{key: {WebhookTokens: []string{token}, IncomingWebhookURL: incomingWebhookURL}}
}

// ParseSites decodes a sites table in JSON, as in ROCKETCHAT_SITES_FILE or the
// "sites" key of the AWS secret, and validates it. The error has one line per
// mistake, each naming where and the site; it never quotes a token.
func ParseSites(where string, content []byte) (Sites, error) {
	var p problems
	sites := parseSites(&p, where, content)
	if err := p.err(); err != nil {
		return nil, err
	}
	return sites, nil
}

func parseSites(p *problems, where string, content []byte) Sites {
	var raw map[string]Site
	if err := json.Unmarshal(content, &raw); err != nil {
		// encoding/json can quote the input, which holds tokens: a fixed message.
		p.add(where, `not a JSON object of sites (expected {"https://chat.example.com": {"webhook_tokens": ["..."], "incoming_webhook_url": "..."}})`)
		return nil
	}
	return checkSites(p, where, raw)
}

// checkSites validates raw and returns it keyed by normalised site URL.
func checkSites(p *problems, where string, raw map[string]Site) Sites {
	if len(raw) == 0 {
		p.add(where, "lists no site")
		return nil
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names) // the same mistakes in the same order every time
	sites := make(Sites, len(raw))
	for _, name := range names {
		site := raw[name]
		label := where + ": site " + quoteShort(name)
		if !isSiteURL(name) {
			p.add(label, "is not a site URL (expected https://chat.example.com, Rocket.Chat's Site URL)")
			continue
		}
		key := session.NormalizeSite(name)
		if _, dup := sites[key]; dup {
			p.add(label, "is listed twice (site URLs are compared without case and trailing slash)")
			continue
		}
		if len(site.WebhookTokens) == 0 {
			p.add(label, "webhook_tokens: required: the Token of the site's outgoing webhook (two while rotating it)")
		}
		for i, tok := range site.WebhookTokens {
			if len(tok) < 16 {
				p.add(label, "webhook_tokens[%d]: too short (%d characters): use at least 16 random characters", i, len(tok))
			}
		}
		if site.IncomingWebhookURL != "" && !isHTTPURL(site.IncomingWebhookURL) {
			p.add(label, "incoming_webhook_url: not an http(s) URL (expected https://chat.example.com/hooks/<id>/<token>)")
		} else if why := cleartextProblem(site.IncomingWebhookURL); why != "" {
			p.add(label, "incoming_webhook_url: %s", why)
		}
		sites[key] = site
	}
	return sites
}

func isSiteURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// quoteShort quotes a site name for an error, cut to 100 bytes.
func quoteShort(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return strconv.Quote(s)
}
