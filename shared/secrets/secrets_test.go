package secrets_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"rcgithub/shared/awstest"
	"rcgithub/shared/config"
	"rcgithub/shared/secrets"
)

const (
	clientSecret = "s3cr3t-client-0123456789abcdef"
	hookToken    = "hook-token-fedcba9876543210"
	hookURL      = "https://chat.example.com/hooks/abc/def"
)

func TestLoad(t *testing.T) {
	cfg := awstest.Config(t)
	client := secretsmanager.NewFromConfig(cfg)
	tests := []struct {
		name    string
		content string
		want    secrets.Values
		wantErr []string // parts of the error; nil for success
	}{
		{"all keys",
			`{"github_client_secret":"` + clientSecret + `","rocketchat_webhook_token":"` + hookToken + `","rocketchat_incoming_webhook_url":"` + hookURL + `"}`,
			secrets.Values{GitHubClientSecret: clientSecret, RocketChatWebhookToken: hookToken, RocketChatIncomingWebhookURL: hookURL}, nil},
		{"optional key missing, unknown key ignored",
			`{"github_client_secret":"` + clientSecret + `","rocketchat_webhook_token":"` + hookToken + `","other":"x"}`,
			secrets.Values{GitHubClientSecret: clientSecret, RocketChatWebhookToken: hookToken}, nil},
		{"sites instead of the single token",
			`{"github_client_secret":"` + clientSecret + `","sites":{"https://chat.example.com":{"webhook_tokens":["` + hookToken + `"],"incoming_webhook_url":"` + hookURL + `"}}}`,
			secrets.Values{GitHubClientSecret: clientSecret, Sites: map[string]config.Site{
				"https://chat.example.com": {WebhookTokens: []string{hookToken}, IncomingWebhookURL: hookURL}}}, nil},
		{"sites of the wrong shape", `{"github_client_secret":"` + clientSecret + `","sites":["` + hookToken + `"]}`,
			secrets.Values{}, []string{"not a JSON object"}},
		{"client secret missing", `{"rocketchat_webhook_token":"` + hookToken + `"}`,
			secrets.Values{}, []string{"github_client_secret"}},
		{"webhook token empty", `{"github_client_secret":"` + clientSecret + `","rocketchat_webhook_token":""}`,
			secrets.Values{}, []string{"rocketchat_webhook_token"}},
		{"both missing", `{}`, secrets.Values{}, []string{"github_client_secret", "rocketchat_webhook_token"}},
		{"not JSON", `github_client_secret=` + clientSecret, secrets.Values{}, []string{"not a JSON object"}},
		{"wrong type", `{"github_client_secret":["` + clientSecret + `"],"rocketchat_webhook_token":"` + hookToken + `"}`,
			secrets.Values{}, []string{"not a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := awstest.Secret(t, cfg, tt.content)
			got, err := secrets.Load(t.Context(), client, id)
			if tt.wantErr == nil {
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("Load = %v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not name %q", err, part)
				}
			}
			for _, secret := range []string{clientSecret, hookToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a secret value", err)
				}
			}
		})
	}
}

func TestLoadMissingSecret(t *testing.T) {
	cfg := awstest.Config(t)
	if _, err := secrets.Load(t.Context(), secretsmanager.NewFromConfig(cfg), awstest.UniqueName("missing")); err == nil {
		t.Fatal("Load of a missing secret succeeded")
	}
}

func TestValuesRedact(t *testing.T) {
	v := secrets.Values{GitHubClientSecret: clientSecret, RocketChatWebhookToken: hookToken}
	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		out := fmt.Sprintf(format, v)
		for _, secret := range []string{clientSecret, hookToken} {
			if strings.Contains(out, secret) {
				t.Errorf("%s prints a secret: %s", format, out)
			}
		}
		if !strings.Contains(out, "rocketchat_incoming_webhook_url:unset") {
			t.Errorf("%s does not say which values are unset: %s", format, out)
		}
	}
}

func ExampleValues_String() {
	v := secrets.Values{GitHubClientSecret: "s3cr3t", RocketChatWebhookToken: "t0ken"}
	fmt.Println(v)
	// Output: secrets.Values{github_client_secret:redacted rocketchat_webhook_token:redacted rocketchat_incoming_webhook_url:unset}
}

func TestValuesRedactSites(t *testing.T) {
	v := secrets.Values{GitHubClientSecret: clientSecret, Sites: map[string]config.Site{
		"https://chat.example.com": {WebhookTokens: []string{hookToken}, IncomingWebhookURL: hookURL}}}
	for _, format := range []string{"%v", "%+v", "%#v"} {
		out := fmt.Sprintf(format, v)
		if strings.Contains(out, hookToken) || strings.Contains(out, hookURL) || !strings.Contains(out, "sites:1") {
			t.Errorf("%s = %s", format, out)
		}
	}
}
