package config

import (
	"net/url"
	"regexp"
	"strings"
)

// minEventsSecretLen is webhookevents.MinSecretLen (config imports no adapter).
const minEventsSecretLen = 32

// loadEventsCallback reads the optional signed HTTP callback of the local
// server's domain events: EVENTS_URL and EVENTS_SECRET, both or neither.
func loadEventsCallback(p *problems, getenv func(string) string) (eventsURL, secret string) {
	eventsURL, secret = strings.TrimSpace(getenv("EVENTS_URL")), getenv("EVENTS_SECRET")
	switch {
	case eventsURL == "" && secret != "":
		p.add("EVENTS_SECRET", "set without EVENTS_URL: set EVENTS_URL to the endpoint that receives the events, or unset EVENTS_SECRET")
	case eventsURL == "":
		return "", ""
	}
	// Never quoted: the URL may hold a token of the receiver's.
	if u, err := url.Parse(eventsURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		p.add("EVENTS_URL", "not an http(s) URL without user info (expected e.g. https://hooks.example.com/rcgithub)")
	} else if why := cleartextProblem(eventsURL); why != "" {
		p.add("EVENTS_URL", "%s", strings.Replace(why, "tokens would", "the events would", 1))
	}
	switch {
	case secret == "":
		p.add("EVENTS_SECRET", "required with EVENTS_URL: the HMAC-SHA256 key the receiver verifies each event with (at least %d random characters)", minEventsSecretLen)
	case len(secret) < minEventsSecretLen:
		p.add("EVENTS_SECRET", "too short (%d characters): use at least %d random characters", len(secret), minEventsSecretLen)
	}
	return eventsURL, secret
}

// eventBusName is EventBridge's pattern for an event bus name or ARN.
var eventBusName = regexp.MustCompile(`^(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus/)?[/.\-_A-Za-z0-9]{1,256}$`)

// loadEventBus reads EVENT_BUS_NAME, the functions' optional event bus.
func loadEventBus(p *problems, getenv func(string) string) string {
	name := strings.TrimSpace(getenv("EVENT_BUS_NAME"))
	if name != "" && !eventBusName.MatchString(name) {
		p.add("EVENT_BUS_NAME", "%s is not an EventBridge event bus name or ARN", quoteShort(name))
	}
	return name
}

// loadCommandsQueue reads COMMANDS_QUEUE_URL, the optional SQS queue of the
// commands finished after the webhook's deadline.
func loadCommandsQueue(p *problems, getenv func(string) string) string {
	raw := strings.TrimSpace(getenv("COMMANDS_QUEUE_URL"))
	if raw == "" {
		return ""
	}
	// http only to a loopback host: moto, in tests.
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" ||
		cleartextProblem(raw) != "" {
		p.add("COMMANDS_QUEUE_URL", "%s is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)", quoteShort(raw))
	}
	return raw
}
