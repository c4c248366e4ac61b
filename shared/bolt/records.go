package bolt

import (
	"encoding/json"
	"fmt"
	"time"

	"rcgithub/shared/session"
)

// Records are stored as JSON with names of their own, so that renaming a field
// of a domain type does not change the file format. Byte fields are base64 in
// JSON and come back byte for byte; times keep their nanoseconds.

// quotaRecord counts the links a user made in one window.
type quotaRecord struct {
	Window time.Time `json:"window"`
	Count  int       `json:"count"`
}

type linkRecord struct {
	ID        string    `json:"id"`
	Site      string    `json:"site"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	MessageID string    `json:"message_id"`
	Trigger   string    `json:"trigger,omitempty"` // absent in records from before it was kept: ""
	Scopes    []string  `json:"scopes,omitempty"`  // absent in records from before it was kept: nil
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

func toLinkRecord(l session.Link) linkRecord {
	return linkRecord{ID: l.ID, Site: l.Site, UserID: l.UserID, UserName: l.UserName,
		MessageID: l.MessageID, Trigger: l.Trigger, Scopes: l.Scopes, Created: l.Created, Expires: l.Expires}
}

func (r linkRecord) link() session.Link {
	return session.Link{ID: r.ID, Key: session.Key{Site: r.Site, UserID: r.UserID}, UserName: r.UserName,
		MessageID: r.MessageID, Trigger: r.Trigger, Scopes: r.Scopes, Created: r.Created, Expires: r.Expires}
}

type pendingRecord struct {
	State       string    `json:"state"`
	Site        string    `json:"site"`
	UserID      string    `json:"user_id"`
	UserName    string    `json:"user_name"`
	Verifier    string    `json:"verifier"`
	BrowserHash []byte    `json:"browser_hash"`
	Trigger     string    `json:"trigger,omitempty"`
	Scopes      []string  `json:"scopes,omitempty"`
	Expires     time.Time `json:"expires"`
}

func toPendingRecord(p session.Pending) pendingRecord {
	return pendingRecord{State: p.State, Site: p.Site, UserID: p.UserID, UserName: p.UserName,
		Verifier: p.Verifier, BrowserHash: p.BrowserHash, Trigger: p.Trigger, Scopes: p.Scopes, Expires: p.Expires}
}

func (r pendingRecord) pending() session.Pending {
	return session.Pending{State: r.State, Key: session.Key{Site: r.Site, UserID: r.UserID},
		UserName: r.UserName, Verifier: r.Verifier, BrowserHash: r.BrowserHash, Trigger: r.Trigger, Scopes: r.Scopes,
		Expires: r.Expires}
}

type sessionRecord struct {
	Site        string   `json:"site"`
	UserID      string   `json:"user_id"`
	UserName    string   `json:"user_name"`
	GitHubLogin string   `json:"github_login"`
	GitHubID    int64    `json:"github_id"`
	Scopes      []string `json:"scopes"`
	AskedScopes []string `json:"asked_scopes,omitempty"` // absent in records from before it was kept: nil
	SealedToken []byte   `json:"sealed_token"`
	// GitHub App user tokens only; absent for OAuth App tokens.
	SealedRefresh  []byte    `json:"sealed_refresh,omitempty"`
	TokenExpires   time.Time `json:"token_expires,omitzero"`
	RefreshExpires time.Time `json:"refresh_expires,omitzero"`
	Started        time.Time `json:"started"`
	Ends           time.Time `json:"ends"`
	Trigger        string    `json:"trigger,omitempty"`
	Generation     int64     `json:"generation"`
}

func toSessionRecord(s session.Session) sessionRecord {
	return sessionRecord{Site: s.Site, UserID: s.UserID, UserName: s.UserName,
		GitHubLogin: s.GitHubLogin, GitHubID: s.GitHubID, Scopes: s.Scopes, AskedScopes: s.AskedScopes, SealedToken: s.SealedToken,
		SealedRefresh: s.SealedRefresh, TokenExpires: s.TokenExpires, RefreshExpires: s.RefreshExpires,
		Started: s.Started, Ends: s.Ends, Trigger: s.Trigger, Generation: s.Generation}
}

func (r sessionRecord) session() session.Session {
	return session.Session{Key: session.Key{Site: r.Site, UserID: r.UserID}, UserName: r.UserName,
		GitHubLogin: r.GitHubLogin, GitHubID: r.GitHubID, Scopes: r.Scopes, AskedScopes: r.AskedScopes, SealedToken: r.SealedToken,
		SealedRefresh: r.SealedRefresh, TokenExpires: r.TokenExpires, RefreshExpires: r.RefreshExpires,
		Started: r.Started, Ends: r.Ends, Trigger: r.Trigger, Generation: r.Generation}
}

// jobRecord is a scheduled job with its due time and its history of failures.
type jobRecord struct {
	Job session.Job `json:"job"`
	Due time.Time   `json:"due"`
	// Revision changes with every Schedule, so that a run can tell whether the
	// job was rescheduled (by its own handler, say) while it ran.
	Revision  uint64 `json:"revision"`
	Failures  int    `json:"failures,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b, nil
}

func decode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	return nil
}
