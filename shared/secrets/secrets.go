// Package secrets loads the service's secrets from one AWS Secrets Manager
// secret: at cold start, and again every few minutes for the Rocket.Chat sites.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"rcgithub/shared/config"
)

// MaxValueBytes is Secrets Manager's limit on a secret value: SecretString
// is 1 to 65,536 bytes (Secrets Manager API Reference, CreateSecret and
// PutSecretValue). The service only reads its secret; the limit is checked
// where a secret is written (awstest.Secret) and on what Load reads, since a
// stand-in may hold more than AWS ever would.
const MaxValueBytes = 65536

// ErrOverLimit is wrapped by the errors about a secret value over MaxValueBytes.
var ErrOverLimit = errors.New("over a Secrets Manager limit")

// CheckValue checks a secret value against MaxValueBytes, before it is written.
func CheckValue(value string) error {
	if n := len(value); n == 0 || n > MaxValueBytes {
		return fmt.Errorf("%w: secret value of %d bytes (1 to %d allowed)", ErrOverLimit, n, MaxValueBytes)
	}
	return nil
}

// Values are the service's secrets. Print them freely: String and
// GoString redact every value.
type Values struct {
	GitHubClientSecret string `json:"github_client_secret"`
	// The single-site mode: one outgoing webhook token, accepted from any site
	// unless RocketChatSiteURL pins one.
	RocketChatWebhookToken string `json:"rocketchat_webhook_token"`
	// RocketChatIncomingWebhookURL is optional: without it the service sends
	// no direct messages outside of webhook answers.
	RocketChatIncomingWebhookURL string `json:"rocketchat_incoming_webhook_url"`
	RocketChatSiteURL            string `json:"rocketchat_site_url"`
	// Sites replaces the three keys above when the deployment serves several
	// Rocket.Chat servers: site URL -> tokens and incoming webhook.
	Sites map[string]config.Site `json:"sites"`
}

// Config returns the values as the configuration package checks them.
func (v Values) Config() config.Secrets {
	return config.Secrets{ClientSecret: v.GitHubClientSecret, WebhookToken: v.RocketChatWebhookToken,
		IncomingWebhookURL: v.RocketChatIncomingWebhookURL, SiteURL: v.RocketChatSiteURL, Sites: v.Sites}
}

// String names the values that are set, never what they are.
func (v Values) String() string {
	out := fmt.Sprintf("secrets.Values{github_client_secret:%s rocketchat_webhook_token:%s rocketchat_incoming_webhook_url:%s",
		redact(v.GitHubClientSecret), redact(v.RocketChatWebhookToken), redact(v.RocketChatIncomingWebhookURL))
	if v.RocketChatSiteURL != "" {
		out += " rocketchat_site_url:" + v.RocketChatSiteURL
	}
	if v.Sites != nil {
		out += fmt.Sprintf(" sites:%d", len(v.Sites))
	}
	return out + "}"
}

// GoString keeps %#v from printing the values.
func (v Values) GoString() string { return v.String() }

func redact(s string) string {
	if s == "" {
		return "unset"
	}
	return "redacted"
}

// Load reads the secret secretID (name or ARN), whose SecretString is a JSON
// object with the keys of Values. Missing or empty required keys are an error
// naming the keys; errors never contain the secret's content.
func Load(ctx context.Context, client *secretsmanager.Client, secretID string) (Values, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if err != nil {
		return Values{}, fmt.Errorf("read secret %s: %w", secretID, err)
	}
	if out.SecretString == nil {
		return Values{}, fmt.Errorf("secret %s has no SecretString (binary secrets are not supported)", secretID)
	}
	if err := CheckValue(aws.ToString(out.SecretString)); err != nil {
		return Values{}, fmt.Errorf("secret %s: %w", secretID, err)
	}
	v, err := parse([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return Values{}, fmt.Errorf("secret %s: %w", secretID, err)
	}
	return v, nil
}

// parse decodes the secret's JSON. Decoding errors of encoding/json can quote
// the input, so they are replaced by a fixed message.
func parse(content []byte) (Values, error) {
	var v Values
	if err := json.Unmarshal(content, &v); err != nil {
		return Values{}, errors.New("SecretString is not a JSON object with string values (and an optional sites object)")
	}
	var missing []string
	if v.GitHubClientSecret == "" {
		missing = append(missing, "github_client_secret")
	}
	if v.RocketChatWebhookToken == "" && v.Sites == nil {
		missing = append(missing, "rocketchat_webhook_token (or sites)")
	}
	if len(missing) > 0 {
		return Values{}, fmt.Errorf("SecretString lacks the required key(s) %s", strings.Join(missing, ", "))
	}
	return v, nil
}
