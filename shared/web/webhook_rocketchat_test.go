package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"rcgithub/shared/rocketchattest"
)

// serve posts body to the fixture's webhook and judges the answer as
// Rocket.Chat (default retry settings) would.
func (fx *fixture) serve(t *testing.T, method string, body []byte) rocketchattest.Delivery {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, "/rocketchat/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	fx.handler.ServeHTTP(rec, req)
	return rocketchattest.Judge(rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
}

// TestWebhookIgnoresBotsInEveryShape: a login command posted by a bot is
// ignored with 200 {} whether Rocket.Chat writes "bot" as true (current
// versions) or as the bot object (older versions); a person's is served.
func TestWebhookIgnoresBotsInEveryShape(t *testing.T) {
	fx := newFixture(t)
	out := &rocketchattest.Outgoing{Token: fixtureToken, SiteURL: fixtureSite + "/"}
	for _, shape := range rocketchattest.BotShapes {
		body, err := rocketchattest.Encode(out.Message(rocketchattest.User{ID: "BotUserId0000001", Name: "rocket.cat"}, "/github login"), shape)
		if err != nil {
			t.Fatal(err)
		}
		d := fx.serve(t, http.MethodPost, body)
		if d.Status != http.StatusOK || string(bytes.TrimSpace(d.Body)) != "{}" || d.Retry || d.Posted != nil {
			t.Fatalf("bot shape %d: status %d body %s retry %v", shape, d.Status, d.Body, d.Retry)
		}
	}
	if sessions, pendings := fx.store.takeWrites(); len(sessions)+len(pendings) != 0 {
		t.Fatalf("a bot message wrote %v %v", sessions, pendings)
	}
	body, _ := rocketchattest.Encode(out.Message(rocketchattest.User{ID: "PersonUserId0001", Name: "alice"}, "/github help"), rocketchattest.BotFalse)
	if d := fx.serve(t, http.MethodPost, body); d.Posted == nil || d.Posted.Channel != "@alice" {
		t.Fatalf("a person's message: status %d body %s", d.Status, d.Body)
	}
}

// TestWebhookAnswersAsTheREADMETableSays holds each of the service's answers
// to what Rocket.Chat does with it (rocketchattest.Judge, default retry
// settings): a message Rocket.Chat sent that can never be served ends its
// retries; only requests the service cannot authenticate are refused with 4xx.
func TestWebhookAnswersAsTheREADMETableSays(t *testing.T) {
	fx := newFixture(t)
	msg := func(mut func(m map[string]any)) []byte {
		m := map[string]any{"token": fixtureToken, "bot": false, "trigger_word": "/github", "channel_id": "GENERAL",
			"channel_name": "general", "message_id": "7aDSXtjMA3KPLxLjt", "timestamp": "2026-11-27T10:20:30.123Z",
			"user_id": "rbAXPnMktTFbNpwtJ", "user_name": "alice", "text": "/github help", "siteUrl": fixtureSite + "/"}
		if mut != nil {
			mut(m)
		}
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name    string
		method  string
		body    []byte
		status  int
		posted  bool
		retries int
	}{
		{"command", http.MethodPost, msg(nil), 200, true, 0},
		{"bot true", http.MethodPost, msg(func(m map[string]any) { m["bot"] = true }), 200, false, 0},
		{"bot object", http.MethodPost, msg(func(m map[string]any) { m["bot"] = map[string]string{"i": "x"} }), 200, false, 0},
		{"edited", http.MethodPost, msg(func(m map[string]any) { m["isEdited"] = true }), 200, false, 0},
		{"no trigger word", http.MethodPost, msg(func(m map[string]any) { m["text"] = "hello" }), 200, false, 0},
		{"whitespace-only user_id", http.MethodPost, msg(func(m map[string]any) { m["user_id"] = "   " }), 200, false, 0},
		{"user_id with a space", http.MethodPost, msg(func(m map[string]any) { m["user_id"] = "a b" }), 200, false, 0},
		{"user_id over 256 bytes", http.MethodPost, msg(func(m map[string]any) { m["user_id"] = strings.Repeat("u", 257) }), 200, false, 0},
		{"message_id over 256 bytes", http.MethodPost, msg(func(m map[string]any) {
			m["text"], m["message_id"] = "/github login", strings.Repeat("m", 257)
		}), 200, false, 0},
		{"no user_id", http.MethodPost, msg(func(m map[string]any) { delete(m, "user_id") }), 200, false, 0},
		{"no user_name", http.MethodPost, msg(func(m map[string]any) { delete(m, "user_name") }), 200, false, 0},
		{"wrong token", http.MethodPost, msg(func(m map[string]any) { m["token"] = "wrong-token-0123456789" }), 401, false, 6},
		{"no token", http.MethodPost, msg(func(m map[string]any) { delete(m, "token") }), 401, false, 6},
		{"not a JSON object", http.MethodPost, []byte(`[1]`), 400, false, 6},
		{"over 64 KiB", http.MethodPost, msg(func(m map[string]any) { m["text"] = "/github " + strings.Repeat("x", 64<<10) }), 413, false, 6},
		{"GET", http.MethodGet, nil, 405, false, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fx.serve(t, tt.method, tt.body)
			if d.Status != tt.status || (d.Posted != nil) != tt.posted || len(d.Retries) != tt.retries || d.Disabled || d.Stopped {
				t.Fatalf("status %d posted %v retries %d disabled %v stopped %v; body %s",
					d.Status, d.Posted != nil, len(d.Retries), d.Disabled, d.Stopped, d.Body)
			}
			if d.Posted != nil && !strings.HasPrefix(d.Posted.Channel, "@") {
				t.Fatalf("posted in the room: %+v", d.Posted)
			}
		})
	}
	if sessions, pendings := fx.store.takeWrites(); len(sessions)+len(pendings) != 0 {
		t.Fatalf("the requests wrote %v %v", sessions, pendings)
	}
}

