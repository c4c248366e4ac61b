// Package config reads and validates the service's environment. Every mistake
// is reported on a line of its own that names the variable and what is wrong,
// so a misconfigured program stops at start instead of failing a user later.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// Common is what every entry point needs.
type Common struct {
	PublicURL    string   // PUBLIC_URL, no trailing slash
	ClientID     string   // GITHUB_CLIENT_ID
	GitHubURL    string   // GITHUB_URL
	GitHubAPIURL string   // GITHUB_API_URL
	Scopes       []string // GITHUB_SCOPES, comma or space separated
	// ExtraScopes are the scopes users may add to a login ("/github login
	// repo"): GITHUB_EXTRA_SCOPES, comma or space separated, each one of
	// GitHub's OAuth scopes; default public_repo,repo; "none" allows none.
	ExtraScopes  []string
	TriggerWords []string // ROCKETCHAT_TRIGGER_WORDS, comma separated
	SessionTTL   time.Duration
}

// Secrets are kept out of logs: String redacts them.
type Secrets struct {
	ClientSecret       string // GITHUB_CLIENT_SECRET
	WebhookToken       string // ROCKETCHAT_WEBHOOK_TOKEN
	IncomingWebhookURL string // ROCKETCHAT_INCOMING_WEBHOOK_URL, optional
	SiteURL            string // ROCKETCHAT_SITE_URL, optional: pins the single site
	EventsSecret       string // EVENTS_SECRET, with EventsURL: signs the events' HTTP callback
	// Sites, when set, replaces the three fields above: a table of several
	// Rocket.Chat servers (ROCKETCHAT_SITES_FILE, or "sites" in the AWS secret).
	// Keys may be unnormalised here; CheckSecrets and LoadLocal normalise them.
	Sites map[string]Site
}

func (Secrets) String() string { return "config.Secrets{redacted}" }

// Local is the configuration of the one-machine server.
type Local struct {
	Common
	Secrets
	Sandbox    bool   // GITHUB_SANDBOX
	ListenAddr string // LISTEN_ADDR
	DataDir    string // DATA_DIR
	// SitesFile is ROCKETCHAT_SITES_FILE, empty in single-site mode. The
	// server re-reads it while running (ReadSitesFile).
	SitesFile string
	// SiteTable is the sites the server accepts, as read at start: from
	// SitesFile, or the single site of ROCKETCHAT_WEBHOOK_TOKEN.
	SiteTable Sites
	EventsURL string // EVENTS_URL, optional: where domain events are POSTed (signed)
}

// AWS is the configuration of the Lambda functions. Secrets come from Secrets
// Manager (SECRETS_ARN), never from the environment.
type AWS struct {
	Common
	TokensTable       string // TOKENS_TABLE
	ScheduleGroup     string // SCHEDULE_GROUP
	LogoutFunctionARN string // LOGOUT_FUNCTION_ARN
	SchedulerRoleARN  string // SCHEDULER_ROLE_ARN
	LogoutDLQARN      string // LOGOUT_DLQ_ARN
	TokenKMSKeyID     string // TOKEN_KMS_KEY_ID
	SecretsARN        string // SECRETS_ARN
	EventBusName      string // EVENT_BUS_NAME, optional: the domain events' EventBridge bus
	CommandsQueueURL  string // COMMANDS_QUEUE_URL, optional: where slow commands are finished
}

// problems collects one line per mistake.
type problems []string

func (p *problems) add(name, format string, args ...any) {
	*p = append(*p, name+": "+fmt.Sprintf(format, args...))
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New("invalid configuration:\n  " + strings.Join(p, "\n  "))
}

