package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	tokA = "site-a-token-0123456789"
	tokB = "site-b-token-0123456789"
)

func TestParseSites(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    Sites
		wantErr []string // one substring per expected line
	}{
		{name: "two sites, normalised",
			content: `{"https://Chat.Example.com/": {"webhook_tokens": ["` + tokA + `", "` + tokB + `"], "incoming_webhook_url": "https://chat.example.com/hooks/a/b"},
			           "http://other.example.org": {"webhook_tokens": ["` + tokB + `"]}}`,
			want: Sites{
				"https://chat.example.com": {WebhookTokens: []string{tokA, tokB}, IncomingWebhookURL: "https://chat.example.com/hooks/a/b"},
				"http://other.example.org": {WebhookTokens: []string{tokB}},
			}},
		{name: "incoming webhook over http: only to a loopback host",
			content: `{"https://a.example.com": {"webhook_tokens": ["` + tokA + `"], "incoming_webhook_url": "http://chat.example.com/hooks/a/b"},
			           "https://b.example.com": {"webhook_tokens": ["` + tokA + `"], "incoming_webhook_url": "http://127.0.0.1:3000/hooks/a/b"}}`,
			wantErr: []string{`site "https://a.example.com": incoming_webhook_url: must be https`}},
		{name: "not JSON", content: `{"https://chat.example.com": "` + tokA + `"}`, wantErr: []string{"not a JSON object of sites"}},
		{name: "empty", content: `{}`, wantErr: []string{"lists no site"}},
		{name: "one line per mistake, naming the site",
			content: `{"chat.example.com": {"webhook_tokens": ["` + tokA + `"]},
			           "https://a.example.com": {"webhook_tokens": []},
			           "https://b.example.com": {"webhook_tokens": ["short", "` + tokA + `"], "incoming_webhook_url": "ftp://x"},
			           "https://c.example.com": {"webhook_tokens": ["` + tokA + `"]},
			           "https://C.example.com/": {"webhook_tokens": ["` + tokA + `"]},
			           "https://d.example.com?x=1": {"webhook_tokens": ["` + tokA + `"]}}`,
			wantErr: []string{
				`site "chat.example.com": is not a site URL`,
				`site "https://a.example.com": webhook_tokens: required`,
				`site "https://b.example.com": webhook_tokens[0]: too short (5 characters)`,
				`site "https://b.example.com": incoming_webhook_url: not an http(s) URL`,
				`is listed twice`,
				`site "https://d.example.com?x=1": is not a site URL`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSites("ROCKETCHAT_SITES_FILE", []byte(tt.content))
			if tt.wantErr == nil {
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("ParseSites = %#v, %v; want %#v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")[1:]
			if len(lines) != len(tt.wantErr) {
				t.Fatalf("got %d problem lines, want %d:\n%v", len(lines), len(tt.wantErr), err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, line := range lines {
				if !strings.Contains(line, "ROCKETCHAT_SITES_FILE") {
					t.Errorf("line does not name the variable: %s", line)
				}
			}
			if strings.Contains(err.Error(), tokA) || strings.Contains(err.Error(), `"short"`) {
				t.Errorf("error shows a token:\n%v", err)
			}
		})
	}
}

func TestSitesRedact(t *testing.T) {
	s := Sites{"https://chat.example.com": {WebhookTokens: []string{tokA}, IncomingWebhookURL: "https://chat.example.com/hooks/secret"}}
	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		out := fmt.Sprintf(format, s)
		if strings.Contains(out, tokA) || strings.Contains(out, "hooks") || !strings.Contains(out, "https://chat.example.com") {
			t.Errorf("%s = %s", format, out)
		}
	}
}

func TestLoadLocalSites(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "sites.json")
	writeFile(t, good, `{"https://chat.example.com/": {"webhook_tokens": ["`+tokA+`"]}}`)
	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"https://chat.example.com": {"webhook_tokens": ["short"]}}`)
	base := map[string]string{"GITHUB_SANDBOX": "true"}
	with := func(kv ...string) map[string]string { return envWith(base, kv...) }
	tests := []struct {
		name    string
		env     map[string]string
		want    Sites
		wantErr []string
	}{
		{name: "sites file", env: with("ROCKETCHAT_SITES_FILE", good),
			want: Sites{"https://chat.example.com": {WebhookTokens: []string{tokA}}}},
		{name: "single site, any site", env: with("ROCKETCHAT_WEBHOOK_TOKEN", tokA),
			want: Sites{AnySite: {WebhookTokens: []string{tokA}}}},
		{name: "single site, pinned", env: with("ROCKETCHAT_WEBHOOK_TOKEN", tokA, "ROCKETCHAT_SITE_URL", "https://Chat.example.com/",
			"ROCKETCHAT_INCOMING_WEBHOOK_URL", "https://chat.example.com/hooks/x"),
			want: Sites{"https://chat.example.com": {WebhookTokens: []string{tokA}, IncomingWebhookURL: "https://chat.example.com/hooks/x"}}},
		{name: "bad pinned site", env: with("ROCKETCHAT_WEBHOOK_TOKEN", tokA, "ROCKETCHAT_SITE_URL", "chat.example.com"),
			wantErr: []string{`ROCKETCHAT_SITE_URL: "chat.example.com" is not a site URL`}},
		{name: "file and token both set", env: with("ROCKETCHAT_SITES_FILE", good, "ROCKETCHAT_WEBHOOK_TOKEN", tokA),
			wantErr: []string{"ROCKETCHAT_WEBHOOK_TOKEN: must be unset when ROCKETCHAT_SITES_FILE is set"}},
		{name: "missing file", env: with("ROCKETCHAT_SITES_FILE", filepath.Join(dir, "nope.json")),
			wantErr: []string{"ROCKETCHAT_SITES_FILE: cannot read"}},
		{name: "invalid file", env: with("ROCKETCHAT_SITES_FILE", bad),
			wantErr: []string{`ROCKETCHAT_SITES_FILE: site "https://chat.example.com": webhook_tokens[0]: too short`}},
		{name: "nothing", env: base, wantErr: []string{"ROCKETCHAT_WEBHOOK_TOKEN: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadLocal(env(tt.env))
			if tt.wantErr == nil {
				if err != nil || !reflect.DeepEqual(map[string]Site(c.SiteTable), map[string]Site(tt.want)) {
					t.Fatalf("LoadLocal = %v, %v; want %v", c.SiteTable, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if n := len(strings.Split(err.Error(), "\n")) - 1; n != len(tt.wantErr) {
				t.Fatalf("got %d problem lines, want %d:\n%v", n, len(tt.wantErr), err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestCheckSecretsSites(t *testing.T) {
	sites, err := CheckSecrets(Secrets{ClientSecret: "x", Sites: map[string]Site{"https://Chat.example.com/": {WebhookTokens: []string{tokA}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sites.Lookup("https://chat.example.com"); !ok {
		t.Fatalf("site not found in %v", sites)
	}
	if _, ok := sites.Lookup("https://other.example.com"); ok {
		t.Fatal("an unlisted site is accepted")
	}
	_, err = CheckSecrets(Secrets{ClientSecret: "x", WebhookToken: tokA, Sites: map[string]Site{"https://x.example.com": {}}})
	if err == nil || !strings.Contains(err.Error(), "rocketchat_webhook_token: must be absent") ||
		!strings.Contains(err.Error(), `sites: site "https://x.example.com": webhook_tokens: required`) {
		t.Fatalf("CheckSecrets(token and sites) = %v", err)
	}
}

// TestLiveSitesReload rotates a token in a sites file: both tokens are
// accepted during the change, then the old one no more; a broken edit keeps
// the last good table.
func TestLiveSitesReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sites.json")
	site := "https://chat.example.com"
	write := func(tokens ...string) {
		writeFile(t, path, fmt.Sprintf(`{%q: {"webhook_tokens": ["%s"]}}`, site, strings.Join(tokens, `","`)))
	}
	write(tokA)
	initial, err := ReadSitesFile(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	loads := 0
	live := NewLiveSites(initial, 3*time.Second, func() time.Time { return now },
		func(context.Context) (Sites, error) { loads++; return ReadSitesFile(path) }, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	tokens := func() []string {
		got, ok := live.WebhookTokens(ctx, site)
		if !ok {
			t.Fatal("site not configured")
		}
		return got
	}

	write(tokA, tokB)
	if got := tokens(); !reflect.DeepEqual(got, []string{tokA}) || loads != 0 {
		t.Fatalf("before the refresh time: tokens %v, %d loads", got, loads)
	}
	now = now.Add(3 * time.Second)
	if got := tokens(); !reflect.DeepEqual(got, []string{tokA, tokB}) {
		t.Fatalf("during the rotation: tokens %v", got)
	}
	write(tokB)
	now = now.Add(3 * time.Second)
	if got := tokens(); !reflect.DeepEqual(got, []string{tokB}) {
		t.Fatalf("after the rotation: tokens %v", got)
	}
	writeFile(t, path, `{"https://chat.example.com": {"webhook_tokens": ["short"]}}`)
	now = now.Add(3 * time.Second)
	if got := tokens(); !reflect.DeepEqual(got, []string{tokB}) {
		t.Fatalf("after a broken edit: tokens %v, want the last good ones", got)
	}
	if _, ok := live.WebhookTokens(ctx, "https://other.example.com"); ok {
		t.Fatal("an unlisted site is accepted")
	}
	if loads != 3 {
		t.Fatalf("%d loads, want 3 (one per refresh period)", loads)
	}
}

func TestLiveSitesFailedLoadRetriesAfterPeriod(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	live := NewLiveSites(SingleSite(tokA, "", ""), time.Minute, func() time.Time { return now },
		func(context.Context) (Sites, error) { calls++; return nil, errors.New("unavailable") }, slog.New(slog.DiscardHandler))
	now = now.Add(time.Minute)
	for range 3 {
		if _, ok := live.WebhookTokens(context.Background(), "https://x.example.com"); !ok {
			t.Fatal("last good table lost")
		}
	}
	if calls != 1 {
		t.Fatalf("%d loads within one period after a failure, want 1", calls)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
