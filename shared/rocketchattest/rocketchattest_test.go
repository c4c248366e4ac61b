package rocketchattest

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// tenPowers are the default settings' waits before the 6 retries
// (triggerHandler.ts: 10^(tries+2) ms for "powers-of-ten").
var tenPowers = []time.Duration{100 * time.Millisecond, time.Second, 10 * time.Second,
	100 * time.Second, 1000 * time.Second, 10000 * time.Second}

// TestJudge holds Judge to triggerHandler.ts's rules with the New Outgoing
// Webhook form's defaults.
func TestJudge(t *testing.T) {
	tests := []struct {
		name              string
		status            int
		contentType, body string
		posted            bool
		retries           []time.Duration
		stopped, disabled bool
	}{
		{"text", 200, "application/json", `{"text":"hi"}`, true, nil, false, false},
		{"charset", 200, "application/json; charset=utf-8", `{"text":"hi"}`, true, nil, false, false},
		{"javascript type", 202, "text/javascript", `{"text":"hi"}`, true, nil, false, false},
		{"attachments only", 201, "application/json", `{"attachments":[{"title":"x"}]}`, true, nil, false, false},
		{"empty attachments are truthy", 200, "application/json", `{"attachments":[]}`, true, nil, false, false},
		{"empty text", 200, "application/json", `{"text":""}`, false, nil, false, false},
		{"empty object", 200, "application/json", `{}`, false, nil, false, false},
		{"not json type", 200, "text/plain", `{"text":"hi"}`, false, nil, false, false},
		{"upper-case type", 200, "Application/JSON", `{"text":"hi"}`, false, nil, false, false},
		{"json that does not parse", 200, "application/json", `{"text":`, false, nil, false, false},
		{"whitespace body is content", 200, "application/json", ` `, false, nil, false, false},
		{"empty body", 200, "application/json", ``, false, tenPowers, false, false},
		{"400", 400, "application/json", `{"error":"x"}`, false, tenPowers, false, false},
		{"401", 401, "application/json", `{"error":"x"}`, false, tenPowers, false, false},
		{"403", 403, "application/json", `{"error":"x"}`, false, tenPowers, false, false},
		{"404", 404, "text/html", `<p>not found</p>`, false, tenPowers, false, false},
		{"413", 413, "application/json", `{"error":"x"}`, false, tenPowers, false, false},
		{"429", 429, "application/json", `{"message":"Too Many Requests"}`, false, tenPowers, false, false},
		{"503", 503, "application/json", `{"message":"Service Unavailable"}`, false, tenPowers, false, false},
		{"504", 504, "application/json", `{"message":"Gateway Timeout"}`, false, tenPowers, false, false},
		{"500 with a body stops", 500, "application/json", `{"message":"Internal Server Error"}`, false, nil, true, false},
		{"500 without a body is retried", 500, "", ``, false, tenPowers, false, false},
		{"410 with a body disables", 410, "application/json", `{"text":"x"}`, false, nil, false, true},
		{"410 without a body is retried", 410, "", ``, false, tenPowers, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Judge(tt.status, tt.contentType, []byte(tt.body))
			if (d.Posted != nil) != tt.posted || !reflect.DeepEqual(d.Retries, tt.retries) || d.Retry != (len(tt.retries) > 0) ||
				d.Stopped != tt.stopped || d.Disabled != tt.disabled {
				t.Fatalf("Judge = posted %v retries %v (retry %v) stopped %v disabled %v", d.Posted != nil, d.Retries, d.Retry, d.Stopped, d.Disabled)
			}
		})
	}
}

func TestJudgeWithRetrySettings(t *testing.T) {
	tests := []struct {
		settings RetrySettings
		want     []time.Duration
	}{
		{RetrySettings{RetryFailedCalls: false, RetryCount: 6, RetryDelay: "powers-of-ten"}, nil},
		{RetrySettings{RetryFailedCalls: true, RetryCount: 0, RetryDelay: "powers-of-ten"}, nil},
		{RetrySettings{RetryFailedCalls: true, RetryCount: 3, RetryDelay: "powers-of-two"}, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{RetrySettings{RetryFailedCalls: true, RetryCount: 3, RetryDelay: "increments-of-two"}, []time.Duration{2 * time.Second, 4 * time.Second, 6 * time.Second}},
		{RetrySettings{RetryFailedCalls: true, RetryCount: 3, RetryDelay: "fibonacci"}, nil},
	}
	for _, tt := range tests {
		if got := JudgeWith(tt.settings, 401, "application/json", []byte(`{}`)).Retries; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v: retries %v, want %v", tt.settings, got, tt.want)
		}
	}
}

func TestEncodeBotShapes(t *testing.T) {
	o := &Outgoing{Token: "tok", SiteURL: "https://chat.example.com/"}
	msg := o.Message(User{ID: "uid", Name: "alice"}, "/github login")
	for shape, want := range map[BotShape]string{BotFalse: `false`, BotTrue: `true`, BotObject: `{"i":"Gq5aHcYBgFbkH6mPN"}`} {
		body, err := Encode(msg, shape)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			t.Fatal(err)
		}
		if string(fields["bot"]) != want || string(fields["token"]) != `"tok"` {
			t.Errorf("shape %d: body %s, want bot %s", shape, body, want)
		}
	}
}

