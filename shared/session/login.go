package session

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LinkRequest is a Rocket.Chat user's "/github login".
type LinkRequest struct {
	Key
	UserName  string
	MessageID string
}

// TooManyLinksError says when a user who asked for too many login links can
// ask again.
type TooManyLinksError struct {
	RetryAt time.Time
}

func (e *TooManyLinksError) Error() string {
	return "too many login links; next one at " + FormatTime(e.RetryAt)
}

func (e *TooManyLinksError) Unwrap() error { return ErrTooManyLinks }

// StartLogin creates the login link for a user, or returns the one already made
// for the same Rocket.Chat message. A user gets MaxLinksPerWindow links per
// window of LinkTTL; past that, a *TooManyLinksError says when to try again.
func (s *Service) StartLogin(ctx context.Context, r LinkRequest) (Link, error) {
	id, err := randomString(32)
	if err != nil {
		return Link{}, err
	}
	now := s.Now()
	window := now.Truncate(LinkTTL)
	l, err := s.Store.CreateLink(ctx, Link{
		ID: id, Key: r.Key, UserName: r.UserName, MessageID: r.MessageID,
		Created: now, Expires: now.Add(LinkTTL),
	}, LinkQuota{Window: window, Max: MaxLinksPerWindow})
	if errors.Is(err, ErrTooManyLinks) {
		s.log().WarnContext(ctx, "login links over quota", "site", r.Site, "user", r.UserID)
		return Link{}, &TooManyLinksError{RetryAt: window.Add(LinkTTL)}
	}
	if err != nil {
		return Link{}, fmt.Errorf("create login link: %w", err)
	}
	return l, nil
}

var errLinkGone = &Problem{Kind: BadRequest,
	Message: "This login link is unknown, was already used, or has expired. Type /github login in Rocket.Chat for a fresh link."}

// OpenLink returns the link behind the page a user opened, without using it up:
// link previewers fetch pages too.
func (s *Service) OpenLink(ctx context.Context, id string) (Link, error) {
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return Link{}, s.storeProblem(err, errLinkGone)
	}
	if !s.Now().Before(l.Expires) {
		return Link{}, errLinkGone
	}
	return l, nil
}

// Authorize uses up the link and returns GitHub's authorize URL. browserSecret
// is the secret the web layer put in a cookie on the browser that pressed the
// button; only that browser can complete the login.
func (s *Service) Authorize(ctx context.Context, linkID, browserSecret string) (string, error) {
	l, err := s.Store.TakeLink(ctx, linkID)
	if err != nil {
		return "", s.storeProblem(err, errLinkGone)
	}
	now := s.Now()
	if !now.Before(l.Expires) {
		return "", errLinkGone
	}
	state, err := randomString(32)
	if err != nil {
		return "", err
	}
	verifier, err := randomString(48) // 64 characters, within PKCE's 43-128
	if err != nil {
		return "", err
	}
	p := Pending{State: state, Key: l.Key, UserName: l.UserName, Verifier: verifier,
		BrowserHash: hashSecret(browserSecret), Expires: now.Add(LinkTTL)}
	if err := s.Store.PutPending(ctx, p); err != nil {
		return "", &Problem{Kind: Unavailable, Err: err,
			Message: "We could not start the GitHub sign-in because our storage is unavailable. Type /github login in Rocket.Chat to try again."}
	}
	return s.GitHub.AuthCodeURL(state, verifier), nil
}

var errStateGone = &Problem{Kind: BadRequest,
	Message: "This GitHub sign-in is unknown, was already used, or has expired. Type /github login in Rocket.Chat for a fresh link."}

// CancelLogin uses up the state of an authorization GitHub reported as failed
// (the user denied it, say), so it cannot be completed later.
func (s *Service) CancelLogin(ctx context.Context, state string) {
	if state == "" {
		return
	}
	if _, err := s.Store.TakePending(ctx, state); err != nil && !errors.Is(err, ErrNotFound) {
		s.log().WarnContext(ctx, "cancel login: take pending", "error", err)
	}
}

