// Package webhookevents publishes the service's domain events (session.Events)
// to one HTTP endpoint of the operator's (EVENTS_URL), for the one-machine
// deployment: a POST of the JSON envelope of package events, signed with
// HMAC-SHA256 so that the receiver knows it comes from this service and is
// recent.
//
// The signature is HMAC-SHA256, keyed with EVENTS_SECRET, over
// "<timestamp>.<body>", where timestamp is the TimestampHeader value (Unix
// seconds, decimal) and body the raw request body; SignatureHeader carries
// "sha256=" and its lower-case hex. A receiver recomputes it over the body
// it read, compares in constant time, and refuses a timestamp more than
// ReplayWindow away from its own clock (Verify does all three). Inside the
// window a captured request could be replayed: the receiver drops a
// repeated IdempotencyKeyHeader (the detail's idempotency_key) to be safe.
//
// Delivery is best effort: one attempt with a short timeout, no retry and no
// redirect followed; anything but a 2xx answer is an error the service logs
// and counts.
package webhookevents

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rcgithub/shared/events"
	"rcgithub/shared/session"
)

// The headers of a delivery.
const (
	TimestampHeader      = "X-Rcgithub-Timestamp"       // Unix seconds, decimal
	SignatureHeader      = "X-Rcgithub-Signature"       // "sha256=" + hex HMAC-SHA256 over "<timestamp>.<body>"
	IdempotencyKeyHeader = "X-Rcgithub-Idempotency-Key" // the detail's idempotency_key
	EventHeader          = "X-Rcgithub-Event"           // the kind, e.g. logged_in
)

const (
	// ReplayWindow is how far a delivery's timestamp may be from the
	// receiver's clock, either way, for Verify to accept it.
	ReplayWindow = 5 * time.Minute
	// Timeout bounds one delivery, from connecting to reading the answer:
	// the service's own bound on a publication.
	Timeout = session.PublishTimeout
	// MinSecretLen is the shortest EVENTS_SECRET accepted (config checks it).
	MinSecretLen    = 32
	signaturePrefix = "sha256="
)

// Publisher is a session.Events that POSTs each event to URL.
type Publisher struct {
	URL    string
	Secret []byte
	// Client sends the requests; nil: one with Timeout that follows no
	// redirect (a redirect is an answer that is not 2xx, so a failure).
	Client *http.Client
	Now    func() time.Time // the timestamp's clock; nil: time.Now
}

var _ session.Events = (*Publisher)(nil)

// New returns a Publisher to url signing with secret.
func New(url string, secret []byte) *Publisher {
	return &Publisher{URL: url, Secret: secret, Client: &http.Client{Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Publish POSTs e once, signed. Any answer but 2xx is an error.
func (p *Publisher) Publish(ctx context.Context, e session.Event) error {
	body, err := events.EncodeEnvelope(e)
	if err != nil {
		return err
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhookevents: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(p.Secret, ts, body))
	req.Header.Set(IdempotencyKeyHeader, e.IdempotencyKey())
	req.Header.Set(EventHeader, string(e.Kind))
	client := p.Client
	if client == nil {
		client = New(p.URL, p.Secret).Client
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL is the operator's own and may hold a token in its path:
		// the error says what failed, not where.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhookevents: deliver %s event: %w", e.Kind, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhookevents: deliver %s event: the receiver answered %d", e.Kind, resp.StatusCode)
	}
	return nil
}

// Sign returns the SignatureHeader value for body sent at timestamp.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("webhookevents: signature does not match")
	ErrStale        = errors.New("webhookevents: timestamp outside the replay window")
)

// Verify is the receiver's check of a delivery: the signature matches body
// and timestamp under secret (compared in constant time), and timestamp is
// within ReplayWindow of now. Go receivers may call it; README, "Events",
// shows the same check for others.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not Unix seconds", ErrStale, timestamp)
	}
	if !strings.HasPrefix(signature, signaturePrefix) ||
		!hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > ReplayWindow || d < -ReplayWindow {
		return fmt.Errorf("%w: %s off", ErrStale, d.Round(time.Second))
	}
	return nil
}
