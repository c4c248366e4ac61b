// Package rocketchattest is the Rocket.Chat stand-in for tests and for trying the
// service on one machine. It follows Rocket.Chat's server code (RocketChat/Rocket.Chat:
// apps/meteor/app/integrations/server/lib/triggerHandler.ts for the outgoing
// webhook, apps/meteor/app/integrations/server/api/api.ts and
// apps/meteor/app/api/server/ApiClass.ts for the incoming webhook): it sends
// outgoing-webhook requests the way Rocket.Chat does, judges the answers by its
// rules (retries and their delays included), and answers incoming-webhook
// posts as Rocket.Chat does, refusals included.
package rocketchattest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// BotShape is how a Rocket.Chat version writes the "bot" field of an
// outgoing-webhook body.
type BotShape int

const (
	// BotFalse is "bot":false, what every version sends for a person.
	BotFalse BotShape = iota
	// BotTrue is "bot":true, what current versions send for a message posted
	// by an integration or an app (Boolean(message.bot)).
	BotTrue
	// BotObject is the message's bot object, e.g. "bot":{"i":"<integration id>"},
	// what older versions (the JavaScript trigger handler) sent for it.
	BotObject
)

// BotShapes are the shapes a bot message arrives in, across versions.
var BotShapes = []BotShape{BotTrue, BotObject}

// Encode writes msg as Rocket.Chat sends it, with "bot" in the given shape
// (msg.Bot is ignored).
func Encode(msg rocketchat.Message, shape BotShape) ([]byte, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode webhook message: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("encode webhook message: %w", err)
	}
	switch shape {
	case BotTrue:
		fields["bot"] = json.RawMessage(`true`)
	case BotObject:
		fields["bot"] = json.RawMessage(`{"i":"Gq5aHcYBgFbkH6mPN"}`)
	default:
		fields["bot"] = json.RawMessage(`false`)
	}
	return json.Marshal(fields)
}

// Delivery is what Rocket.Chat made of the service's answer.
type Delivery struct {
	Status int
	Body   []byte
	// Posted is the message Rocket.Chat posts, nil when it posts nothing.
	Posted *rocketchat.Reply
	// Retry is true when Rocket.Chat sends the request again (len(Retries) > 0).
	Retry bool
	// Retries are the waits before each further delivery Rocket.Chat makes if
	// every one is answered the same way: with the default settings, 6 more
	// deliveries after 0.1 s, 1 s, 10 s, 100 s, 1000 s and 10000 s.
	Retries []time.Duration
	// Stopped is true when a 500 with a body made Rocket.Chat log an error and
	// give up without retrying.
	Stopped bool
	// Disabled is true when the answer disabled the integration (410 with a body).
	Disabled bool
}

// Send posts msg as Rocket.Chat does ("bot":false, a person's message) and
// judges the answer by its rules.
func (o *Outgoing) Send(ctx context.Context, msg rocketchat.Message) (Delivery, error) {
	shape := BotFalse
	if msg.Bot {
		shape = BotTrue
	}
	return o.SendAs(ctx, msg, shape)
}

// SendAs posts msg with "bot" in the given shape.
func (o *Outgoing) SendAs(ctx context.Context, msg rocketchat.Message, shape BotShape) (Delivery, error) {
	body, err := Encode(msg, shape)
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
		return Delivery{}, err // Rocket.Chat logs a failed or timed-out call and never retries it
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Delivery{}, err
	}
	return Judge(resp.StatusCode, resp.Header.Get("Content-Type"), raw), nil
}

// RetrySettings are an outgoing webhook's "Retry Failed Calls", "Retry Count"
// and "Retry Delay".
type RetrySettings struct {
	RetryFailedCalls bool
	RetryCount       int
	RetryDelay       string // "powers-of-ten", "powers-of-two" or "increments-of-two"
}

// DefaultRetrySettings are the New Outgoing Webhook form's defaults.
var DefaultRetrySettings = RetrySettings{RetryFailedCalls: true, RetryCount: 6, RetryDelay: "powers-of-ten"}

// delay is Rocket.Chat's wait before the retry that follows try number
// tries (0 for the first delivery); false for an unknown Retry Delay.
func (s RetrySettings) delay(tries int) (time.Duration, bool) {
	pow := func(base, exp int) int {
		r := 1
		for range exp {
			r *= base
		}
		return r
	}
	switch s.RetryDelay {
	case "powers-of-ten": // 10^(tries+2) ms
		return time.Duration(pow(10, tries+2)) * time.Millisecond, true
	case "powers-of-two": // 2^(tries+1) s
		return time.Duration(pow(2, tries+1)) * time.Second, true
	case "increments-of-two": // (tries+1)*2 s
		return time.Duration((tries+1)*2) * time.Second, true
	}
	return 0, false
}

// Judge applies Rocket.Chat's rules, with the default retry settings, to the
// answer to a first delivery.
func Judge(status int, contentType string, body []byte) Delivery {
	return JudgeWith(DefaultRetrySettings, status, contentType, body)
}

// JudgeWith applies triggerHandler.ts's rules to an outgoing webhook answer:
//   - the answer is posted when the status is 200/201/202, the body is not
//     empty, the content type (before any ";") is application/json or a
//     JavaScript type, and the parsed JSON has a truthy text or attachments;
//   - an empty body, or a status other than 200/201/202, is a failure: with a
//     body, 410 disables the integration and 500 stops there; any other
//     failure is retried while retries are on, RetryCount times, after the
//     Retry Delay's waits. A timeout or a refused connection is never retried.
func JudgeWith(s RetrySettings, status int, contentType string, body []byte) Delivery {
	d := Delivery{Status: status, Body: body}
	success := status == 200 || status == 201 || status == 202
	if len(body) == 0 || !success {
		if len(body) > 0 && status == http.StatusGone {
			d.Disabled = true
			return d
		}
		if len(body) > 0 && status == http.StatusInternalServerError {
			d.Stopped = true
			return d
		}
		if s.RetryFailedCalls && s.RetryCount > 0 {
			for tries := 0; tries < s.RetryCount; tries++ {
				wait, ok := s.delay(tries)
				if !ok {
					break
				}
				d.Retries = append(d.Retries, wait)
			}
		}
		d.Retry = len(d.Retries) > 0
		return d
	}
	switch strings.Split(contentType, ";")[0] {
	case "application/json", "text/javascript", "application/javascript", "application/x-javascript":
	default:
		return d
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil || (!truthy(fields["text"]) && !truthy(fields["attachments"])) {
		return d
	}
	var reply rocketchat.Reply
	_ = json.Unmarshal(body, &reply) // a text of another type posts too; keep what decodes
	d.Posted = &reply
	return d
}

// truthy is JavaScript's truthiness of a JSON value (absent is undefined).
func truthy(v json.RawMessage) bool {
	s := strings.TrimSpace(string(v))
	switch s {
	case "", "null", "false", `""`:
		return false
	}
	var f float64
	if json.Unmarshal([]byte(s), &f) == nil {
		return f != 0
	}
	return true
}
