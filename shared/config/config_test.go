package config

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// envWith returns a copy of base with the given key, value pairs set.
func envWith(base map[string]string, kv ...string) map[string]string {
	m := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestLoadLocal(t *testing.T) {
	base := map[string]string{
		"GITHUB_CLIENT_ID": "Iv1.abc", "GITHUB_CLIENT_SECRET": "s3cret",
		"ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef",
	}
	with := func(kv ...string) map[string]string { return envWith(base, kv...) }
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string // substrings, one per expected line
		check   func(t *testing.T, c Local)
	}{
		{name: "defaults", env: base, check: func(t *testing.T, c Local) {
			if c.ListenAddr != "127.0.0.1:8080" || c.PublicURL != "http://127.0.0.1:8080" || c.DataDir != "data" {
				t.Errorf("defaults: %+v", c)
			}
			if c.SessionTTL != 168*time.Hour || c.GitHubURL != "https://github.com" || c.GitHubAPIURL != "https://api.github.com" {
				t.Errorf("defaults: %+v", c.Common)
			}
			if !reflect.DeepEqual(c.TriggerWords, []string{"/github", "/gh", "!github"}) {
				t.Errorf("trigger words %v", c.TriggerWords)
			}
		}},
		{name: "overrides", env: with("PUBLIC_URL", "https://gh.example.com/", "SESSION_TTL", "1h",
			"ROCKETCHAT_TRIGGER_WORDS", "!gh, /git", "GITHUB_SCOPES", "repo read:org", "GITHUB_URL", "https://ghe.example.com/"),
			check: func(t *testing.T, c Local) {
				if c.PublicURL != "https://gh.example.com" || c.SessionTTL != time.Hour || c.GitHubURL != "https://ghe.example.com" {
					t.Errorf("overrides: %+v", c.Common)
				}
				if !reflect.DeepEqual(c.TriggerWords, []string{"!gh", "/git"}) || !reflect.DeepEqual(c.Scopes, []string{"repo", "read:org"}) {
					t.Errorf("lists: %v %v", c.TriggerWords, c.Scopes)
				}
			}},
		{name: "extra scopes by default", env: base, check: func(t *testing.T, c Local) {
			if !reflect.DeepEqual(c.Scopes, []string{"read:user"}) || !reflect.DeepEqual(c.ExtraScopes, []string{"public_repo", "repo"}) {
				t.Errorf("scopes %v, extra %v; want read:user and public_repo, repo", c.Scopes, c.ExtraScopes)
			}
		}},
		{name: "extra scopes set", env: with("GITHUB_EXTRA_SCOPES", "read:org, repo repo"), check: func(t *testing.T, c Local) {
			if !reflect.DeepEqual(c.ExtraScopes, []string{"read:org", "repo"}) {
				t.Errorf("extra scopes %v", c.ExtraScopes)
			}
		}},
		{name: "no extra scopes", env: with("GITHUB_EXTRA_SCOPES", "None"), check: func(t *testing.T, c Local) {
			if c.ExtraScopes != nil {
				t.Errorf("extra scopes %v, want none", c.ExtraScopes)
			}
		}},
		{name: "unknown extra scope", env: with("GITHUB_EXTRA_SCOPES", "public_repo,repos"),
			wantErr: []string{`GITHUB_EXTRA_SCOPES: "repos" is not a GitHub OAuth scope`}},
		{name: "sandbox needs no credentials", env: map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef"},
			check: func(t *testing.T, c Local) {
				if !c.Sandbox || c.ClientID == "" || c.ClientSecret == "" {
					t.Errorf("sandbox: %+v", c)
				}
			}},
		{name: "missing credentials", env: map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef"},
			wantErr: []string{"GITHUB_CLIENT_ID: required", "GITHUB_CLIENT_SECRET: required"}},
		{name: "missing webhook token", env: with("ROCKETCHAT_WEBHOOK_TOKEN", ""), wantErr: []string{"ROCKETCHAT_WEBHOOK_TOKEN: required"}},
		{name: "short webhook token", env: with("ROCKETCHAT_WEBHOOK_TOKEN", "abc"), wantErr: []string{"ROCKETCHAT_WEBHOOK_TOKEN: too short"}},
		{name: "bad ttl", env: with("SESSION_TTL", "7d"), wantErr: []string{"SESSION_TTL: \"7d\" is not a Go duration"}},
		{name: "ttl out of range", env: with("SESSION_TTL", "1s"), wantErr: []string{"SESSION_TTL: 1s is out of range"}},
		{name: "bad urls", env: with("PUBLIC_URL", "localhost:8080", "ROCKETCHAT_INCOMING_WEBHOOK_URL", "ftp://x"),
			wantErr: []string{"PUBLIC_URL: \"localhost:8080\" is not an http(s) URL", "ROCKETCHAT_INCOMING_WEBHOOK_URL: not an http(s) URL"}},
		{name: "public url with a path", env: with("PUBLIC_URL", "https://example.com/github"), wantErr: []string{"PUBLIC_URL: \"https://example.com/github\" has a path"}},
		{name: "bad bool", env: with("GITHUB_SANDBOX", "maybe"), wantErr: []string{"GITHUB_SANDBOX: \"maybe\" is not true or false"}},
		{name: "sandbox on a loopback address", env: map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef",
			"LISTEN_ADDR": "[::1]:9000", "PUBLIC_URL": "http://localhost:9000"},
			check: func(t *testing.T, c Local) {
				if !c.Sandbox || c.ListenAddr != "[::1]:9000" {
					t.Errorf("sandbox: %+v", c)
				}
			}},
		{name: "sandbox listening on every interface", env: map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef",
			"LISTEN_ADDR": ":8080", "PUBLIC_URL": "http://127.0.0.1:8080"},
			wantErr: []string{`LISTEN_ADDR: ":8080" is not a loopback address`}},
		{name: "sandbox listening on a public address", env: map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef",
			"LISTEN_ADDR": "192.0.2.10:8080", "PUBLIC_URL": "http://127.0.0.1:8080"},
			wantErr: []string{`LISTEN_ADDR: "192.0.2.10:8080" is not a loopback address`}},
		{name: "sandbox behind https", env: map[string]string{"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef",
			"PUBLIC_URL": "https://gh.example.com"},
			wantErr: []string{`PUBLIC_URL: "https://gh.example.com" is https: GITHUB_SANDBOX=true is for trying the service on this machine`}},
		{name: "sandbox with a real app's credentials", env: with("GITHUB_SANDBOX", "true"),
			wantErr: []string{"GITHUB_CLIENT_ID: must be unset with GITHUB_SANDBOX=true", "GITHUB_CLIENT_SECRET: must be unset with GITHUB_SANDBOX=true"}},
		{name: "sandbox with a client secret only", env: map[string]string{"GITHUB_SANDBOX": "1", "ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef",
			"GITHUB_CLIENT_SECRET": "s3cret"},
			wantErr: []string{"GITHUB_CLIENT_SECRET: must be unset with GITHUB_SANDBOX=true"}},
		{name: "http to loopback hosts", env: with("PUBLIC_URL", "http://[::1]:8080", "GITHUB_URL", "http://localhost:9000",
			"GITHUB_API_URL", "http://127.0.0.2:9000", "ROCKETCHAT_INCOMING_WEBHOOK_URL", "http://127.0.0.1:3000/hooks/a/b"),
			check: func(t *testing.T, c Local) {
				if c.GitHubURL != "http://localhost:9000" || c.PublicURL != "http://[::1]:8080" {
					t.Errorf("loopback urls: %+v", c.Common)
				}
			}},
		{name: "http across the network", env: with("PUBLIC_URL", "http://gh.example.com", "GITHUB_URL", "http://ghe.example.com",
			"GITHUB_API_URL", "http://10.0.0.1/api/v3", "ROCKETCHAT_INCOMING_WEBHOOK_URL", "http://chat.example.com/hooks/id/SECRETHOOK"),
			wantErr: []string{`PUBLIC_URL: "http://gh.example.com" must be https`, `GITHUB_URL: "http://ghe.example.com" must be https`,
				`GITHUB_API_URL: "http://10.0.0.1/api/v3" must be https`, "ROCKETCHAT_INCOMING_WEBHOOK_URL: must be https"}},
		{name: "http to a host named like loopback", env: with("GITHUB_URL", "http://localhost.example.com"),
			wantErr: []string{`GITHUB_URL: "http://localhost.example.com" must be https`}},
		{name: "trigger with space", env: with("ROCKETCHAT_TRIGGER_WORDS", "/git hub"), wantErr: []string{"ROCKETCHAT_TRIGGER_WORDS: \"/git hub\" contains a space"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadLocal(env(tt.env))
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines)-1 != len(tt.wantErr) {
				t.Fatalf("got %d problem lines, want %d:\n%v", len(lines)-1, len(tt.wantErr), err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "SECRETHOOK") {
				t.Error("error shows a secret")
			}
		})
	}
}

