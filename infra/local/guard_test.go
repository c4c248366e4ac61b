package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/bolt"
	"rcgithub/shared/config"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session"
)

// sandbox turns newEnv's server into `make run`'s sandbox: no GitHub app.
func sandbox(vars map[string]string) {
	vars["GITHUB_SANDBOX"] = "true"
	for _, name := range []string{"GITHUB_URL", "GITHUB_API_URL", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"} {
		delete(vars, name)
	}
}

// The sandbox's pages carry the service's security headers, and its own
// inline style is allowed by hash (the browser walk-through shows it applies).
func TestSandboxPagesCarrySecurityHeaders(t *testing.T) {
	e := newEnv(t, sandbox)
	for _, path := range []string{"/sandbox/github/",
		"/sandbox/github/login/oauth/authorize?client_id=sandbox-client-id&state=s&code_challenge=" + strings.Repeat("a", 43) + "&code_challenge_method=S256",
		"/sandbox/github/login/oauth/authorize?client_id=unknown"} {
		resp, err := http.Get(e.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "form-action 'self'") || !strings.Contains(csp, "base-uri 'none'") {
			t.Fatalf("%s: headers %v", path, h)
		}
		m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no style block in %s", path, body)
		}
		sum := sha256.Sum256(m[1])
		if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("%s: CSP %q does not allow exactly the page's own style", path, csp)
		}
	}
}

// An existing data directory or data file others can use stops the server,
// with one line saying how to fix it.
func TestDataOpenToOthersIsRefused(t *testing.T) {
	load := func(dir string) config.Local {
		cfg, err := config.LoadLocal(func(k string) string {
			return map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": webhookToken, "DATA_DIR": dir}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name    string
		prepare func(dir string) // dir starts as a server left it
		want    string
	}{
		{"directory readable by others", func(dir string) { os.Chmod(dir, 0o755) }, "run: chmod 700 " + "DIR"},
		{"directory usable by group", func(dir string) { os.Chmod(dir, 0o770) }, "run: chmod 700 " + "DIR"},
		{"data file readable by group", func(dir string) { os.Chmod(filepath.Join(dir, "sessions.db"), 0o640) }, "run: chmod 600 DIR/sessions.db"},
		{"data file readable by all", func(dir string) { os.Chmod(filepath.Join(dir, "sessions.db"), 0o644) }, "run: chmod 600 DIR/sessions.db"},
		{"key file readable by all", func(dir string) { os.Chmod(filepath.Join(dir, "token.key"), 0o644) }, "run: chmod 600 DIR/token.key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			a, err := localapp.New(load(dir), localapp.Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			a.Close()
			tt.prepare(dir)
			a, err = localapp.New(load(dir), localapp.Options{Logger: logger})
			if err == nil {
				a.Close()
				t.Fatal("the server started")
			}
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if !strings.HasSuffix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q, want one line ending %q", err, want)
			}
		})
	}
}

// A token sealed in the old, unversioned format opens once, at start, and is
// stored again in the current format.
func TestOldFormatTokenIsResealedAtStart(t *testing.T) {
	ctx := context.Background()
	dir := privateDir(t)
	if _, err := aesgcm.LoadOrCreateKey(filepath.Join(dir, "token.key")); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(dir, "token.key"))
	if err != nil {
		t.Fatal(err)
	}
	k := session.Key{Site: site, UserID: alice.ID}
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	legacy := aead.Seal(nonce, nonce, []byte("gho_sealed_long_ago"), []byte(k.Site+"\x00"+k.UserID))
	db, err := bolt.Open(filepath.Join(dir, "sessions.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	if err := db.PutSession(ctx, session.Session{Key: k, UserName: alice.Name, GitHubLogin: "octocat", GitHubID: 1,
		SealedToken: legacy, Started: start, Ends: start.Add(7 * 24 * time.Hour), Generation: 1}, 0); err != nil {
		t.Fatal(err)
	}
	db.Close()

	e := newEnv(t, func(vars map[string]string) { vars["DATA_DIR"] = dir })
	s, token := e.liveToken(t, alice)
	if token != "gho_sealed_long_ago" {
		t.Fatalf("token after restart %q", token)
	}
	if s.SealedToken[0] != 1 || string(s.SealedToken) == string(legacy) {
		t.Fatal("the stored token is still in the old format")
	}
	if !strings.Contains(e.logs.String(), "resealed tokens stored in the old format") {
		t.Fatalf("the conversion is not logged:\n%s", e.logs.String())
	}
}