// CompleteLogin finishes the OAuth flow: it checks the state and the browser,
// exchanges the code, reads the GitHub user and makes the new session live,
// with its automatic logout scheduled before the token is stored.
func (s *Service) CompleteLogin(ctx context.Context, state, code, browserSecret string) (Session, error) {
	if state == "" {
		return Session{}, errStateGone
	}
	p, err := s.Store.TakePending(ctx, state)
	if err != nil {
		return Session{}, s.storeProblem(err, errStateGone)
	}
	if !s.Now().Before(p.Expires) {
		return Session{}, errStateGone
	}
	if subtle.ConstantTimeCompare(hashSecret(browserSecret), p.BrowserHash) != 1 || browserSecret == "" {
		return Session{}, &Problem{Kind: BadRequest,
			Message: "This GitHub sign-in was started in another browser, so it cannot finish here. Open the link from Rocket.Chat in this browser: type /github login for a fresh link."}
	}
	if code == "" {
		return Session{}, &Problem{Kind: BadRequest,
			Message: "GitHub sent no authorization code. Type /github login in Rocket.Chat to try again."}
	}
	tok, err := s.GitHub.Exchange(ctx, code, p.Verifier)
	if err != nil {
		s.count(ctx, "Failures", "Kind", "token_exchange")
		return Session{}, exchangeProblem(err)
	}
	user, err := s.GitHub.User(ctx, tok.AccessToken)
	if err != nil {
		s.count(ctx, "Failures", "Kind", "github_user")
		s.revokeUntracked(ctx, p, tok.AccessToken)
		return Session{}, &Problem{Kind: Unavailable, Err: err,
			Message: "GitHub did not tell us which account you signed in with, so nothing was saved. Type /github login in Rocket.Chat to try again."}
	}
	if user.Scopes == nil && tok.RefreshToken == "" && tok.ExpiresAt.IsZero() {
		// An OAuth App token whose scopes /user did not list. GitHub App
		// tokens have permissions, not scopes: nil keeps them uncompared.
		user.Scopes = tok.Scopes
	}
	sess, replaced, err := s.install(ctx, p, user, tok)
	if err != nil {
		s.count(ctx, "Failures", "Kind", "store_session")
		s.revokeUntracked(ctx, p, tok.AccessToken)
		return Session{}, &Problem{Kind: Unavailable, Err: err,
			Message: "We could not save your GitHub session, so nothing was kept. Type /github login in Rocket.Chat to try again."}
	}
	s.count(ctx, "Logins", "", "")
	if replaced != nil {
		s.count(ctx, "Logouts", "Reason", "replaced")
	}
	s.log().InfoContext(ctx, "login", "site", sess.Site, "user", sess.UserID,
		"github_login", sess.GitHubLogin, "generation", sess.Generation, "replaced", replaced != nil)
	if replaced != nil {
		s.finishRetired(ctx, Job{Site: replaced.Site, UserID: replaced.UserID, Generation: replaced.Generation})
	}
	missing, extra := CompareScopes(s.Scopes, sess.Scopes)
	if len(missing)+len(extra) > 0 {
		s.log().WarnContext(ctx, "granted scopes differ from those asked for", "site", sess.Site, "user", sess.UserID,
			"missing", missing, "extra", extra)
	}
	note := scopeNote(missing, extra)
	s.notify(ctx, sess.Key, strings.TrimSpace(fmt.Sprintf("You are connected to GitHub as @%s until %s. %s",
		sess.GitHubLogin, FormatTime(sess.Ends), note)))
	return sess, nil
}