func TestLoadAWS(t *testing.T) {
	full := map[string]string{
		"PUBLIC_URL": "https://abc.execute-api.us-east-1.amazonaws.com", "GITHUB_CLIENT_ID": "Iv1.abc",
		"TOKENS_TABLE": "tokens", "SCHEDULE_GROUP": "logouts",
		"LOGOUT_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:x-logout",
		"SCHEDULER_ROLE_ARN":  "arn:aws:iam::123456789012:role/sched",
		"LOGOUT_DLQ_ARN":      "arn:aws:sqs:us-east-1:123456789012:dlq",
		"TOKEN_KMS_KEY_ID":    "alias/tokens",
		"SECRETS_ARN":         "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
	}
	c, err := LoadAWS(env(full))
	if err != nil {
		t.Fatalf("full config: %v", err)
	}
	if c.TokensTable != "tokens" || c.SessionTTL != 168*time.Hour {
		t.Fatalf("config %+v", c)
	}
	for name, value := range map[string]string{"PUBLIC_URL": "http://abc.execute-api.us-east-1.amazonaws.com",
		"GITHUB_URL": "http://ghe.example.com", "GITHUB_API_URL": "http://ghe.example.com/api/v3"} {
		cleartext := maps.Clone(full)
		cleartext[name] = value
		if _, err := LoadAWS(env(cleartext)); err == nil || !strings.Contains(err.Error(), name+`: "`+value+`" must be https`) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
	_, err = LoadAWS(env(map[string]string{"SCHEDULER_ROLE_ARN": "sched"}))
	if err == nil {
		t.Fatal("empty config accepted")
	}
	for _, name := range []string{"PUBLIC_URL", "GITHUB_CLIENT_ID", "TOKENS_TABLE", "SCHEDULE_GROUP", "LOGOUT_FUNCTION_ARN",
		"LOGOUT_DLQ_ARN", "TOKEN_KMS_KEY_ID", "SECRETS_ARN", "SCHEDULER_ROLE_ARN: \"sched\" is not an ARN"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error lacks %s:\n%v", name, err)
		}
	}
}

