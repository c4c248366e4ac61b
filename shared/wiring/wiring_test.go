package wiring_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/config"
	"rcgithub/shared/emf"
	"rcgithub/shared/memstore"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/wiring"
)

const (
	site  = "https://chat.example.com"
	token = "wiring-webhook-token-0123456789"
)

func common() config.Common {
	return config.Common{PublicURL: "https://rcgithub.example.com", ClientID: "Iv1.wiring",
		TriggerWords: rocketchat.DefaultTriggerWords, SessionTTL: 7 * 24 * time.Hour}
}

func adapters(t *testing.T) wiring.Adapters {
	t.Helper()
	sealer, err := aesgcm.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return wiring.Adapters{Store: memstore.NewStore(), Scheduler: memstore.NewScheduler(nil), Sealer: sealer, Claims: memstore.NewClaims(nil)}
}

func TestAssembleRefusesAnIncompleteWiring(t *testing.T) {
	sites := config.FixedSites(config.SingleSite(token, "", site))
	noWords := common()
	noWords.TriggerWords = nil
	tests := []struct {
		name   string
		cfg    config.Common
		secret string
		sites  *config.LiveSites
		edit   func(*wiring.Adapters)
		want   string
	}{
		{name: "no store", cfg: common(), secret: "s", sites: sites, edit: func(a *wiring.Adapters) { a.Store = nil }, want: "a store, a scheduler and a sealer"},
		{name: "no sealer", cfg: common(), secret: "s", sites: sites, edit: func(a *wiring.Adapters) { a.Sealer = nil }, want: "a store, a scheduler and a sealer"},
		{name: "no sites", cfg: common(), secret: "s", want: "no Rocket.Chat sites"},
		{name: "no client secret", cfg: common(), sites: sites, want: "no GitHub client secret"},
		{name: "no trigger words", cfg: noWords, secret: "s", sites: sites, want: "no trigger words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := adapters(t)
			if tt.edit != nil {
				tt.edit(&a)
			}
			_, err := wiring.Assemble(tt.cfg, tt.secret, tt.sites, a, wiring.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one that says %q", err, tt.want)
			}
		})
	}
}

// The metrics are given at construction and reach both the domain and the
// edge: a webhook from a site that is not configured is counted.
func TestMetricsGivenAtConstructionCountAtTheEdge(t *testing.T) {
	var out bytes.Buffer
	metrics := &emf.Writer{Out: &out}
	app, err := wiring.Assemble(common(), "wiring-client-secret", config.FixedSites(config.SingleSite(token, "", site)),
		adapters(t), wiring.Options{Metrics: metrics, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if app.Service.Metrics != metrics {
		t.Fatal("the service does not count with the metrics given")
	}
	if string(app.Service.IDKey) != string(session.DeriveIDKey("wiring-client-secret")) {
		t.Fatal("the ID key is not derived from the client secret")
	}
	chat := &rocketchattest.Outgoing{Token: token, SiteURL: "https://stranger.example.com/"}
	body, err := json.Marshal(chat.Message(rocketchattest.User{ID: "u1", Name: "alice"}, "/github help"))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	app.Web.WebhookRoutes().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(out.String(), "unknown_site") {
		t.Fatalf("webhook from an unknown site: %d, metrics %q", rec.Code, out.String())
	}
}
