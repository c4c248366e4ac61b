package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"rcgithub/shared/config"
	"rcgithub/shared/memapp"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

const (
	siteA   = "https://a.chat.example.com"
	siteB   = "https://b.chat.example.com"
	tokenA  = "site-a-webhook-token-0123456789"
	tokenB  = "site-b-webhook-token-0123456789"
	tokenB2 = "site-b-webhook-token-rotated-99"
)

// sitesWorld is the fixture's service serving two Rocket.Chat sites, each
// with its own token and incoming webhook, from a sites file
// (ROCKETCHAT_SITES_FILE) the test edits, as an admin would.
type sitesWorld struct {
	*fixture
	metrics *countingMetrics
	logs    *bytes.Buffer
	chatA   *rocketchattest.Incoming
	chatB   *rocketchattest.Incoming
	file    string
}

func newSitesWorld(t *testing.T) *sitesWorld {
	t.Helper()
	w := &sitesWorld{metrics: &countingMetrics{}, logs: &bytes.Buffer{},
		chatA: rocketchattest.NewIncoming(), chatB: rocketchattest.NewIncoming(), file: filepath.Join(t.TempDir(), "sites.json")}
	t.Cleanup(w.chatA.Close)
	t.Cleanup(w.chatB.Close)
	w.writeSites(t, config.Sites{
		siteA: {WebhookTokens: []string{tokenA}, IncomingWebhookURL: w.chatA.URL()},
		siteB: {WebhookTokens: []string{tokenB}, IncomingWebhookURL: w.chatB.URL()},
	})
	w.fixture = newFixtureWith(t, map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": "", "ROCKETCHAT_SITES_FILE": w.file},
		memapp.Options{Metrics: w.metrics, Logger: slog.New(slog.NewJSONHandler(w.logs, nil))})
	return w
}

func (w *sitesWorld) writeSites(t *testing.T, s config.Sites) {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// setSites rewrites the sites file and moves the clock past the period after
// which the server reads it again.
func (w *sitesWorld) setSites(t *testing.T, s config.Sites) {
	t.Helper()
	w.writeSites(t, s)
	w.clock.Advance(config.LocalSitesRefresh)
}

// send posts a message as Rocket.Chat would and returns the status and the
// reply's text.
func (w *sitesWorld) send(t *testing.T, site, token, userID, text string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"token": token, "user_id": userID, "user_name": "alice",
		"message_id": "m-" + text + site + token + w.clock.Now().String(), "text": text, "siteUrl": site})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w.handler.ServeHTTP(rec, req)
	var reply struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &reply)
	return rec.Code, reply.Text
}

// login signs userID in at site, as the webhook and a browser would.
func (w *sitesWorld) login(t *testing.T, site, token, userID, ghLogin string) {
	t.Helper()
	code, text := w.send(t, site, token, userID, "/github login")
	if code != http.StatusOK {
		t.Fatalf("login at %s: %d %s", site, code, text)
	}
	i := strings.Index(text, "link=")
	if i < 0 {
		t.Fatalf("no login link in %q", text)
	}
	linkID := strings.Fields(text[i+len("link="):])[0]
	secret := randomCookie(t)
	authURL, err := w.service.Authorize(t.Context(), linkID, secret)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := w.gh.Authorize(authURL, ghLogin)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	if _, err := w.service.CompleteLogin(t.Context(), u.Query().Get("state"), u.Query().Get("code"), secret); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookAcceptsOnlyTheTokenOfTheClaimedSite(t *testing.T) {
	w := newSitesWorld(t)
	tests := []struct {
		name, site, token string
		want              int
	}{
		{"site A with its token", siteA, tokenA, http.StatusOK},
		{"site A, trailing slash and case", "HTTPS://A.Chat.Example.com/", tokenA, http.StatusOK},
		{"site B with its token", siteB, tokenB, http.StatusOK},
		{"site B with site A's token", siteB, tokenA, http.StatusUnauthorized},
		{"site A with site B's token", siteA, tokenB, http.StatusUnauthorized},
		{"site A without a token", siteA, "", http.StatusUnauthorized},
		{"site A with a token prefix", siteA, tokenA[:20], http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, text := w.send(t, tt.site, tt.token, "U1", "/github help"); code != tt.want {
				t.Fatalf("status %d (%q), want %d", code, text, tt.want)
			}
		})
	}
	if n := w.metrics.count("Failures", "Kind", "unknown_site"); n != 0 {
		t.Fatalf("configured sites counted as unknown %d times", n)
	}
}

