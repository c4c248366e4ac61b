package rocketchat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"rcgithub/shared/session"
)

var _ session.Notifier = (*Notifier)(nil)

// Notifier sends direct messages through a Rocket.Chat incoming webhook
// (https://chat.example.com/hooks/<id>/<token>). Messages go to "@<user id>":
// ids survive renames and Rocket.Chat resolves them like user names.
type Notifier struct {
	// URLs maps a normalised site URL to its incoming webhook URL; sites not
	// in it use Default. The URLs hold a secret: they never appear in errors or logs.
	URLs    map[string]string
	Default string
	// Lookup, when set, replaces URLs and Default: it returns the incoming
	// webhook of a normalised site URL, and can follow a configuration that
	// changes while the service runs (config.LiveSites.IncomingWebhookURL).
	// A site it gives "" for has chosen to get no direct messages: Notify
	// sends nothing and returns nil.
	Lookup func(ctx context.Context, site string) string
	Client *http.Client
}

// NewNotifier returns a Notifier that posts every message to one incoming
// webhook: a deployment that serves one Rocket.Chat server.
func NewNotifier(hookURL string) *Notifier {
	return &Notifier{Default: hookURL, Client: &http.Client{Timeout: 10 * time.Second}}
}

// Notify implements session.Notifier.
func (n *Notifier) Notify(ctx context.Context, k session.Key, text string) error {
	hookURL := n.hookURL(ctx, k.Site)
	if hookURL == "" && n.Lookup != nil {
		return nil
	}
	if hookURL == "" {
		return fmt.Errorf("notify: no incoming webhook configured for site %s", k.Site)
	}
	body, err := json.Marshal(DirectReply(k.UserID, text))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: build request for site %s", k.Site) // the URL is a secret: not wrapped
	}
	req.Header.Set("Content-Type", "application/json")
	client := n.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: incoming webhook of %s unreachable", k.Site)
	}
	defer resp.Body.Close()
	var answer struct {
		Success bool   `json:"success"`
		Error   string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
	if resp.StatusCode != http.StatusOK || !answer.Success {
		return fmt.Errorf("notify: incoming webhook of %s answered %d %q", k.Site, resp.StatusCode, answer.Error)
	}
	return nil
}

func (n *Notifier) hookURL(ctx context.Context, site string) string {
	if n.Lookup != nil {
		return n.Lookup(ctx, site)
	}
	if u, ok := n.URLs[site]; ok {
		return u
	}
	return n.Default
}
