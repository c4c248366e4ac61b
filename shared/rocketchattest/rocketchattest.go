// Package rocketchattest is the Rocket.Chat stand-in for tests and for trying the
// service on one machine. It behaves as /work/shared/reference/rocketchat.md
// records: it sends outgoing-webhook requests the way Rocket.Chat does, judges
// the answers by Rocket.Chat's rules, and receives incoming-webhook posts.
package rocketchattest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"rcgithub/shared/rocketchat"
)

// MaxMessageSize is Rocket.Chat's default Message_MaxAllowedSize.
const MaxMessageSize = 5000

// Outgoing plays Rocket.Chat's outgoing webhook against the service.
type Outgoing struct {
	URL     string // the service's /rocketchat/webhook
	Token   string
	SiteURL string // e.g. "https://chat.example.com/" (Rocket.Chat may send a trailing slash)
	Client  *http.Client
	mu      sync.Mutex
	n       int
}

// User is a Rocket.Chat user.
type User struct {
	ID   string
	Name string
}

// Message builds the webhook body for text typed by user in a public channel,
// as Rocket.Chat sends it.
func (o *Outgoing) Message(user User, text string) rocketchat.Message {
	o.mu.Lock()
	o.n++
	n := o.n
	o.mu.Unlock()
	trigger := ""
	if f := strings.Fields(text); len(f) > 0 {
		trigger = f[0]
	}
	return rocketchat.Message{
		Token: o.Token, TriggerWord: trigger, ChannelID: "GENERAL", ChannelName: "general",
		MessageID: fmt.Sprintf("msg%017d", n), Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		UserID: user.ID, UserName: user.Name, Text: text, SiteURL: o.SiteURL,
	}
}

// Delivery is what Rocket.Chat made of the service's answer.
type Delivery struct {
	Status int
	Body   []byte
	// Posted is the message Rocket.Chat posts, nil when it posts nothing.
	Posted *rocketchat.Reply
	// Retry is true when Rocket.Chat (retries enabled) would send it again.
	Retry bool
	// Disabled is true when the answer would disable the integration (410).
	Disabled bool
}

// Send posts msg as Rocket.Chat does and judges the answer by its rules.
func (o *Outgoing) Send(ctx context.Context, msg rocketchat.Message) (Delivery, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return Delivery{}, err
	}
	return o.SendRaw(ctx, body)
}

// SendRaw posts an arbitrary body (malformed payloads, say).
func (o *Outgoing) SendRaw(ctx context.Context, body []byte) (Delivery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
	if err != nil {
		return Delivery{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second} // Rocket.Chat waits 20 s
	}
	resp, err := client.Do(req)
	if err != nil {
		return Delivery{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Delivery{}, err
	}
	return Judge(resp.StatusCode, resp.Header.Get("Content-Type"), raw), nil
}

// Judge applies Rocket.Chat's rules to an outgoing webhook answer: it is posted
// only with status 200/201/202, a JSON content type and text or attachments;
// an empty body or another status is retried; 410 disables the integration.
func Judge(status int, contentType string, body []byte) Delivery {
	d := Delivery{Status: status, Body: body}
	ok := status == 200 || status == 201 || status == 202
	d.Disabled = status == http.StatusGone
	d.Retry = !d.Disabled && status != 500 && (!ok || len(bytes.TrimSpace(body)) == 0)
	mt, _, _ := mime.ParseMediaType(contentType)
	if !ok || mt != "application/json" {
		return d
	}
	var r struct {
		rocketchat.Reply
		Attachments []json.RawMessage `json:"attachments"`
	}
	if json.Unmarshal(body, &r) != nil {
		return d
	}
	if r.Text != "" || len(r.Attachments) > 0 {
		reply := r.Reply
		d.Posted = &reply
	}
	return d
}

// Incoming receives incoming-webhook posts (/hooks/<id>/<token>) and records
// the messages, as Rocket.Chat would post them.
type Incoming struct {
	mu       sync.Mutex
	messages []rocketchat.Reply
	down     bool
	srv      *httptest.Server
	path     string
}

// NewIncoming starts an incoming-webhook receiver; URL() is its secret URL.
func NewIncoming() *Incoming {
	in := &Incoming{path: "/hooks/6k8fTkBzGvJ5/Yx8vN2qLp0"}
	in.srv = httptest.NewServer(in)
	return in
}

// URL is the incoming webhook's URL, to configure in the service.
func (in *Incoming) URL() string { return in.srv.URL + in.path }

// Close stops the receiver.
func (in *Incoming) Close() { in.srv.Close() }

// SetDown makes the receiver answer 503, as a Rocket.Chat that is down.
func (in *Incoming) SetDown(down bool) {
	in.mu.Lock()
	in.down = down
	in.mu.Unlock()
}

// Messages returns the messages posted so far.
func (in *Incoming) Messages() []rocketchat.Reply {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]rocketchat.Reply(nil), in.messages...)
}

// MessagesTo returns the messages posted to one channel ("@userid").
func (in *Incoming) MessagesTo(channel string) []rocketchat.Reply {
	var out []rocketchat.Reply
	for _, m := range in.Messages() {
		if m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

func (in *Incoming) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	down := in.down
	in.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case down:
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case r.Method != http.MethodPost || r.URL.Path != in.path:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"success":false,"error":"Invalid integration id or token provided."}`)
		return
	}
	var m rocketchat.Reply
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil || m.Text == "" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"success":false,"error":"invalid body"}`)
		return
	}
	if len([]rune(m.Text)) > MaxMessageSize {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"success":false,"error":"error-message-size-exceeded"}`)
		return
	}
	in.mu.Lock()
	in.messages = append(in.messages, m)
	in.mu.Unlock()
	_, _ = io.WriteString(w, `{"success":true}`)
}
