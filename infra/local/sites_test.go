package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"rcgithub/shared/config"
	"rcgithub/shared/rocketchattest"
)

// TestSitesFileIsReReadWhileRunning runs the server with ROCKETCHAT_SITES_FILE
// and edits the file: a site added, then its token rotated, take effect after
// the refresh period, without a restart.
func TestSitesFileIsReReadWhileRunning(t *testing.T) {
	const other = "https://other.chat.example.com"
	const oldToken, newToken = "other-site-token-0123456789", "other-site-token-rotated-999"
	path := filepath.Join(t.TempDir(), "sites.json")
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ours := fmt.Sprintf(`%q: {"webhook_tokens": [%q]}`, site, webhookToken)
	write("{" + ours + "}")
	e := newEnv(t, func(vars map[string]string) {
		delete(vars, "ROCKETCHAT_WEBHOOK_TOKEN")
		delete(vars, "ROCKETCHAT_INCOMING_WEBHOOK_URL")
		vars["ROCKETCHAT_SITES_FILE"] = path
	})
	alice := rocketchattest.User{ID: "AliceId0000000001", Name: "alice"}
	send := func(siteURL, token string) int {
		t.Helper()
		rc := &rocketchattest.Outgoing{URL: e.url + "/rocketchat/webhook", Token: token, SiteURL: siteURL}
		d, err := rc.Send(t.Context(), rc.Message(alice, "/github help"))
		if err != nil {
			t.Fatal(err)
		}
		return d.Status
	}

	if got := send(site, webhookToken); got != http.StatusOK {
		t.Fatalf("configured site: status %d", got)
	}
	if got := send(other, oldToken); got != http.StatusForbidden {
		t.Fatalf("unconfigured site: status %d, want 403", got)
	}
	write(fmt.Sprintf(`{%s, %q: {"webhook_tokens": [%q, %q]}}`, ours, other, oldToken, newToken))
	e.clock.Advance(config.LocalSitesRefresh)
	for _, tok := range []string{oldToken, newToken} {
		if got := send(other, tok); got != http.StatusOK {
			t.Fatalf("added site during the rotation: status %d", got)
		}
	}
	write(fmt.Sprintf(`{%s, %q: {"webhook_tokens": [%q]}}`, ours, other, newToken))
	e.clock.Advance(config.LocalSitesRefresh)
	if got := send(other, oldToken); got != http.StatusUnauthorized {
		t.Fatalf("old token after the rotation: status %d, want 401", got)
	}
	if got := send(other, newToken); got != http.StatusOK {
		t.Fatalf("new token after the rotation: status %d", got)
	}
}