// answer is one post's status, error text and headers.
type answer struct {
	status int
	err    string
	header http.Header
}

func post(t *testing.T, url, body string) answer {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a struct {
		Success bool   `json:"success"`
		Error   string `json:"error"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("answer %q is not JSON", raw)
		}
	}
	if resp.StatusCode == 200 && !a.Success {
		t.Fatalf("200 without success: %s", raw)
	}
	return answer{resp.StatusCode, a.Error, resp.Header}
}

// TestIncomingDefaults: a new integration on a default server refuses a
// direct message (Override Destination Channel off) and rate-limits the hook.
func TestIncomingDefaults(t *testing.T) {
	in := NewIncomingWith(IncomingSettings{})
	defer in.Close()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	in.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })

	if a := post(t, in.URL(), `{"channel":"@u1","text":"hello"}`); a.status != 400 || a.err != OverrideDisabledError {
		t.Fatalf("DM with the override off = %+v", a)
	}
	if a := post(t, in.URL(), `{"roomId":"GENERAL","text":"hello"}`); a.status != 400 || a.err != OverrideDisabledError {
		t.Fatalf("roomId with the override off = %+v", a)
	}
	for i := 3; i <= 10; i++ {
		if a := post(t, in.URL(), `{"text":"to the default channel"}`); a.status != 200 {
			t.Fatalf("call %d = %+v", i, a)
		}
	}
	mu.Lock()
	now = now.Add(18 * time.Second)
	mu.Unlock()
	a := post(t, in.URL(), `{"text":"11th call in a minute"}`)
	if a.status != 429 || !strings.HasSuffix(a.err, "You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]") ||
		a.header.Get("X-RateLimit-Limit") != "10" || a.header.Get("X-RateLimit-Remaining") != "0" ||
		a.header.Get("X-RateLimit-Reset") != strconv.FormatInt(now.Add(42*time.Second).UnixMilli(), 10) {
		t.Fatalf("11th call = %+v", a)
	}
	mu.Lock()
	now = now.Add(42 * time.Second)
	mu.Unlock()
	if a := post(t, in.URL(), `{"text":"after the window"}`); a.status != 200 {
		t.Fatalf("after the window = %+v", a)
	}
	if got := len(in.Messages()); got != 9 {
		t.Fatalf("%d messages posted, want 9", got)
	}
}

func TestIncomingRefusals(t *testing.T) {
	in := NewIncoming()
	defer in.Close()
	if a := post(t, in.URL(), `{"channel":"@u1","text":"hello"}`); a.status != 200 {
		t.Fatalf("post = %+v", a)
	}
	if a := post(t, in.URL()+"x", `{"channel":"@u1","text":"hello"}`); a.status != 404 || a.err != UnknownHookError {
		t.Fatalf("wrong hook token = %+v", a)
	}
	long, _ := json.Marshal(map[string]string{"channel": "@u1", "text": strings.Repeat("x", MaxMessageSize+1)})
	if a := post(t, in.URL(), string(long)); a.status != 400 || a.err != MessageSizeError {
		t.Fatalf("over Message_MaxAllowedSize = %+v", a)
	}
	// JavaScript counts UTF-16 code units: 2500 emoji are 5000 units, 2501 are too many.
	for n, want := range map[int]int{2500: 200, 2501: 400} {
		b, _ := json.Marshal(map[string]string{"channel": "@u2", "text": strings.Repeat("😀", n)})
		if a := post(t, in.URL(), string(b)); a.status != want {
			t.Fatalf("%d emoji = %+v, want %d", n, a, want)
		}
	}
	for i := 0; i < 20; i++ { // the README's set-up lets the service through the limiter
		if a := post(t, in.URL(), `{"channel":"@u3","text":"x"}`); a.status != 200 {
			t.Fatalf("call %d = %+v", i, a)
		}
	}
	in.SetSettings(IncomingSettings{Disabled: true, OverrideDestinationChannel: true})
	if a := post(t, in.URL(), `{"channel":"@u1","text":"x"}`); a.status != 503 || a.err != DisabledError {
		t.Fatalf("disabled = %+v", a)
	}
	in.SetDown(true)
	if a := post(t, in.URL(), `{"channel":"@u1","text":"x"}`); a.status != 503 || a.err != "" {
		t.Fatalf("down = %+v", a)
	}
	if msgs := in.MessagesTo("@u1"); len(msgs) != 1 || msgs[0].Text != "hello" {
		t.Fatalf("messages %+v", msgs)
	}
}

func TestOutgoingMessageLooksLikeRocketChat(t *testing.T) {
	o := &Outgoing{Token: "tok", SiteURL: "https://chat.example.com/"}
	m1 := o.Message(User{ID: "uid", Name: "alice"}, "/github login")
	m2 := o.Message(User{ID: "uid", Name: "alice"}, "/github login")
	if m1.MessageID == m2.MessageID || m1.TriggerWord != "/github" || m1.ChannelName == "" || m1.SiteURL != o.SiteURL || m1.Bot {
		t.Fatalf("messages %+v %+v", m1, m2)
	}
}