// install makes a new session live: its automatic logout is scheduled first, so
// that no stored token ever lacks one, then the session is written conditionally
// on the generation it replaces. A concurrent login of the same user makes the
// write conflict; it is retried against the newer state.
func (s *Service) install(ctx context.Context, p Pending, user User, tok Token) (Session, *Session, error) {
	sealed, sealedRefresh, err := s.sealPair(ctx, p.Key, tok)
	if err != nil {
		return Session{}, nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		var prev *Session
		cur, err := s.Store.GetSession(ctx, p.Key)
		switch {
		case err == nil:
			prev = &cur
		case !errors.Is(err, ErrNotFound):
			return Session{}, nil, fmt.Errorf("read current session: %w", err)
		}
		now := s.Now()
		sess := Session{Key: p.Key, UserName: p.UserName, GitHubLogin: user.Login, GitHubID: user.ID,
			Scopes: user.Scopes, SealedToken: sealed, SealedRefresh: sealedRefresh,
			TokenExpires: tok.ExpiresAt, RefreshExpires: tok.RefreshExpiresAt, Started: now, Ends: now.Add(s.TTL)}
		sess.Generation, err = newGeneration(prev)
		if err != nil {
			return Session{}, nil, err
		}
		job := Job{Site: sess.Site, UserID: sess.UserID, Generation: sess.Generation}
		if err := s.Scheduler.Schedule(ctx, job, sess.Ends); err != nil {
			return Session{}, nil, fmt.Errorf("schedule automatic logout: %w", err)
		}
		var prevGen int64
		if prev != nil {
			prevGen = prev.Generation
		}
		err = s.Store.PutSession(ctx, sess, prevGen)
		if err == nil || s.landed(ctx, sess) {
			// A write whose answer was lost (or whose retry conflicted with
			// itself) may have taken effect: what the store holds decides.
			return sess, prev, nil
		}
		if !errors.Is(err, ErrConflict) {
			// The outcome is unknown: keep the job, which ends the session
			// if it was stored after all, and finds nothing otherwise.
			return Session{}, nil, fmt.Errorf("store session: %w", err)
		}
		s.cancel(ctx, job)
	}
	return Session{}, nil, fmt.Errorf("store session: %w after retries", ErrConflict)
}

// ScopeNote tells the user, in one sentence or two, how the scopes GitHub
// granted differ from those asked for; "" when they match (or for GitHub App
// tokens, which have permissions instead).
func (s *Service) ScopeNote(sess Session) string {
	return scopeNote(CompareScopes(s.Scopes, sess.Scopes))
}

func scopeNote(missing, extra []string) string {
	var note []string
	if len(missing) > 0 {
		note = append(note, "GitHub did not grant "+strings.Join(missing, ", ")+
			", so what needs it will not work (an organization may restrict this app; ask its owners, then log in again).")
	}
	if len(extra) > 0 {
		note = append(note, "GitHub granted more than asked for ("+strings.Join(extra, ", ")+
			"), from an earlier authorization of this app; you can review it in your GitHub settings under Applications.")
	}
	return strings.Join(note, " ")
}

// landed reports whether the store's live session for s.Key is s.
func (s *Service) landed(ctx context.Context, sess Session) bool {
	cur, err := s.Store.GetSession(ctx, sess.Key)
	return err == nil && cur.Generation == sess.Generation
}

func exchangeProblem(err error) error {
	var oe *OAuthError
	if !errors.As(err, &oe) {
		return &Problem{Kind: Unavailable, Err: err,
			Message: "GitHub did not answer our sign-in request, so nothing was saved. Wait a minute, then type /github login in Rocket.Chat to try again."}
	}
	msg := "GitHub refused the sign-in (" + oe.Code + "), so nothing was saved."
	switch oe.Code {
	case "bad_verification_code":
		msg = "GitHub says this sign-in code is invalid or has expired (codes work once, for 10 minutes), so nothing was saved."
	case "incorrect_client_credentials":
		msg = "GitHub refused this service's client credentials, so nothing was saved. Tell your Rocket.Chat admin to check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET."
	case "redirect_uri_mismatch":
		msg = "GitHub says the callback URL does not match the OAuth App's settings, so nothing was saved. Tell your Rocket.Chat admin to set the App's callback URL to this service's /oauth/callback."
	case "unverified_user_email":
		msg = "GitHub requires a verified primary email address on your account first. Verify it on GitHub, then sign in again."
	}
	return &Problem{Kind: BadRequest, Err: err, Message: msg + " Type /github login in Rocket.Chat for a fresh link."}
}