// TestDMRefusalIsLoggedAndCounted: when Rocket.Chat refuses the DM after
// login, the service logs one ERROR line naming the site and the setting to
// change (never the hook's URL, which holds its token), and counts it under
// the refusal's own Failures kind.
func TestDMRefusalIsLoggedAndCounted(t *testing.T) {
	tests := []struct {
		name     string
		settings rocketchattest.IncomingSettings
		kind     string
		setting  string
	}{
		{"Rocket.Chat's default integration", rocketchattest.IncomingSettings{NoRateLimit: true}, "notify_override_disabled", "Override Destination Channel"},
		{"disabled integration", rocketchattest.IncomingSettings{Disabled: true, OverrideDestinationChannel: true, NoRateLimit: true}, "notify_disabled", `\"Enabled\"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newSitesWorld(t)
			logs := w.logs // the service's and the handlers' log, given at construction
			w.chatA.SetSettings(tt.settings)
			w.login(t, siteA, tokenA, "RefusedUser0000"+string(rune('a'+i)), "gh-refused")
			if got := w.metrics.count("Failures", "Kind", tt.kind); got != 1 {
				t.Fatalf("Failures Kind=%s counted %d times, want 1; logs:\n%s", tt.kind, got, logs.String())
			}
			var errorLines []string
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) {
					errorLines = append(errorLines, line)
				}
			}
			if len(errorLines) != 1 || !strings.Contains(errorLines[0], tt.setting) || !strings.Contains(errorLines[0], siteA) {
				t.Fatalf("ERROR lines %q, want one naming %s and %s", errorLines, tt.setting, siteA)
			}
			if strings.Contains(logs.String(), "/hooks/") || strings.Contains(logs.String(), w.chatA.URL()) {
				t.Fatalf("the log holds the hook's URL:\n%s", logs.String())
			}
			if len(w.chatA.Messages()) != 0 {
				t.Fatalf("messages posted: %+v", w.chatA.Messages())
			}
		})
	}
}