// LoadLocal reads the local server's configuration from getenv (os.Getenv).
func LoadLocal(getenv func(string) string) (Local, error) {
	var p problems
	c := Local{
		ListenAddr: orDefault(getenv("LISTEN_ADDR"), DefaultListenAddr),
		DataDir:    orDefault(getenv("DATA_DIR"), "data"),
		Secrets: Secrets{
			ClientSecret:       getenv("GITHUB_CLIENT_SECRET"),
			WebhookToken:       getenv("ROCKETCHAT_WEBHOOK_TOKEN"),
			IncomingWebhookURL: getenv("ROCKETCHAT_INCOMING_WEBHOOK_URL"),
			SiteURL:            strings.TrimSpace(getenv("ROCKETCHAT_SITE_URL")),
		},
		SitesFile: strings.TrimSpace(getenv("ROCKETCHAT_SITES_FILE")),
	}
	c.Sandbox = parseBool(&p, "GITHUB_SANDBOX", getenv("GITHUB_SANDBOX"))
	listenOK := checkListenAddr(&p, c.ListenAddr)
	c.Common = loadCommon(&p, getenv, defaultPublicURL(c.ListenAddr, listenOK))
	if listenOK && c.PublicURL == "" {
		p.add("PUBLIC_URL", "required when LISTEN_ADDR (%s) is not a loopback address: the https URL browsers reach the service at, through the reverse proxy", quoteShort(c.ListenAddr))
	}
	if c.Sandbox {
		checkSandbox(&p, getenv, c)
		if c.ClientID == "" {
			c.ClientID = "sandbox-client-id"
		}
		if c.ClientSecret == "" {
			c.ClientSecret = "sandbox-client-secret"
		}
	} else {
		if c.ClientID == "" {
			p.add("GITHUB_CLIENT_ID", "required: the OAuth App's client id (or set GITHUB_SANDBOX=true to try the service without GitHub)")
		}
		if c.ClientSecret == "" {
			p.add("GITHUB_CLIENT_SECRET", "required: the OAuth App's client secret (or set GITHUB_SANDBOX=true)")
		}
	}
	if c.SitesFile != "" {
		for _, name := range []string{"ROCKETCHAT_WEBHOOK_TOKEN", "ROCKETCHAT_INCOMING_WEBHOOK_URL", "ROCKETCHAT_SITE_URL"} {
			if getenv(name) != "" {
				p.add(name, "must be unset when ROCKETCHAT_SITES_FILE is set: put the site's token and incoming webhook into the file")
			}
		}
		if content, err := os.ReadFile(c.SitesFile); err != nil {
			p.add("ROCKETCHAT_SITES_FILE", "cannot read %s: %v", c.SitesFile, errors.Unwrap(err))
		} else {
			c.SiteTable = parseSites(&p, "ROCKETCHAT_SITES_FILE", content)
		}
	} else {
		c.SiteTable = checkSecrets(&p, c.Secrets)
	}
	if c.DataDir == "" {
		p.add("DATA_DIR", "must not be empty")
	}
	c.EventsURL, c.EventsSecret = loadEventsCallback(&p, getenv)
	return c, p.err()
}

// checkSandbox keeps the sandbox on this machine: it lets anyone sign in as
// any GitHub user, so it must never be reachable from elsewhere nor mistaken
// for a deployment with a real GitHub app.
func checkSandbox(p *problems, getenv func(string) string, c Local) {
	for _, name := range []string{"GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"} {
		if getenv(name) != "" {
			p.add(name, "must be unset with GITHUB_SANDBOX=true: the sandbox plays GitHub with a made-up app (unset GITHUB_SANDBOX to use your real GitHub app)")
		}
	}
	// A LISTEN_ADDR that is not host:port has its own line (checkListenAddr).
	if host, _, err := net.SplitHostPort(c.ListenAddr); err == nil && !isLoopbackHost(host) {
		p.add("LISTEN_ADDR", "%s is not a loopback address: with GITHUB_SANDBOX=true anyone who reaches the server signs in as any GitHub user, so it listens on this machine only (e.g. 127.0.0.1:8080)", quoteShort(c.ListenAddr))
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Scheme == "https" {
		p.add("PUBLIC_URL", "%s is https: GITHUB_SANDBOX=true is for trying the service on this machine (http://127.0.0.1:8080), never for a deployment", quoteShort(c.PublicURL))
	}
}

// isLoopbackHost reports whether host (without port or brackets) names this
// machine: localhost or a loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cleartextProblem says why raw, an http(s) URL, may not be used: "" when it
// is https, or http to a loopback host (the sandbox, tests, a stand-in on this
// machine). Anywhere else http would carry codes, tokens or webhook tokens in
// clear across the network.
func cleartextProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || isLoopbackHost(u.Hostname()) {
		return ""
	}
	return "must be https (http is accepted only for a loopback host such as 127.0.0.1): over http, tokens would cross the network in clear"
}

