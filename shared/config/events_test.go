package config

import (
	"strings"
	"testing"
)

func TestEventsCallback(t *testing.T) {
	base := map[string]string{"GITHUB_CLIENT_ID": "Iv1.abc", "GITHUB_CLIENT_SECRET": "s3cret",
		"ROCKETCHAT_WEBHOOK_TOKEN": "0123456789abcdef"}
	const goodSecret = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name    string
		kv      []string
		wantErr []string // substrings of the error; none: no error
		wantURL string
	}{
		{name: "neither: no callback"},
		{name: "both", kv: []string{"EVENTS_URL", "https://hooks.example.com/rcgithub", "EVENTS_SECRET", goodSecret},
			wantURL: "https://hooks.example.com/rcgithub"},
		{name: "http to loopback", kv: []string{"EVENTS_URL", "http://127.0.0.1:9000/events", "EVENTS_SECRET", goodSecret},
			wantURL: "http://127.0.0.1:9000/events"},
		{name: "http elsewhere", kv: []string{"EVENTS_URL", "http://hooks.example.com/x", "EVENTS_SECRET", goodSecret},
			wantErr: []string{"EVENTS_URL: must be https"}},
		{name: "not a URL", kv: []string{"EVENTS_URL", "hooks.example.com", "EVENTS_SECRET", goodSecret},
			wantErr: []string{"EVENTS_URL: not an http(s) URL"}},
		{name: "user info", kv: []string{"EVENTS_URL", "https://u:p@hooks.example.com/", "EVENTS_SECRET", goodSecret},
			wantErr: []string{"EVENTS_URL: not an http(s) URL"}},
		{name: "URL without secret", kv: []string{"EVENTS_URL", "https://hooks.example.com/x"},
			wantErr: []string{"EVENTS_SECRET: required with EVENTS_URL"}},
		{name: "short secret", kv: []string{"EVENTS_URL", "https://hooks.example.com/x", "EVENTS_SECRET", goodSecret[1:]},
			wantErr: []string{"EVENTS_SECRET: too short (31 characters)"}},
		{name: "secret without URL", kv: []string{"EVENTS_SECRET", goodSecret},
			wantErr: []string{"EVENTS_SECRET: set without EVENTS_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadLocal(env(envWith(base, tt.kv...)))
			if len(tt.wantErr) == 0 {
				if err != nil || c.EventsURL != tt.wantURL {
					t.Fatalf("LoadLocal: EventsURL %q, %v; want %q", c.EventsURL, err, tt.wantURL)
				}
				if tt.wantURL != "" && c.EventsSecret != goodSecret {
					t.Errorf("EventsSecret %q", c.EventsSecret)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadLocal accepted %v", tt.kv)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), goodSecret[1:]) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}

func TestEventBusName(t *testing.T) {
	base := map[string]string{"PUBLIC_URL": "https://svc.example.com", "GITHUB_CLIENT_ID": "Iv1.abc", "TOKENS_TABLE": "t",
		"SCHEDULE_GROUP": "g", "LOGOUT_FUNCTION_ARN": "arn:x", "SCHEDULER_ROLE_ARN": "arn:x", "LOGOUT_DLQ_ARN": "arn:x",
		"TOKEN_KMS_KEY_ID": "k", "SECRETS_ARN": "arn:x"}
	for name, ok := range map[string]bool{
		"":                true, // optional: no events
		"rcgithub-events": true,
		"arn:aws:events:eu-west-1:123456789012:event-bus/rcgithub-events": true,
		"has space":                 false,
		"arn:aws:sqs:eu-west-1:1:q": false,
		strings.Repeat("b", 257):    false,
	} {
		c, err := LoadAWS(env(envWith(base, "EVENT_BUS_NAME", name)))
		if ok && (err != nil || c.EventBusName != name) {
			t.Errorf("EVENT_BUS_NAME %q: %q, %v", name, c.EventBusName, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "EVENT_BUS_NAME")) {
			t.Errorf("EVENT_BUS_NAME %q accepted: %v", name, err)
		}
	}
}

func TestCommandsQueueURL(t *testing.T) {
	base := map[string]string{"PUBLIC_URL": "https://svc.example.com", "GITHUB_CLIENT_ID": "Iv1.abc", "TOKENS_TABLE": "t",
		"SCHEDULE_GROUP": "g", "LOGOUT_FUNCTION_ARN": "arn:x", "SCHEDULER_ROLE_ARN": "arn:x", "LOGOUT_DLQ_ARN": "arn:x",
		"TOKEN_KMS_KEY_ID": "k", "SECRETS_ARN": "arn:x"}
	for raw, ok := range map[string]bool{
		"": true, // optional: commands are not deferred
		"https://sqs.eu-west-1.amazonaws.com/123456789012/rcgithub-commands": true,
		"http://sqs.eu-west-1.amazonaws.com/123456789012/q":                  false,
		"http://127.0.0.1:5000/123456789012/q":                               true, // moto
		"rcgithub-commands":                                                  false,
	} {
		c, err := LoadAWS(env(envWith(base, "COMMANDS_QUEUE_URL", raw)))
		if ok && (err != nil || c.CommandsQueueURL != raw) {
			t.Errorf("COMMANDS_QUEUE_URL %q: %q, %v", raw, c.CommandsQueueURL, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "COMMANDS_QUEUE_URL")) {
			t.Errorf("COMMANDS_QUEUE_URL %q accepted: %v", raw, err)
		}
	}
}
