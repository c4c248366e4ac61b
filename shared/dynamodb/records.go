package dynamodb

import (
	"fmt"
	"time"

	"rcgithub/shared/session"
)

// sessionBackstop is how long after a session's end TTL may delete its item.
// A retired record stays until GitHub confirms the revocation, however long
// GitHub keeps failing: TTL must not drop a token still alive, so the backstop
// lies beyond a year, after which GitHub itself has revoked an OAuth token
// that was not used. TTL thus only removes records the service failed to clean up.
const sessionBackstop = 400 * 24 * time.Hour

// The records below are the items as stored; attributevalue maps them.

type linkRecord struct {
	PK        string `dynamodbav:"pk"`
	ID        string `dynamodbav:"id"`
	Site      string `dynamodbav:"site"`
	UserID    string `dynamodbav:"user"`
	UserName  string `dynamodbav:"user_name"`
	MessageID string `dynamodbav:"message_id"`
	Trigger   string `dynamodbav:"trigger,omitempty"` // absent in items from before it was kept: ""
	// Scopes is absent in items from before it was kept (nil) and when empty.
	Scopes    []string `dynamodbav:"scopes,omitempty"`
	Created   string   `dynamodbav:"created"`
	Expires   string   `dynamodbav:"expires"`
	ExpiresAt int64    `dynamodbav:"expires_at"`
}

func newLinkRecord(pk string, l session.Link) linkRecord {
	return linkRecord{PK: pk, ID: l.ID, Site: l.Site, UserID: l.UserID, UserName: l.UserName,
		MessageID: l.MessageID, Trigger: l.Trigger, Scopes: l.Scopes, Created: formatTime(l.Created), Expires: formatTime(l.Expires),
		ExpiresAt: l.Expires.Unix()}
}

func (r linkRecord) link() (session.Link, error) {
	var times timeDecoder
	created := times.required("created", r.Created)
	expires := times.required("expires", r.Expires)
	if times.err != nil {
		return session.Link{}, times.err
	}
	return session.Link{ID: r.ID, Key: session.Key{Site: r.Site, UserID: r.UserID}, UserName: r.UserName,
		MessageID: r.MessageID, Trigger: r.Trigger, Scopes: r.Scopes, Created: created, Expires: expires}, nil
}

type pendingRecord struct {
	PK          string   `dynamodbav:"pk"`
	State       string   `dynamodbav:"state"`
	Site        string   `dynamodbav:"site"`
	UserID      string   `dynamodbav:"user"`
	UserName    string   `dynamodbav:"user_name"`
	Verifier    string   `dynamodbav:"verifier"`
	BrowserHash []byte   `dynamodbav:"browser_hash"`
	Trigger     string   `dynamodbav:"trigger,omitempty"`
	Scopes      []string `dynamodbav:"scopes,omitempty"`
	Expires     string   `dynamodbav:"expires"`
	ExpiresAt   int64    `dynamodbav:"expires_at"`
}

func newPendingRecord(p session.Pending) pendingRecord {
	return pendingRecord{PK: stateKey(p.State), State: p.State, Site: p.Site, UserID: p.UserID,
		UserName: p.UserName, Verifier: p.Verifier, BrowserHash: p.BrowserHash, Trigger: p.Trigger, Scopes: p.Scopes,
		Expires: formatTime(p.Expires), ExpiresAt: p.Expires.Unix()}
}

func (r pendingRecord) pending() (session.Pending, error) {
	expires, err := parseTime("expires", r.Expires)
	if err != nil {
		return session.Pending{}, err
	}
	return session.Pending{State: r.State, Key: session.Key{Site: r.Site, UserID: r.UserID},
		UserName: r.UserName, Verifier: r.Verifier, BrowserHash: r.BrowserHash, Trigger: r.Trigger, Scopes: r.Scopes,
		Expires: expires}, nil
}

// sessionRecord is both a live session (pk session#...) and a retired one
// (pk retired#...); only the key differs.
type sessionRecord struct {
	PK          string   `dynamodbav:"pk"`
	Site        string   `dynamodbav:"site"`
	UserID      string   `dynamodbav:"user"`
	UserName    string   `dynamodbav:"user_name"`
	GitHubLogin string   `dynamodbav:"github_login"`
	GitHubID    int64    `dynamodbav:"github_id"`
	Scopes      []string `dynamodbav:"scopes"`
	AskedScopes []string `dynamodbav:"asked_scopes,omitempty"` // absent in items from before it was kept: nil
	SealedToken []byte   `dynamodbav:"sealed_token"`
	// GitHub App user tokens only; absent for OAuth App tokens.
	SealedRefresh  []byte `dynamodbav:"sealed_refresh,omitempty"`
	TokenExpires   string `dynamodbav:"token_expires,omitempty"`
	RefreshExpires string `dynamodbav:"refresh_expires,omitempty"`
	Started        string `dynamodbav:"started"`
	Ends           string `dynamodbav:"ends"`
	Trigger        string `dynamodbav:"trigger,omitempty"`
	Generation     int64  `dynamodbav:"generation"`
	ExpiresAt      int64  `dynamodbav:"expires_at"`
}

func newSessionRecord(pk string, s session.Session) sessionRecord {
	return sessionRecord{PK: pk, Site: s.Site, UserID: s.UserID, UserName: s.UserName,
		GitHubLogin: s.GitHubLogin, GitHubID: s.GitHubID, Scopes: s.Scopes, AskedScopes: s.AskedScopes, SealedToken: s.SealedToken,
		SealedRefresh: s.SealedRefresh, TokenExpires: formatOptionalTime(s.TokenExpires),
		RefreshExpires: formatOptionalTime(s.RefreshExpires),
		Started:        formatTime(s.Started), Ends: formatTime(s.Ends), Trigger: s.Trigger, Generation: s.Generation,
		ExpiresAt: s.Ends.Add(sessionBackstop).Unix()}
}

func (r sessionRecord) session() (session.Session, error) {
	var times timeDecoder
	started := times.required("started", r.Started)
	ends := times.required("ends", r.Ends)
	tokenExpires := times.optional("token_expires", r.TokenExpires)
	refreshExpires := times.optional("refresh_expires", r.RefreshExpires)
	if times.err != nil {
		return session.Session{}, times.err
	}
	return session.Session{Key: session.Key{Site: r.Site, UserID: r.UserID}, UserName: r.UserName,
		GitHubLogin: r.GitHubLogin, GitHubID: r.GitHubID, Scopes: r.Scopes, AskedScopes: r.AskedScopes, SealedToken: r.SealedToken,
		SealedRefresh: r.SealedRefresh, TokenExpires: tokenExpires, RefreshExpires: refreshExpires,
		Started: started, Ends: ends, Trigger: r.Trigger, Generation: r.Generation}, nil
}

// formatOptionalTime is formatTime with the zero time (never) as "".
func formatOptionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// timeDecoder decodes the time attributes of one item and keeps the first
// error, so that a record's decoder reads its times in a row and checks once.
type timeDecoder struct{ err error }

// required decodes s, the value of the attribute name, which must be a time.
func (d *timeDecoder) required(name, s string) time.Time {
	if d.err != nil {
		return time.Time{}
	}
	t, err := parseTime(name, s)
	d.err = err
	return t
}

// optional decodes s like required, but an absent attribute ("") is the zero time.
func (d *timeDecoder) optional(name, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	return d.required(name, s)
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("decode %s time: %w", name, err)
	}
	return t, nil
}
