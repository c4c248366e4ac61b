package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// TestValueSizeAtTheEdge: a secret value of exactly 65,536 bytes is written
// and loaded; one byte more is refused before any write, and refused on read
// when a stand-in holds it anyway (moto does, AWS does not).
func TestValueSizeAtTheEdge(t *testing.T) {
	cfg := awstest.Config(t)
	client := secretsmanager.NewFromConfig(cfg)
	valueOf := func(n int) string {
		head := `{"github_client_secret":"` + clientSecret + `","rocketchat_webhook_token":"` + hookToken + `","padding":"`
		return head + strings.Repeat("p", n-len(head)-2) + `"}`
	}
	at := valueOf(secrets.MaxValueBytes)
	if err := secrets.CheckValue(at); err != nil {
		t.Fatalf("value at the limit refused: %v", err)
	}
	v, err := secrets.Load(t.Context(), client, awstest.Secret(t, cfg, at))
	if err != nil || v.GitHubClientSecret != clientSecret {
		t.Fatalf("Load at the limit: %v", err)
	}
	over := valueOf(secrets.MaxValueBytes + 1)
	if err := secrets.CheckValue(over); !errors.Is(err, secrets.ErrOverLimit) || !strings.Contains(err.Error(), "65537 bytes") {
		t.Errorf("CheckValue one byte over: %v, want ErrOverLimit naming the size", err)
	}
	created, err := client.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String(awstest.UniqueName("over")), SecretString: aws.String(over)})
	if err != nil {
		t.Fatalf("moto refused an oversized secret (it enforces the limit now: this test can say so): %v", err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: created.ARN, ForceDeleteWithoutRecovery: aws.Bool(true)})
	})
	if _, err := secrets.Load(t.Context(), client, aws.ToString(created.ARN)); !errors.Is(err, secrets.ErrOverLimit) {
		t.Errorf("Load of a value over the limit: %v, want ErrOverLimit", err)
	}
}