func TestCheckSecrets(t *testing.T) {
	sites, err := CheckSecrets(Secrets{ClientSecret: "x", WebhookToken: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := sites.Lookup("https://any.example.com"); !ok || s.WebhookTokens[0] != "0123456789abcdef" {
		t.Fatalf("single-site mode does not accept any site: %v", sites)
	}
	_, err = CheckSecrets(Secrets{})
	if err == nil || !strings.Contains(err.Error(), "github_client_secret") || !strings.Contains(err.Error(), "ROCKETCHAT_WEBHOOK_TOKEN") {
		t.Fatalf("CheckSecrets(empty) = %v", err)
	}
	_, err = CheckSecrets(Secrets{ClientSecret: "x", WebhookToken: "0123456789abcdef", IncomingWebhookURL: "http://chat.example.com/hooks/id/SECRETHOOK"})
	if err == nil || !strings.Contains(err.Error(), "ROCKETCHAT_INCOMING_WEBHOOK_URL: must be https") || strings.Contains(err.Error(), "SECRETHOOK") {
		t.Fatalf("CheckSecrets(http incoming webhook) = %v", err)
	}
	if s := (Secrets{ClientSecret: "s3cret"}).String(); strings.Contains(s, "s3cret") {
		t.Fatal("Secrets.String shows the secret")
	}
}
