package rocketchattest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"

	"rcgithub/shared/rocketchat"
)

// IncomingSettings are the settings that decide how Rocket.Chat answers a post
// to an incoming webhook. The zero value is what a new integration on a
// default server has: "Override Destination Channel" off, the API rate
// limiter on at 10 calls per 60 s per IP and hook, Message_MaxAllowedSize 5000.
type IncomingSettings struct {
	// Disabled is the integration's "Enabled" switch turned off: 503.
	Disabled bool
	// OverrideDestinationChannel is the integration's "Override Destination
	// Channel" switch (Rocket.Chat 6.3 and later; off by default). Off, a body
	// naming channel or roomId gets 400.
	OverrideDestinationChannel bool
	// NoRateLimit stands for a server whose limiter never refuses the hook:
	// the rate limiter off, or (versions whose /hooks API honours it) a "Post
	// as" user with the api-bypass-rate-limit permission, which the bot role has.
	NoRateLimit bool
	// RateLimitCalls and RateLimitWindow are the API rate limiter's "Default
	// number calls to the rate limiter" and "Default time limit for the rate
	// limiter" (10 and 60 s when zero).
	RateLimitCalls  int
	RateLimitWindow time.Duration
	// MaxMessageSize is Message_MaxAllowedSize in UTF-16 code units, as
	// JavaScript counts them (MaxMessageSize when zero).
	MaxMessageSize int
}

// SetUpIncoming is an incoming webhook set up as the README's "Setting up
// Rocket.Chat" says: enabled, Override Destination Channel on, and a "Post as"
// user the rate limiter lets through.
var SetUpIncoming = IncomingSettings{OverrideDestinationChannel: true, NoRateLimit: true}

// Incoming receives incoming-webhook posts (/hooks/<id>/<token>), answers them
// as Rocket.Chat's /hooks API does, and records the messages it would post.
type Incoming struct {
	mu       sync.Mutex
	settings IncomingSettings
	messages []rocketchat.Reply
	down     bool
	calls    []time.Time // the rate limiter's window, oldest first
	now      func() time.Time
	srv      *httptest.Server
	path     string
}

// NewIncoming starts an incoming webhook set up as the README says
// (SetUpIncoming); URL() is its secret URL.
func NewIncoming() *Incoming { return NewIncomingWith(SetUpIncoming) }

// NewIncomingWith starts an incoming webhook with the given settings;
// NewIncomingWith(IncomingSettings{}) is Rocket.Chat's default integration.
func NewIncomingWith(s IncomingSettings) *Incoming {
	in := &Incoming{settings: s, now: time.Now, path: "/hooks/6k8fTkBzGvJ5/Yx8vN2qLp0"}
	in.srv = httptest.NewServer(in)
	return in
}

// URL is the incoming webhook's URL, to configure in the service.
func (in *Incoming) URL() string { return in.srv.URL + in.path }

// Close stops the receiver.
func (in *Incoming) Close() { in.srv.Close() }

// SetDown makes the receiver answer 503 with no body, as a proxy in front of
// a Rocket.Chat that is down.
func (in *Incoming) SetDown(down bool) {
	in.mu.Lock()
	in.down = down
	in.mu.Unlock()
}

// SetSettings changes the integration's and the server's settings.
func (in *Incoming) SetSettings(s IncomingSettings) {
	in.mu.Lock()
	in.settings = s
	in.calls = nil
	in.mu.Unlock()
}

// SetClock replaces the clock the rate limiter reads.
func (in *Incoming) SetClock(now func() time.Time) {
	in.mu.Lock()
	in.now = now
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

// The answers of Rocket.Chat's /hooks API (api.ts, ApiClass.ts).
const (
	// UnknownHookError is the 404 body's error for a wrong integration id or
	// token (the versions built on Restivus; newer ones answer 500).
	UnknownHookError = "Invalid integration id or token provided."
	// DisabledError is the 503 body's error for a disabled integration.
	DisabledError = "Service Unavailable"
	// OverrideDisabledError is the 400 body's error for a body naming channel
	// or roomId while "Override Destination Channel" is off.
	OverrideDisabledError = "overriding destination channel is disabled for this integration"
	// MessageSizeError is the 400 body's error for text over Message_MaxAllowedSize.
	MessageSizeError = "error-message-size-exceeded"
)

func (in *Incoming) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.settings
	w.Header().Set("Content-Type", "application/json")
	switch {
	case in.down:
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case (r.Method != http.MethodPost && r.Method != http.MethodGet) || r.URL.Path != in.path:
		writeAnswer(w, http.StatusNotFound, UnknownHookError)
		return
	}
	// The limiter runs before the integration's own checks (ApiClass.ts).
	if !s.NoRateLimit {
		calls, window := s.RateLimitCalls, s.RateLimitWindow
		if calls <= 0 {
			calls = 10
		}
		if window <= 0 {
			window = time.Minute
		}
		now := in.now()
		for len(in.calls) > 0 && now.Sub(in.calls[0]) >= window {
			in.calls = in.calls[1:]
		}
		in.calls = append(in.calls, now)
		if len(in.calls) > calls {
			reset := in.calls[len(in.calls)-calls-1].Add(window).Sub(now)
			w.Header().Set("X-RateLimit-Limit", strconv.Itoa(calls))
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(reset).UnixMilli(), 10))
			seconds := int(math.Ceil(reset.Seconds()))
			writeAnswer(w, http.StatusTooManyRequests, fmt.Sprintf(
				"Error, too many requests. Please slow down. You must wait %d seconds before trying this endpoint again. [error-too-many-requests]", seconds))
			return
		}
	}
	if s.Disabled {
		writeAnswer(w, http.StatusServiceUnavailable, DisabledError)
		return
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || len(body) == 0 {
		_, _ = io.WriteString(w, `{"success":true}`) // an empty or unusable body posts nothing
		return
	}
	if (truthy(body["channel"]) || truthy(body["roomId"])) && !s.OverrideDestinationChannel {
		writeAnswer(w, http.StatusBadRequest, OverrideDisabledError)
		return
	}
	var m rocketchat.Reply
	if err := json.Unmarshal(mustMarshal(body), &m); err != nil {
		writeAnswer(w, http.StatusBadRequest, err.Error())
		return
	}
	limit := s.MaxMessageSize
	if limit <= 0 {
		limit = MaxMessageSize
	}
	if len(utf16.Encode([]rune(m.Text))) > limit {
		writeAnswer(w, http.StatusBadRequest, MessageSizeError)
		return
	}
	in.messages = append(in.messages, m)
	_, _ = io.WriteString(w, `{"success":true}`)
}

func writeAnswer(w http.ResponseWriter, status int, errText string) {
	b, _ := json.Marshal(map[string]any{"success": false, "error": errText})
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// EnforcedSettings names, as Rocket.Chat's admin forms label them, every
// setting whose effect this stand-in models: the README's set-up must name
// each (TestREADMENamesEveryEnforcedSetting).
var EnforcedSettings = []string{
	// The outgoing webhook (Outgoing, Judge).
	"Message Sent", "Token", "Trigger Words", "URLs", "Post as",
	"Retry Failed Calls", "Retry Count", "Retry Delay", "Site URL",
	// The incoming webhook and the server (Incoming).
	"Enabled", "Override Destination Channel", "Post to Channel",
	"Default number calls to the rate limiter", "Default time limit for the rate limiter",
	"Maximum Allowed Message Size",
}
