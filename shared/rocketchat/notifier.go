package rocketchat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	// MaxWait bounds the wait for Rocket.Chat's rate limiter (DefaultMaxWait
	// when zero); Sleep, when set, replaces the wait (tests).
	MaxWait time.Duration
	Sleep   func(ctx context.Context, d time.Duration) error
	// DefaultTrigger is the trigger word the messages name when the notice
	// carries none (a login from before words travelled with it): the first
	// configured one. DefaultTriggerWords[0] when empty.
	DefaultTrigger string
}

// NewNotifier returns a Notifier that posts every message to one incoming
// webhook: a deployment that serves one Rocket.Chat server.
func NewNotifier(hookURL string) *Notifier {
	return &Notifier{Default: hookURL, Client: &http.Client{Timeout: 10 * time.Second}}
}

// Notify implements session.Notifier: it words the notice (NoticeText) and
// sends it to the user.
func (n *Notifier) Notify(ctx context.Context, notice session.Notice) error {
	trigger := n.DefaultTrigger
	if trigger == "" {
		trigger = DefaultTriggerWords[0]
	}
	return n.Send(ctx, notice.Key, NoticeText(notice, trigger))
}

// Send sends text to the user of k as a direct message. A refusal an admin
// must fix is a *RefusalError naming the setting; a 429 is sent again after
// the time Rocket.Chat gives, when that fits in MaxWait and ctx's deadline.
func (n *Notifier) Send(ctx context.Context, k session.Key, text string) error {
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
	for attempt := 1; ; attempt++ {
		err := n.post(ctx, k.Site, hookURL, body)
		var refusal *RefusalError
		if !errors.As(err, &refusal) || refusal.Kind != KindRateLimited || attempt >= maxRateLimitedAttempts {
			return err
		}
		if !n.mayWait(ctx, refusal.RetryAfter) {
			return err
		}
		if serr := n.sleep(ctx, refusal.RetryAfter); serr != nil {
			return err
		}
	}
}

// maxRateLimitedAttempts bounds the posts of one message that the rate
// limiter refuses.
const maxRateLimitedAttempts = 3

// DefaultMaxWait is how long Notify waits at most for Rocket.Chat's rate
// limiter to let a message through, when MaxWait is zero.
const DefaultMaxWait = 15 * time.Second

func (n *Notifier) mayWait(ctx context.Context, d time.Duration) bool {
	limit := n.MaxWait
	if limit == 0 {
		limit = DefaultMaxWait
	}
	if d > limit {
		return false
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	return true
}

func (n *Notifier) sleep(ctx context.Context, d time.Duration) error {
	if n.Sleep != nil {
		return n.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// post sends one message and interprets Rocket.Chat's answer.
func (n *Notifier) post(ctx context.Context, site, hookURL string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: build request for site %s", site) // the URL is a secret: not wrapped
	}
	req.Header.Set("Content-Type", "application/json")
	client := n.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: incoming webhook of %s unreachable", site) // *url.Error holds the URL
	}
	defer resp.Body.Close()
	var answer struct {
		Success bool   `json:"success"`
		Error   string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
	if resp.StatusCode == http.StatusOK && answer.Success {
		return nil
	}
	if refusal := classify(site, resp, answer.Error); refusal != nil {
		return refusal
	}
	return fmt.Errorf("notify: incoming webhook of %s answered %d %q", site, resp.StatusCode, Truncate(answer.Error, 200))
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