// LoadAWS reads a Lambda function's configuration from getenv.
func LoadAWS(getenv func(string) string) (AWS, error) {
	var p problems
	c := AWS{
		TokensTable:       getenv("TOKENS_TABLE"),
		ScheduleGroup:     getenv("SCHEDULE_GROUP"),
		LogoutFunctionARN: getenv("LOGOUT_FUNCTION_ARN"),
		SchedulerRoleARN:  getenv("SCHEDULER_ROLE_ARN"),
		LogoutDLQARN:      getenv("LOGOUT_DLQ_ARN"),
		TokenKMSKeyID:     getenv("TOKEN_KMS_KEY_ID"),
		SecretsARN:        getenv("SECRETS_ARN"),
	}
	c.Common = loadCommon(&p, getenv, "")
	c.EventBusName = loadEventBus(&p, getenv)
	c.CommandsQueueURL = loadCommandsQueue(&p, getenv)
	if c.ClientID == "" {
		p.add("GITHUB_CLIENT_ID", "required: the OAuth App's client id")
	}
	required := []struct{ name, value, what string }{
		{"PUBLIC_URL", c.PublicURL, "the API's public URL"},
		{"TOKENS_TABLE", c.TokensTable, "the DynamoDB table name"},
		{"SCHEDULE_GROUP", c.ScheduleGroup, "the EventBridge Scheduler group name"},
		{"LOGOUT_FUNCTION_ARN", c.LogoutFunctionARN, "the token-deletion function's ARN"},
		{"SCHEDULER_ROLE_ARN", c.SchedulerRoleARN, "the role EventBridge Scheduler assumes"},
		{"LOGOUT_DLQ_ARN", c.LogoutDLQARN, "the schedules' dead-letter queue ARN"},
		{"TOKEN_KMS_KEY_ID", c.TokenKMSKeyID, "the KMS key that encrypts tokens"},
		{"SECRETS_ARN", c.SecretsARN, "the Secrets Manager secret with the client secret and webhook token"},
	}
	for _, r := range required {
		if r.value == "" {
			p.add(r.name, "required: %s", r.what)
		}
	}
	for _, name := range []string{"LOGOUT_FUNCTION_ARN", "SCHEDULER_ROLE_ARN", "LOGOUT_DLQ_ARN", "SECRETS_ARN"} {
		if v := getenv(name); v != "" && !strings.HasPrefix(v, "arn:") {
			p.add(name, "%q is not an ARN (arn:...)", v)
		}
	}
	return c, p.err()
}

// ReadSitesFile reads and validates a sites file (ROCKETCHAT_SITES_FILE),
// for the server to pick up sites and tokens added while it runs.
func ReadSitesFile(path string) (Sites, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ROCKETCHAT_SITES_FILE: %w", err)
	}
	return ParseSites("ROCKETCHAT_SITES_FILE", content)
}

