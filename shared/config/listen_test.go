package config

import (
	"strings"
	"testing"
)

// LISTEN_ADDR is validated with the other variables: each mistake is one line
// naming it, and PUBLIC_URL is derived from it only where that makes a URL.
func TestListenAddr(t *testing.T) {
	base := map[string]string{"GITHUB_CLIENT_ID": "Iv1.abc", "GITHUB_CLIENT_SECRET": "s3cret",
		"ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef"}
	tests := []struct {
		name       string
		kv         []string
		wantErr    []string // one substring per expected problem line
		wantPublic string
	}{
		{name: "default", wantPublic: "http://127.0.0.1:8080"},
		{name: "loopback name", kv: []string{"LISTEN_ADDR", "localhost:9000"}, wantPublic: "http://localhost:9000"},
		{name: "ipv6 loopback", kv: []string{"LISTEN_ADDR", "[::1]:9000"}, wantPublic: "http://[::1]:9000"},
		{name: "every interface with a public url", kv: []string{"LISTEN_ADDR", ":8080", "PUBLIC_URL", "https://gh.example.com"},
			wantPublic: "https://gh.example.com"},
		{name: "bare port", kv: []string{"LISTEN_ADDR", "8080"},
			wantErr: []string{`LISTEN_ADDR: "8080" has no host: write 127.0.0.1:8080 (this machine only, behind a reverse proxy) or :8080 (every interface)`}},
		{name: "bare port with a public url", kv: []string{"LISTEN_ADDR", "8080", "PUBLIC_URL", "https://gh.example.com"},
			wantErr: []string{`LISTEN_ADDR: "8080" has no host`}},
		{name: "no port", kv: []string{"LISTEN_ADDR", "127.0.0.1"}, wantErr: []string{`LISTEN_ADDR: "127.0.0.1" is not host:port`}},
		{name: "port out of range", kv: []string{"LISTEN_ADDR", "127.0.0.1:70000"}, wantErr: []string{`LISTEN_ADDR: "127.0.0.1:70000": the port must be a number`}},
		{name: "named port", kv: []string{"LISTEN_ADDR", "127.0.0.1:http"}, wantErr: []string{`the port must be a number`}},
		{name: "url instead of an address", kv: []string{"LISTEN_ADDR", "http://127.0.0.1:8080"}, wantErr: []string{`LISTEN_ADDR: "http://127.0.0.1:8080"`}},
		{name: "every interface without a public url", kv: []string{"LISTEN_ADDR", ":8080"},
			wantErr: []string{`PUBLIC_URL: required when LISTEN_ADDR (":8080") is not a loopback address`}},
		{name: "sandbox with a bare port", kv: []string{"GITHUB_SANDBOX", "true", "GITHUB_CLIENT_ID", "", "GITHUB_CLIENT_SECRET", "", "LISTEN_ADDR", "8080"},
			wantErr: []string{`LISTEN_ADDR: "8080" has no host`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadLocal(env(envWith(base, tt.kv...)))
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.PublicURL != tt.wantPublic {
					t.Fatalf("PUBLIC_URL %q, want %q", c.PublicURL, tt.wantPublic)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines)-1 != len(tt.wantErr) {
				t.Fatalf("got %d problem lines, want %d:\n%v", len(lines)-1, len(tt.wantErr), err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
