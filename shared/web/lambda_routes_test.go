package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"rcgithub/shared/config"
	"rcgithub/shared/memapp"
)

// Each Lambda serves only its own routes (template.yaml sends each path to
// one function): a request for the other function's path is 404 there, the
// same answer as any unknown path, while Routes (the local server) serves all.
func TestEachLambdaServesOnlyItsRoutes(t *testing.T) {
	env := map[string]string{"PUBLIC_URL": "https://rcgithub.example.com", "GITHUB_CLIENT_ID": "Iv1.routes",
		"GITHUB_CLIENT_SECRET": "routes-client-secret", "ROCKETCHAT_WEBHOOK_TOKEN": "routes-webhook-token-0123456789",
		"DATA_DIR": t.TempDir()}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, err := memapp.New(cfg, memapp.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	webhook := []struct{ method, target string }{
		{"POST", "/rocketchat/webhook"},
		{"GET", "/rocketchat/webhook"},
	}
	oauth := []struct{ method, target string }{
		{"GET", "/oauth/start?link=x"},
		{"POST", "/oauth/start"},
		{"GET", "/oauth/callback"},
		{"PUT", "/oauth/callback"},
	}
	status := func(h http.Handler, method, target string) int {
		var body *strings.Reader
		if method == "POST" {
			body = strings.NewReader(`{}`)
		} else {
			body = strings.NewReader("")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, body))
		return rec.Code
	}
	tests := []struct {
		name       string
		routes     http.Handler
		own, other []struct{ method, target string }
	}{
		{"webhook function", app.Web.WebhookRoutes(), webhook, oauth},
		{"OAuth function", app.Web.OAuthRoutes(), oauth, webhook},
		{"local server", app.Web.Routes(), append(webhook, oauth...), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range tt.own {
				if got := status(tt.routes, r.method, r.target); got == http.StatusNotFound {
					t.Errorf("%s %s = 404, want it served", r.method, r.target)
				}
			}
			for _, r := range tt.other {
				if got := status(tt.routes, r.method, r.target); got != http.StatusNotFound {
					t.Errorf("%s %s = %d, want 404: another function's route", r.method, r.target, got)
				}
			}
			if got := status(tt.routes, "GET", "/nowhere"); got != http.StatusNotFound {
				t.Errorf("GET /nowhere = %d, want 404", got)
			}
		})
	}
}
