package session

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"
)

// LinkRequest is a Rocket.Chat user's "/github login".
type LinkRequest struct {
	Key
	UserName  string
	MessageID string
	// Trigger is the word the user typed; it travels with the link, the
	// sign-in and the session (kept only up to MaxTriggerLen bytes of UTF-8).
	Trigger string
	// Scopes are the scopes the user named beyond the default ones ("/github
	// login repo"); each must be in Service.ExtraScopes (or the defaults).
	Scopes []string
}

// Login is what CompleteLogin returns: the new session, and how the scopes
// GitHub granted differ from those asked for (compared once, here).
type Login struct {
	Session
	Scopes ScopeDiff
}

// TooManyLinksError says when a user who asked for too many login links can
// ask again.
type TooManyLinksError struct {
	RetryAt time.Time
}

func (e *TooManyLinksError) Error() string {
	return "too many login links; next one at " + e.RetryAt.UTC().Format(time.RFC3339)
}

func (e *TooManyLinksError) Unwrap() error { return ErrTooManyLinks }

// StartLogin creates the login link for a user, or returns the one already made
// for the same Rocket.Chat message. A user gets MaxLinksPerWindow links per
// window of LinkTTL; past that, a *TooManyLinksError says when to try again.
// A key that breaks the rule of Key.Validate is refused (ErrInvalidKey), a
// scope the user may not add is refused (*ScopeNotAllowedError), and without
// an IDKey no link is made (ErrNoIDKey), all before any store call. The link
// keeps the scopes the login asks for: the defaults and those named.
func (s *Service) StartLogin(ctx context.Context, r LinkRequest) (Link, error) {
	if err := r.Key.Validate(); err != nil {
		return Link{}, fmt.Errorf("start login: %w", err)
	}
	scopes, err := askedScopes(s.Scopes, s.ExtraScopes, r.Scopes)
	if err != nil {
		return Link{}, fmt.Errorf("start login: %w", err)
	}
	id, err := s.newLinkID()
	if err != nil {
		return Link{}, fmt.Errorf("start login: %w", err)
	}
	now := s.now()
	window := now.Truncate(LinkTTL)
	l, err := s.Store.CreateLink(ctx, Link{
		ID: id, Key: r.Key, UserName: r.UserName, MessageID: r.MessageID, Trigger: keptTrigger(r.Trigger),
		Scopes: scopes, Created: now, Expires: now.Add(LinkTTL),
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

// OpenLink returns the link behind the page a user opened, without using it up:
// link previewers fetch pages too.
// An id the service never issued is refused before any store call.
func (s *Service) OpenLink(ctx context.Context, id string) (Link, error) {
	if !s.issuedLinkID(id) {
		return Link{}, refused(LinkGone, "")
	}
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return Link{}, s.storeProblem(err, refused(LinkGone, ""))
	}
	if !s.now().Before(l.Expires) {
		return Link{}, refused(LinkGone, l.Trigger)
	}
	return l, nil
}

// Authorize uses up the link and returns GitHub's authorize URL. browserSecret
// is the secret the web layer put in a cookie on the browser that pressed the
// button; only that browser can complete or cancel the login: the state is
// bound to it. An id the service never issued is refused before any store call.
func (s *Service) Authorize(ctx context.Context, linkID, browserSecret string) (string, error) {
	if browserSecret == "" {
		return "", errors.New("authorize: no browser secret")
	}
	if !s.issuedLinkID(linkID) {
		return "", refused(LinkGone, "")
	}
	l, err := s.Store.TakeLink(ctx, linkID)
	if err != nil {
		return "", s.storeProblem(err, refused(LinkGone, ""))
	}
	now := s.now()
	if !now.Before(l.Expires) {
		return "", refused(LinkGone, l.Trigger)
	}
	state, err := s.newState(browserSecret)
	if err != nil {
		return "", fmt.Errorf("authorize: %w", err)
	}
	verifier, err := randomString(48) // 64 characters, within PKCE's 43-128
	if err != nil {
		return "", err
	}
	p := Pending{State: state, Key: l.Key, UserName: l.UserName, Verifier: verifier,
		BrowserHash: hashSecret(browserSecret), Trigger: l.Trigger, Scopes: s.linkScopes(l.Scopes), Expires: now.Add(LinkTTL)}
	if err := s.Store.PutPending(ctx, p); err != nil {
		return "", failed(SignInNotStarted, l.Trigger, err)
	}
	return s.GitHub.AuthCodeURL(state, verifier, p.Scopes), nil
}

// CancelLogin uses up the state of an authorization GitHub reported as failed
// (the user denied it, say), so it cannot be completed later. Only the browser
// that started the sign-in can cancel it: for any other, or for a state the
// service never issued, it does nothing, without a store call. It returns
// the trigger word of the sign-in it cancelled, "" when it knows none.
func (s *Service) CancelLogin(ctx context.Context, state, browserSecret string) (trigger string) {
	if err := s.checkState(state, browserSecret); err != nil {
		s.log().InfoContext(ctx, "cancel login: not this browser's sign-in; nothing cancelled")
		return ""
	}
	p, err := s.Store.TakePending(ctx, state)
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.log().WarnContext(ctx, "cancel login: take pending", "error", err)
	}
	return p.Trigger
}

// CompleteLogin finishes the OAuth flow: it checks the state and the browser,
// exchanges the code, reads the GitHub user and makes the new session live,
// with its automatic logout scheduled before the token is stored. A state the
// service never issued, or one issued to another browser, is refused before
// any store call, so it cannot use up anyone's sign-in. Problems carry the
// sign-in's trigger word once the pending authorization is read.
func (s *Service) CompleteLogin(ctx context.Context, state, code, browserSecret string) (Login, error) {
	if err := s.checkState(state, browserSecret); err != nil {
		return Login{}, err
	}
	p, err := s.Store.TakePending(ctx, state)
	if err != nil {
		return Login{}, s.storeProblem(err, refused(StateGone, ""))
	}
	if !s.now().Before(p.Expires) {
		return Login{}, refused(StateGone, p.Trigger)
	}
	// The state's MAC already bound it to this browser; the stored hash is
	// checked too, in case the ID key was ever exposed.
	if subtle.ConstantTimeCompare(hashSecret(browserSecret), p.BrowserHash) != 1 {
		return Login{}, refused(OtherBrowser, p.Trigger)
	}
	// Only StartLogin makes links, and it checks the key; this guards the
	// session and its logout job against a record from anywhere else, before
	// GitHub issues a token.
	if err := p.Key.Validate(); err != nil {
		return Login{}, fmt.Errorf("complete login: %w", err)
	}
	if code == "" {
		return Login{}, refused(NoCode, p.Trigger)
	}
	tok, err := s.GitHub.Exchange(ctx, code, p.Verifier)
	if err != nil {
		s.count(ctx, FailureTokenExchange)
		return Login{}, exchangeProblem(err, p.Trigger)
	}
	user, err := s.GitHub.User(ctx, tok.AccessToken)
	if err != nil {
		s.count(ctx, FailureGitHubUser)
		s.revokeUntracked(ctx, p, tok.AccessToken)
		return Login{}, failed(GitHubUserUnknown, p.Trigger, err)
	}
	if user.Scopes == nil && tok.RefreshToken == "" && tok.ExpiresAt.IsZero() {
		// An OAuth App token whose scopes /user did not list. GitHub App
		// tokens have permissions, not scopes: nil keeps them uncompared.
		user.Scopes = tok.Scopes
	}
	asked := s.linkScopes(p.Scopes)
	if user.Scopes == nil {
		asked = nil // a GitHub App token: permissions, not scopes
	}
	sess, replaced, err := s.install(ctx, p, user, tok, asked)
	if err != nil {
		s.count(ctx, FailureStoreSession)
		s.revokeUntracked(ctx, p, tok.AccessToken)
		return Login{}, failed(SessionNotSaved, p.Trigger, err)
	}
	s.count(ctx, Logins)
	if replaced != nil {
		s.count(ctx, LogoutReplaced)
	}
	s.log().InfoContext(ctx, "login", "site", sess.Site, "user", sess.UserID,
		"github_login", sess.GitHubLogin, "generation", sess.Generation, "replaced", replaced != nil)
	s.publish(ctx, EventLoggedIn, sess.Key, sess.GitHubLogin, sess.Generation)
	if replaced != nil {
		s.finishRetired(ctx, Job{Site: replaced.Site, UserID: replaced.UserID, Generation: replaced.Generation})
	}
	var diff ScopeDiff
	// Compared with what this login asked for, not with today's settings.
	diff.Missing, diff.Extra = CompareScopes(asked, sess.Scopes)
	if !diff.Empty() {
		s.log().WarnContext(ctx, "granted scopes differ from those asked for", "site", sess.Site, "user", sess.UserID,
			"missing", diff.Missing, "extra", diff.Extra)
	}
	s.notify(ctx, Notice{Kind: NoticeLoggedIn, Key: sess.Key, Trigger: sess.Trigger,
		GitHubLogin: sess.GitHubLogin, Ends: sess.Ends, Scopes: diff})
	return Login{Session: sess, Scopes: diff}, nil
}

// linkScopes are the scopes a link or sign-in asks for: its own, or the
// default ones for a record stored before links kept them.
func (s *Service) linkScopes(scopes []string) []string {
	if scopes == nil {
		return s.Scopes
	}
	return scopes
}

// exchangeProblem is the problem of a failed code exchange: GitHubRefused
// with GitHub's code when GitHub answered, GitHubUnanswered otherwise.
func exchangeProblem(err error, trigger string) error {
	var oe *OAuthError
	if !errors.As(err, &oe) {
		return failed(GitHubUnanswered, trigger, err)
	}
	return &Problem{Kind: BadRequest, Reason: GitHubRefused, GitHubCode: oe.Code, Trigger: trigger, Err: err}
}
