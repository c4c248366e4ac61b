// Package events is the published form of the service's domain events
// (session.Event): the source, the detail-type of each kind and the detail
// JSON, shared by the two adapters that carry them out of the service, so
// that a receiver reads the same thing from the AWS EventBridge bus
// (eventbus) and from the signed HTTP callback (webhookevents). README,
// "Events", documents it for receivers.
package events

import (
	"encoding/json"
	"fmt"
	"time"

	"rcgithub/shared/session"
)

// Source is the EventBridge source of every event ("source" in rules).
const Source = "rcgithub"

// SchemaVersion is Detail.Version: it changes only when a field changes
// meaning or goes away (new fields may be added without it).
const SchemaVersion = 1

// detailTypes are the EventBridge detail-types, one per kind: what rules
// match on ("detail-type").
var detailTypes = map[session.EventKind]string{
	session.EventLoggedIn:               "Session Logged In",
	session.EventLoggedOut:              "Session Logged Out",
	session.EventLoggedOutAutomatically: "Session Logged Out Automatically",
	session.EventRevokedAtGitHub:        "Session Revoked At GitHub",
}

// DetailType returns the detail-type of kind, or an error for a kind the
// service does not publish.
func DetailType(kind session.EventKind) (string, error) {
	dt, ok := detailTypes[kind]
	if !ok {
		return "", fmt.Errorf("events: unknown event kind %q", kind)
	}
	return dt, nil
}

// Detail is the event's JSON ("detail" on EventBridge, and in the HTTP
// callback's body). It holds no token and no secret.
type Detail struct {
	Version     int    `json:"version"`      // SchemaVersion
	Kind        string `json:"kind"`         // logged_in, logged_out, logged_out_automatically, revoked_at_github
	Site        string `json:"site"`         // the Rocket.Chat site URL, normalised
	UserID      string `json:"user_id"`      // the Rocket.Chat user id
	GitHubLogin string `json:"github_login"` // the GitHub account of the session
	// Generation tells one login of the user from the next (below 2^53, so
	// that it survives JSON in any language).
	Generation int64 `json:"generation"`
	// At is when it happened, RFC 3339 in UTC.
	At time.Time `json:"at"`
	// IdempotencyKey is session.Event.IdempotencyKey: 64 hex characters, the
	// same for every delivery of one event (site, user, generation, kind).
	IdempotencyKey string `json:"idempotency_key"`
}

// NewDetail returns the published form of e.
func NewDetail(e session.Event) Detail {
	return Detail{Version: SchemaVersion, Kind: string(e.Kind), Site: e.Site, UserID: e.UserID,
		GitHubLogin: e.GitHubLogin, Generation: e.Generation, At: e.At.UTC(), IdempotencyKey: e.IdempotencyKey()}
}

// Envelope is the HTTP callback's body: the detail with the source and
// detail-type an EventBridge rule would see, so that one receiver can read
// both deliveries alike.
type Envelope struct {
	Source     string    `json:"source"`
	DetailType string    `json:"detail-type"`
	Time       time.Time `json:"time"`
	Detail     Detail    `json:"detail"`
}

// Encode returns e's detail-type and its detail as JSON; an error for a kind
// the service does not publish.
func Encode(e session.Event) (detailType string, detail []byte, err error) {
	detailType, err = DetailType(e.Kind)
	if err != nil {
		return "", nil, err
	}
	detail, err = json.Marshal(NewDetail(e))
	if err != nil {
		return "", nil, fmt.Errorf("events: encode %s: %w", e.Kind, err)
	}
	return detailType, detail, nil
}

// EncodeEnvelope returns e as the HTTP callback's body.
func EncodeEnvelope(e session.Event) ([]byte, error) {
	dt, err := DetailType(e.Kind)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(Envelope{Source: Source, DetailType: dt, Time: e.At.UTC(), Detail: NewDetail(e)})
	if err != nil {
		return nil, fmt.Errorf("events: encode %s: %w", e.Kind, err)
	}
	return body, nil
}
