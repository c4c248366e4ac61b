package localapp_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"rcgithub/shared/config"
	"rcgithub/shared/emf"
	"rcgithub/shared/localapp"
	"rcgithub/shared/rocketchattest"
)

const token = "localapp-webhook-token-0123456789"

func newApp(t *testing.T, metrics *emf.Writer) *localapp.App {
	t.Helper()
	env := map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": token,
		"ROCKETCHAT_SITE_URL": "https://chat.example.com", "DATA_DIR": filepath.Join(t.TempDir(), "data")}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := localapp.New(cfg, localapp.Options{Logger: slog.New(slog.DiscardHandler), Metrics: metrics})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// In sandbox mode the stand-in GitHub is served under SandboxPath with the
// service's security headers, its inline style allowed by its hash.
func TestSandboxIsMountedWithPageSecurity(t *testing.T) {
	a := newApp(t, nil)
	if a.Sandbox == nil {
		t.Fatal("no sandbox in sandbox mode")
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, localapp.SandboxPath+"/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if rec.Code != http.StatusOK || !strings.Contains(csp, "'sha256-") || !strings.Contains(rec.Body.String(), "<style>") {
		t.Fatalf("sandbox home: %d, CSP %q", rec.Code, csp)
	}
}

// The metrics `make run` gives at construction count at the edge too.
func TestMetricsGivenAtConstruction(t *testing.T) {
	var out bytes.Buffer
	a := newApp(t, &emf.Writer{Out: &out})
	chat := &rocketchattest.Outgoing{Token: token, SiteURL: "https://stranger.example.com/"}
	body, err := json.Marshal(chat.Message(rocketchattest.User{ID: "u1", Name: "alice"}, "/github help"))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(out.String(), "unknown_site") {
		t.Fatalf("webhook from an unknown site: %d, metrics %q", rec.Code, out.String())
	}
}