// CheckSecrets validates secrets read after start (from Secrets Manager) and
// returns the sites they configure: s.Sites, or the single site.
func CheckSecrets(s Secrets) (Sites, error) {
	var p problems
	if s.ClientSecret == "" {
		p.add("github_client_secret", "required in the secret")
	}
	var sites Sites
	if s.Sites != nil {
		for _, f := range []struct{ name, value string }{{"rocketchat_webhook_token", s.WebhookToken},
			{"rocketchat_incoming_webhook_url", s.IncomingWebhookURL}, {"rocketchat_site_url", s.SiteURL}} {
			if f.value != "" {
				p.add(f.name, "must be absent when the secret has \"sites\": put the site's token and incoming webhook into sites")
			}
		}
		sites = checkSites(&p, "sites", s.Sites)
	} else {
		sites = checkSecrets(&p, s)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return sites, nil
}

// checkSecrets validates the single-site mode and returns its table.
func checkSecrets(p *problems, s Secrets) Sites {
	switch {
	case s.WebhookToken == "":
		p.add("ROCKETCHAT_WEBHOOK_TOKEN", "required: the Token of the Rocket.Chat outgoing webhook")
	case len(s.WebhookToken) < 16:
		p.add("ROCKETCHAT_WEBHOOK_TOKEN", "too short (%d characters): use at least 16 random characters", len(s.WebhookToken))
	}
	if s.IncomingWebhookURL != "" {
		if u, err := url.Parse(s.IncomingWebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.add("ROCKETCHAT_INCOMING_WEBHOOK_URL", "not an http(s) URL (expected https://chat.example.com/hooks/<id>/<token>)")
		} else if why := cleartextProblem(s.IncomingWebhookURL); why != "" {
			// Never quoted: the URL holds the incoming webhook's token.
			p.add("ROCKETCHAT_INCOMING_WEBHOOK_URL", "%s", why)
		}
	}
	if s.SiteURL != "" && !isSiteURL(s.SiteURL) {
		p.add("ROCKETCHAT_SITE_URL", "%s is not a site URL (expected https://chat.example.com, Rocket.Chat's Site URL)", quoteShort(s.SiteURL))
	}
	return SingleSite(s.WebhookToken, s.IncomingWebhookURL, s.SiteURL)
}

func loadCommon(p *problems, getenv func(string) string, defaultPublic string) Common {
	c := Common{
		PublicURL:    strings.TrimRight(orDefault(getenv("PUBLIC_URL"), defaultPublic), "/"),
		ClientID:     strings.TrimSpace(getenv("GITHUB_CLIENT_ID")),
		GitHubURL:    strings.TrimRight(orDefault(getenv("GITHUB_URL"), "https://github.com"), "/"),
		GitHubAPIURL: strings.TrimRight(orDefault(getenv("GITHUB_API_URL"), "https://api.github.com"), "/"),
		Scopes:       splitList(orDefault(getenv("GITHUB_SCOPES"), "read:user"), ", "),
		TriggerWords: rocketchat.DefaultTriggerWords,
		SessionTTL:   7 * 24 * time.Hour,
	}
	c.ExtraScopes = loadExtraScopes(p, getenv("GITHUB_EXTRA_SCOPES"))
	if v := getenv("ROCKETCHAT_TRIGGER_WORDS"); v != "" {
		c.TriggerWords = splitList(v, ",")
		for _, w := range c.TriggerWords {
			if strings.ContainsAny(w, " \t") {
				p.add("ROCKETCHAT_TRIGGER_WORDS", "%q contains a space: trigger words are single words", w)
			}
		}
		if len(c.TriggerWords) == 0 {
			p.add("ROCKETCHAT_TRIGGER_WORDS", "lists no word (expected e.g. /github,/gh,!github)")
		}
	}
	if v := getenv("SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			p.add("SESSION_TTL", "%q is not a Go duration (expected e.g. 168h)", v)
		case d < 5*time.Minute || d > 365*24*time.Hour:
			p.add("SESSION_TTL", "%s is out of range (5m to 8760h)", d)
		default:
			c.SessionTTL = d
		}
	}
	for _, u := range []struct{ name, value string }{{"PUBLIC_URL", c.PublicURL}, {"GITHUB_URL", c.GitHubURL}, {"GITHUB_API_URL", c.GitHubAPIURL}} {
		if u.value == "" {
			continue
		}
		parsed, err := url.Parse(u.value)
		if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" || parsed.RawQuery != "" {
			p.add(u.name, "%q is not an http(s) URL", u.value)
		} else if u.name == "PUBLIC_URL" && parsed.Path != "" {
			// The routes (/rocketchat/webhook, /oauth/...) live at the root.
			p.add(u.name, "%q has a path: the service must be served at the root of its host", u.value)
		} else if why := cleartextProblem(u.value); why != "" {
			p.add(u.name, "%q %s", u.value, why)
		}
	}
	return c
}

// DefaultExtraScopes are the scopes users may add to a login unless
// GITHUB_EXTRA_SCOPES says otherwise: public_repo to act on public
// repositories (open an issue), repo to see and act on private ones too.
const DefaultExtraScopes = "public_repo,repo"

// loadExtraScopes reads GITHUB_EXTRA_SCOPES, refusing a name that is not one
// of GitHub's OAuth scopes: a typo would send users to a consent page GitHub
// refuses, or grant nothing they expect.
func loadExtraScopes(p *problems, v string) []string {
	v = orDefault(v, DefaultExtraScopes)
	if strings.EqualFold(v, "none") {
		return nil
	}
	var scopes []string
	for _, s := range splitList(v, ", ") {
		if !session.IsKnownScope(s) {
			p.add("GITHUB_EXTRA_SCOPES", "%s is not a GitHub OAuth scope (expected names such as public_repo, repo, read:org; or none)", quoteShort(s))
			continue
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return scopes
}

func parseBool(p *problems, name, v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no":
		return false
	case "1", "true", "yes":
		return true
	}
	p.add(name, "%q is not true or false", v)
	return false
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

func splitList(v, seps string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
