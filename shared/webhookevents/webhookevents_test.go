package webhookevents_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/events"
	"rcgithub/shared/session"
	"rcgithub/shared/webhookevents"
)

var (
	secret   = []byte("events-secret-0123456789abcdef-0123456789")
	now      = time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	loggedIn = session.Event{Kind: session.EventLoggedIn, Site: "https://chat.example.com", UserID: "alice-id",
		GitHubLogin: "octocat", Generation: 7, At: now}
)

// receiver is the operator's endpoint as README "Events" describes it: it
// verifies each delivery with its own clock and keeps those it accepts.
type receiver struct {
	mu       sync.Mutex
	clock    time.Time
	accepted []events.Envelope
	refused  []error
	headers  []http.Header
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	err := webhookevents.Verify(secret, req.Header.Get(webhookevents.TimestampHeader), req.Header.Get(webhookevents.SignatureHeader), body, r.clock)
	if err != nil {
		r.refused = append(r.refused, err)
		http.Error(w, "refused", http.StatusUnauthorized)
		return
	}
	var env events.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		r.refused = append(r.refused, err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.accepted = append(r.accepted, env)
	r.headers = append(r.headers, req.Header.Clone())
	w.WriteHeader(http.StatusNoContent)
}

func TestDeliveryIsSignedAndVerified(t *testing.T) {
	rcv := &receiver{clock: now}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	p := webhookevents.New(srv.URL+"/hooks/rcgithub", secret)
	p.Now = func() time.Time { return now }
	for _, k := range session.EventKinds() {
		e := loggedIn
		e.Kind = k
		if err := p.Publish(context.Background(), e); err != nil {
			t.Fatalf("Publish %s: %v", k, err)
		}
	}
	if len(rcv.accepted) != len(session.EventKinds()) || len(rcv.refused) != 0 {
		t.Fatalf("accepted %d, refused %v", len(rcv.accepted), rcv.refused)
	}
	for i, env := range rcv.accepted {
		e := loggedIn
		e.Kind = session.EventKinds()[i]
		dt, _ := events.DetailType(e.Kind)
		if env.Source != events.Source || env.DetailType != dt || env.Detail != events.NewDetail(e) {
			t.Errorf("delivery %d: %+v", i, env)
		}
		h := rcv.headers[i]
		if h.Get(webhookevents.IdempotencyKeyHeader) != e.IdempotencyKey() || h.Get(webhookevents.EventHeader) != string(e.Kind) ||
			h.Get("Content-Type") != "application/json" {
			t.Errorf("delivery %d headers %v", i, h)
		}
	}
}

// TestStaleDeliveryIsRefused: a delivery timestamped outside the replay
// window is refused by the receiver, and the publisher reports the failure.
func TestStaleDeliveryIsRefused(t *testing.T) {
	rcv := &receiver{clock: now}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	for _, sent := range []time.Time{now.Add(-webhookevents.ReplayWindow - time.Second), now.Add(webhookevents.ReplayWindow + time.Second)} {
		p := webhookevents.New(srv.URL, secret)
		p.Now = func() time.Time { return sent }
		if err := p.Publish(context.Background(), loggedIn); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("delivery sent at %s: %v, want the receiver's 401", sent, err)
		}
	}
	if len(rcv.accepted) != 0 || len(rcv.refused) != 2 || !errors.Is(rcv.refused[0], webhookevents.ErrStale) {
		t.Fatalf("accepted %d, refused %v", len(rcv.accepted), rcv.refused)
	}
	// Signed with another secret: refused too.
	p := webhookevents.New(srv.URL, []byte("another-secret-0123456789abcdef-0123"))
	p.Now = func() time.Time { return now }
	if err := p.Publish(context.Background(), loggedIn); err == nil {
		t.Error("a delivery signed with another secret was accepted")
	}
	if len(rcv.refused) != 3 || !errors.Is(rcv.refused[2], webhookevents.ErrBadSignature) {
		t.Errorf("refused %v", rcv.refused)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"detail":{}}`)
	ts := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	good := webhookevents.Sign(secret, ts(now), body)
	tests := []struct {
		name           string
		timestamp, sig string
		body           []byte
		want           error
	}{
		{"good", ts(now), good, body, nil},
		{"at the window's past edge", ts(now.Add(-webhookevents.ReplayWindow)), webhookevents.Sign(secret, ts(now.Add(-webhookevents.ReplayWindow)), body), body, nil},
		{"at the window's future edge", ts(now.Add(webhookevents.ReplayWindow)), webhookevents.Sign(secret, ts(now.Add(webhookevents.ReplayWindow)), body), body, nil},
		{"a second too old", ts(now.Add(-webhookevents.ReplayWindow - time.Second)), webhookevents.Sign(secret, ts(now.Add(-webhookevents.ReplayWindow-time.Second)), body), body, webhookevents.ErrStale},
		{"a second too far ahead", ts(now.Add(webhookevents.ReplayWindow + time.Second)), webhookevents.Sign(secret, ts(now.Add(webhookevents.ReplayWindow+time.Second)), body), body, webhookevents.ErrStale},
		{"body changed", ts(now), good, []byte(`{"detail":{"x":1}}`), webhookevents.ErrBadSignature},
		{"timestamp changed, signature kept", ts(now.Add(time.Second)), good, body, webhookevents.ErrBadSignature},
		{"no prefix", ts(now), strings.TrimPrefix(good, "sha256="), body, webhookevents.ErrBadSignature},
		{"empty signature", ts(now), "", body, webhookevents.ErrBadSignature},
		{"timestamp not a number", "yesterday", good, body, webhookevents.ErrStale},
		{"empty timestamp", "", good, body, webhookevents.ErrStale},
	}
	for _, tt := range tests {
		err := webhookevents.Verify(secret, tt.timestamp, tt.sig, tt.body, now)
		if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
	if !strings.HasPrefix(good, "sha256=") || len(good) != len("sha256=")+64 {
		t.Errorf("signature %q is not sha256= and 64 hex characters", good)
	}
}

// TestFailedDeliveries: an answer that is not 2xx, a redirect (never
// followed) and a request whose time is up all fail the publication.
func TestFailedDeliveries(t *testing.T) {
	followed := false
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", 500) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, _ *http.Request) { followed = true; w.WriteHeader(204) })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, path := range []string{"/500", "/redirect"} {
		if err := webhookevents.New(srv.URL+path, secret).Publish(context.Background(), loggedIn); err == nil {
			t.Errorf("%s: delivery succeeded", path)
		}
	}
	if followed {
		t.Error("a redirect was followed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := webhookevents.New(srv.URL+"/hang", secret).Publish(ctx, loggedIn); err == nil {
		t.Error("a delivery whose context is done succeeded")
	}
	// The URL may hold a token in its path: errors do not repeat it.
	err := webhookevents.New("http://127.0.0.1:1/hooks/secret-path-token", secret).Publish(context.Background(), loggedIn)
	if err == nil || strings.Contains(err.Error(), "secret-path-token") {
		t.Errorf("unreachable receiver: %v", err)
	}
}
