package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
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
// A key that breaks the rule of Key.Validate is refused (ErrInvalidKey), and
// without an IDKey no link is made (ErrNoIDKey), both before any store call.
func (s *Service) StartLogin(ctx context.Context, r LinkRequest) (Link, error) {
	if err := r.Key.Validate(); err != nil {
		return Link{}, fmt.Errorf("start login: %w", err)
	}
	id, err := s.newLinkID()
	if err != nil {
		return Link{}, fmt.Errorf("start login: %w", err)
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
// An id the service never issued is refused before any store call.
func (s *Service) OpenLink(ctx context.Context, id string) (Link, error) {
	if !s.issuedLinkID(id) {
		return Link{}, errLinkGone
	}
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
// button; only that browser can complete or cancel the login: the state is
// bound to it. An id the service never issued is refused before any store call.
func (s *Service) Authorize(ctx context.Context, linkID, browserSecret string) (string, error) {
	if browserSecret == "" {
		return "", errors.New("authorize: no browser secret")
	}
	if !s.issuedLinkID(linkID) {
		return "", errLinkGone
	}
	l, err := s.Store.TakeLink(ctx, linkID)
	if err != nil {
		return "", s.storeProblem(err, errLinkGone)
	}
	now := s.Now()
	if !now.Before(l.Expires) {
		return "", errLinkGone
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
		BrowserHash: hashSecret(browserSecret), Expires: now.Add(LinkTTL)}
	if err := s.Store.PutPending(ctx, p); err != nil {
		return "", &Problem{Kind: Unavailable, Err: err,
			Message: "We could not start the GitHub sign-in because our storage is unavailable. Type /github login in Rocket.Chat to try again."}
	}
	return s.GitHub.AuthCodeURL(state, verifier), nil
}

var errStateGone = &Problem{Kind: BadRequest,
	Message: "This GitHub sign-in is unknown, was already used, or has expired. Type /github login in Rocket.Chat for a fresh link."}

var errOtherBrowser = &Problem{Kind: BadRequest,
	Message: "This GitHub sign-in was started in another browser, so it cannot finish here. Open the link from Rocket.Chat in this browser: type /github login for a fresh link."}

// CancelLogin uses up the state of an authorization GitHub reported as failed
// (the user denied it, say), so it cannot be completed later. Only the browser
// that started the sign-in can cancel it: for any other, or for a state the
// service never issued, it does nothing, without a store call.
func (s *Service) CancelLogin(ctx context.Context, state, browserSecret string) {
	if err := s.checkState(state, browserSecret); err != nil {
		s.log().InfoContext(ctx, "cancel login: not this browser's sign-in; nothing cancelled")
		return
	}
	if _, err := s.Store.TakePending(ctx, state); err != nil && !errors.Is(err, ErrNotFound) {
		s.log().WarnContext(ctx, "cancel login: take pending", "error", err)
	}
}

// CompleteLogin finishes the OAuth flow: it checks the state and the browser,
// exchanges the code, reads the GitHub user and makes the new session live,
// with its automatic logout scheduled before the token is stored. A state the
// service never issued, or one issued to another browser, is refused before
// any store call, so it cannot use up anyone's sign-in.
func (s *Service) CompleteLogin(ctx context.Context, state, code, browserSecret string) (Session, error) {
	if err := s.checkState(state, browserSecret); err != nil {
		return Session{}, err
	}
	p, err := s.Store.TakePending(ctx, state)
	if err != nil {
		return Session{}, s.storeProblem(err, errStateGone)
	}
	if !s.Now().Before(p.Expires) {
		return Session{}, errStateGone
	}
	// The state's MAC already bound it to this browser; the stored hash is
	// checked too, in case the ID key was ever exposed.
	if subtle.ConstantTimeCompare(hashSecret(browserSecret), p.BrowserHash) != 1 {
		return Session{}, errOtherBrowser
	}
	// Only StartLogin makes links, and it checks the key; this guards the
	// session and its logout job against a record from anywhere else, before
	// GitHub issues a token.
	if err := p.Key.Validate(); err != nil {
		return Session{}, fmt.Errorf("complete login: %w", err)
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

// Login link ids and OAuth states carry a MAC under Service.IDKey, so that a
// value the service never issued is refused before any store call:
// unauthenticated junk costs nothing durable (a bbolt sync, a billed DynamoDB
// request). A state carries a second MAC over the browser secret's hash, so
// that only the browser holding the binding cookie can consume or cancel its
// sign-in. Each part is idPartLen bytes, and a link id has two parts, a state
// three: lengths that are multiples of 3 have a single base64 spelling.
const (
	// MinIDKeyLen is the shortest Service.IDKey accepted: HMAC-SHA256's
	// output size, the shortest key RFC 2104 (section 3) recommends.
	MinIDKeyLen = 32
	idPartLen   = 18 // 144 bits of nonce, and of each truncated MAC
	linkIDParts = 2  // nonce, MAC
	stateParts  = 3  // nonce, MAC, MAC over the browser secret's hash
)

// The labels keep the MACs of the three uses apart; the parts after them
// have fixed lengths, so no two inputs of one label run together.
const (
	labelLinkID       = "rcgithub link id\x00"
	labelState        = "rcgithub oauth state\x00"
	labelStateBrowser = "rcgithub oauth state browser\x00"
)

var idEncoding = base64.RawURLEncoding.Strict()

// idTag is the MAC of parts under the service's ID key, for one label.
func (s *Service) idTag(label string, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, s.IDKey)
	m.Write([]byte(label))
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)[:idPartLen]
}

func (s *Service) newLinkID() (string, error) {
	if len(s.IDKey) < MinIDKeyLen {
		return "", ErrNoIDKey
	}
	nonce, err := randomBytes(idPartLen)
	if err != nil {
		return "", err
	}
	return idEncoding.EncodeToString(append(nonce, s.idTag(labelLinkID, nonce)...)), nil
}

// issuedLinkID tells whether the service issued id (or could have: its MAC is
// right). It reads nothing but id.
func (s *Service) issuedLinkID(id string) bool {
	b, ok := s.decodeID(id, linkIDParts)
	return ok && hmac.Equal(b[idPartLen:], s.idTag(labelLinkID, b[:idPartLen]))
}

func (s *Service) newState(browserSecret string) (string, error) {
	if len(s.IDKey) < MinIDKeyLen {
		return "", ErrNoIDKey
	}
	nonce, err := randomBytes(idPartLen)
	if err != nil {
		return "", err
	}
	b := append(nonce, s.idTag(labelState, nonce)...)
	b = append(b, s.idTag(labelStateBrowser, nonce, hashSecret(browserSecret))...)
	return idEncoding.EncodeToString(b), nil
}

// checkState refuses, reading nothing but its arguments, a state the service
// never issued (errStateGone) and one it issued to another browser, or a
// request without the binding cookie (errOtherBrowser).
func (s *Service) checkState(state, browserSecret string) error {
	b, ok := s.decodeID(state, stateParts)
	if !ok {
		return errStateGone
	}
	nonce := b[:idPartLen]
	if !hmac.Equal(b[idPartLen:2*idPartLen], s.idTag(labelState, nonce)) {
		return errStateGone
	}
	if browserSecret == "" || !hmac.Equal(b[2*idPartLen:], s.idTag(labelStateBrowser, nonce, hashSecret(browserSecret))) {
		return errOtherBrowser
	}
	return nil
}

// decodeID decodes an id of n parts; ok is false for any other length or
// spelling, and always without a usable ID key, which then accepts nothing.
func (s *Service) decodeID(id string, n int) (b []byte, ok bool) {
	if len(s.IDKey) < MinIDKeyLen || len(id) != idEncoding.EncodedLen(n*idPartLen) {
		return nil, false // checked first: an oversized value costs no decoding
	}
	b, err := idEncoding.DecodeString(id)
	if err != nil || len(b) != n*idPartLen || idEncoding.EncodeToString(b) != id {
		return nil, false // the decoder skips newlines: only the one spelling passes
	}
	return b, true
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	return b, nil
}