func TestWebhookRefusesAndCountsAnUnknownSite(t *testing.T) {
	w := newSitesWorld(t)
	unknown := "https://new.chat.example.com/"
	code, _ := w.send(t, unknown, tokenA, "U1", "/github login")
	if code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", code)
	}
	if n := w.metrics.count("Failures", "Kind", "unknown_site"); n != 1 {
		t.Fatalf("unknown site counted %d times, want 1", n)
	}
	var warned bool
	for _, line := range strings.Split(strings.TrimSpace(w.logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == "WARN" && rec["site"] == "https://new.chat.example.com" {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("no warning naming the site:\n%s", w.logs)
	}
	if strings.Contains(w.logs.String(), tokenA) {
		t.Fatal("the token was logged")
	}
	if sessions, _ := w.store.takeWrites(); len(sessions) != 0 {
		t.Fatal("an unknown site's message stored a session")
	}

	// The admin adds the site: it is served after the next re-read.
	w.setSites(t, config.Sites{siteA: {WebhookTokens: []string{tokenA}}, "https://new.chat.example.com": {WebhookTokens: []string{tokenB}}})
	if code, text := w.send(t, unknown, tokenB, "U1", "/github help"); code != http.StatusOK {
		t.Fatalf("after adding the site: %d %q", code, text)
	}
	if code, _ := w.send(t, siteB, tokenB, "U1", "/github help"); code != http.StatusForbidden {
		t.Fatalf("a removed site: status %d, want 403", code)
	}
}

func TestWebhookTokenRotation(t *testing.T) {
	w := newSitesWorld(t)
	a := config.Site{WebhookTokens: []string{tokenA}}
	w.setSites(t, config.Sites{siteA: a, siteB: {WebhookTokens: []string{tokenB, tokenB2}}})
	for _, tok := range []string{tokenB, tokenB2} {
		if code, _ := w.send(t, siteB, tok, "U1", "/github help"); code != http.StatusOK {
			t.Fatalf("during the rotation, token %s...: status %d", tok[:14], code)
		}
	}
	w.setSites(t, config.Sites{siteA: a, siteB: {WebhookTokens: []string{tokenB2}}})
	if code, _ := w.send(t, siteB, tokenB, "U1", "/github help"); code != http.StatusUnauthorized {
		t.Fatalf("old token after the rotation: status %d, want 401", code)
	}
	if code, _ := w.send(t, siteB, tokenB2, "U1", "/github help"); code != http.StatusOK {
		t.Fatalf("new token after the rotation: status %d", code)
	}
}

// TestSessionsAndDirectMessagesStayOnTheirSite logs the same user id in on
// two sites: each site sees only its own session, and each login's direct
// message goes to the incoming webhook of its own site.
func TestSessionsAndDirectMessagesStayOnTheirSite(t *testing.T) {
	w := newSitesWorld(t)
	const user = "SameUserId0000001"
	w.login(t, siteA, tokenA, user, "gh-alice-a")
	if got := len(w.chatA.MessagesTo("@" + user)); got != 1 {
		t.Fatalf("site A's incoming webhook got %d messages after login at A, want 1", got)
	}
	if got := len(w.chatB.MessagesTo("@" + user)); got != 0 {
		t.Fatalf("site B's incoming webhook got %d messages after login at A, want 0", got)
	}
	if _, text := w.send(t, siteB, tokenB, user, "/github status"); !strings.Contains(text, "not logged in") {
		t.Fatalf("site B sees site A's session: %q", text)
	}
	if _, text := w.send(t, siteB, tokenB, user, "/github logout"); !strings.Contains(text, "not logged in") {
		t.Fatalf("logout at site B: %q", text)
	}
	if _, text := w.send(t, siteA, tokenA, user, "/github status"); !strings.Contains(text, "@gh-alice-a") {
		t.Fatalf("site A lost its session: %q", text)
	}

	w.login(t, siteB, tokenB, user, "gh-alice-b")
	if got := len(w.chatB.MessagesTo("@" + user)); got != 1 {
		t.Fatalf("site B's incoming webhook got %d messages after login at B, want 1", got)
	}
	if got := len(w.chatA.MessagesTo("@" + user)); got != 1 {
		t.Fatalf("site A's incoming webhook got %d messages in all, want 1", got)
	}
	for site, want := range map[string]string{siteA: "@gh-alice-a", siteB: "@gh-alice-b"} {
		tok := map[string]string{siteA: tokenA, siteB: tokenB}[site]
		if _, text := w.send(t, site, tok, user, "/github status"); !strings.Contains(text, want) {
			t.Fatalf("status at %s: %q, want %s", site, text, want)
		}
	}
}

// countingMetrics is a session.Metrics that counts in memory.
type countingMetrics struct {
	mu     sync.Mutex
	counts map[string]int
}

var _ session.Metrics = (*countingMetrics)(nil)

func (m *countingMetrics) Count(_ context.Context, metric session.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[string]int{}
	}
	m.counts[metric.Name+"/"+metric.Dimension+"/"+metric.Value]++
}

func (m *countingMetrics) count(metric, dimension, value string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[metric+"/"+dimension+"/"+value]
}
