package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"
)

const (
	// LinkTTL is how long a login link and an authorization in flight live.
	// GitHub's codes live 10 minutes too.
	LinkTTL = 10 * time.Minute
	// earlyTolerance lets an automatic logout fire a little before the session's
	// end (scheduler precision) but never end a session well before its time.
	earlyTolerance = 2 * time.Minute
	// The first retry waits longer than an invoker's own retries of the failed
	// run (Lambda's asynchronous retries come after about 1 and 2 minutes), so
	// those find the next attempt still pending and merely move it.
	firstRetryDelay = 5 * time.Minute
	maxRetryDelay   = 6 * time.Hour
	// cleanupTimeout bounds work that must finish after its request gave up.
	cleanupTimeout = 10 * time.Second
	// MaxLinksPerWindow is how many login links a user gets per LinkTTL window.
	MaxLinksPerWindow = 5
)

// Service runs the session lifecycle. Its zero value is not usable; fill every
// field but Notifier and Logger.
type Service struct {
	Store     Store
	Scheduler Scheduler
	Sealer    Sealer
	GitHub    GitHub
	Notifier  Notifier     // optional
	Metrics   Metrics      // optional
	Logger    *slog.Logger // optional
	Now       func() time.Time
	TTL       time.Duration // how long a session lives, 7 days in production
	// Scopes are the OAuth scopes asked for (GITHUB_SCOPES); what GitHub grants
	// is compared with them after each login (see ScopeNote).
	Scopes []string
}

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

// Status is what "/github status" reports.
type Status struct {
	Session
	// Checked is true when GitHub confirmed the token just now; false when GitHub
	// could not be asked (the session is kept).
	Checked bool
}

// ErrEndedAtGitHub means the token was revoked at GitHub (by the user, say), so
// the session was ended.
var ErrEndedAtGitHub = errors.New("session ended: GitHub no longer accepts its token")

// GetStatus returns the live session of k after checking its token with GitHub,
// refreshing a GitHub App token that is about to expire first. ErrNotFound when
// there is none; ErrEndedAtGitHub when GitHub refused the token or its refresh
// and the session was ended because of it.
func (s *Service) GetStatus(ctx context.Context, k Key) (Status, error) {
	cur, err := s.Store.GetSession(ctx, k)
	if err != nil {
		return Status{}, err
	}
	if !s.Now().Before(cur.Ends) {
		// Past its end; the automatic logout is due and will revoke the token.
		return Status{}, ErrNotFound
	}
	usable, token, err := s.usableToken(ctx, cur)
	if errors.Is(err, errRefreshFailed) {
		s.log().WarnContext(ctx, "status: github token refresh failed", "site", k.Site, "user", k.UserID, "error", err)
		return Status{Session: cur, Checked: false}, nil
	}
	if err != nil {
		return Status{}, err
	}
	cur = usable
	_, err = s.GitHub.User(ctx, token)
	switch {
	case err == nil:
		return Status{Session: cur, Checked: true}, nil
	case errors.Is(err, ErrTokenDead):
		if _, err := s.Store.RetireSession(ctx, k, cur.Generation); err != nil {
			if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
				return Status{}, ErrNotFound // ended or replaced meanwhile
			}
			return Status{}, fmt.Errorf("end session with dead token: %w", err)
		}
		// Nothing to revoke: the token is dead already.
		job := Job{Site: k.Site, UserID: k.UserID, Generation: cur.Generation}
		s.forget(ctx, job)
		s.count(ctx, "Logouts", "Reason", "revoked_at_github")
		s.log().InfoContext(ctx, "logout", "reason", "revoked_at_github", "site", k.Site, "user", k.UserID, "generation", cur.Generation)
		return Status{}, ErrEndedAtGitHub
	default:
		s.log().WarnContext(ctx, "status: github check failed", "site", k.Site, "user", k.UserID, "error", err)
		return Status{Session: cur, Checked: false}, nil
	}
}

// LogoutResult says how a logout went.
type LogoutResult struct {
	Session
	// Revoked is true when GitHub confirmed the revocation; false when it will be
	// retried in the background (the session is over either way).
	Revoked bool
}

// Logout ends the live session of k now. ErrNotFound when there is none.
func (s *Service) Logout(ctx context.Context, k Key) (LogoutResult, error) {
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := s.Store.GetSession(ctx, k)
		if err != nil {
			return LogoutResult{}, err
		}
		retired, err := s.Store.RetireSession(ctx, k, cur.Generation)
		if errors.Is(err, ErrConflict) {
			continue // a concurrent login replaced it; end the newer one
		}
		if err != nil {
			// The answer may have been lost after the write took effect.
			r, rerr := s.Store.GetRetired(ctx, k, cur.Generation)
			if rerr != nil {
				return LogoutResult{}, fmt.Errorf("end session: %w", err)
			}
			retired = r
		}
		s.count(ctx, "Logouts", "Reason", "user")
		s.log().InfoContext(ctx, "logout", "reason", "user", "site", k.Site, "user", k.UserID, "generation", retired.Generation)
		revoked := s.finishRetired(ctx, Job{Site: k.Site, UserID: k.UserID, Generation: retired.Generation})
		return LogoutResult{Session: retired, Revoked: revoked}, nil
	}
	return LogoutResult{}, fmt.Errorf("end session: %w after retries", ErrConflict)
}

// Expire runs a scheduled job: it ends the session of that generation if it is
// still live, revokes its token, and tells the user. A job for a session that
// was replaced or already ended does nothing, so running it twice is harmless.
// It returns an error when GitHub did not confirm the revocation, after
// scheduling a retry, so that the scheduler's own retries happen too.
func (s *Service) Expire(ctx context.Context, job Job) error {
	if err := job.Validate(); err != nil {
		return err
	}
	k := job.Key()
	expired := false
	cur, err := s.Store.GetSession(ctx, k)
	switch {
	case err == nil && cur.Generation == job.Generation:
		if s.Now().Add(earlyTolerance).Before(cur.Ends) {
			// Never end a live session before its time, whatever invoked us.
			s.log().WarnContext(ctx, "automatic logout before the session's end: rescheduled",
				"site", k.Site, "user", k.UserID, "generation", job.Generation, "ends", cur.Ends)
			next := Job{Site: k.Site, UserID: k.UserID, Generation: job.Generation, Attempt: job.Attempt + 1}
			return s.Scheduler.Schedule(ctx, next, cur.Ends)
		}
		if _, err := s.Store.RetireSession(ctx, k, job.Generation); err != nil &&
			!errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
			s.retryLater(ctx, job) // beyond the invoker's own few retries
			s.count(ctx, "Failures", "Kind", "automatic_logout")
			return fmt.Errorf("end expired session: %w", err)
		} else if err == nil {
			expired = true
			s.count(ctx, "Logouts", "Reason", "automatic")
			s.log().InfoContext(ctx, "logout", "reason", "automatic", "site", k.Site, "user", k.UserID, "generation", job.Generation)
		}
	case err != nil && !errors.Is(err, ErrNotFound):
		s.retryLater(ctx, job)
		s.count(ctx, "Failures", "Kind", "automatic_logout")
		return fmt.Errorf("read session: %w", err)
	}
	if expired {
		s.notify(ctx, k, "Your GitHub session ended: you are logged out automatically "+FormatDuration(s.TTL)+" after login. Type /github login to connect again.")
	}
	if !s.finishRetired(ctx, job) {
		return fmt.Errorf("revoke token of %s generation %d: GitHub did not confirm; retry scheduled", k.UserID, job.Generation)
	}
	return nil
}

// finishRetired revokes the token of a retired session and forgets it. When
// GitHub does not confirm, it schedules a retry and returns false; the sealed
// token is kept only for that retry.
func (s *Service) finishRetired(ctx context.Context, job Job) bool {
	k := job.Key()
	r, err := s.Store.GetRetired(ctx, k, job.Generation)
	if errors.Is(err, ErrNotFound) {
		s.cancelAll(ctx, job)
		return true // already revoked and forgotten
	}
	if err == nil {
		var token []byte
		token, err = s.Sealer.Open(ctx, k, r.SealedToken)
		if err == nil {
			err = s.GitHub.Revoke(ctx, string(token))
		}
	}
	if err == nil {
		s.forget(ctx, job)
		return true
	}
	s.count(ctx, "Failures", "Kind", "revocation")
	s.log().ErrorContext(ctx, "revoke token: not confirmed, will retry", "site", k.Site, "user", k.UserID,
		"generation", job.Generation, "attempt", job.Attempt+1, "retry_in", retryDelay(job.Attempt+1).String(), "error", err)
	s.retryLater(ctx, job)
	return false
}

// forget deletes a retired session whose token is dead and cancels what is
// still scheduled for it.
func (s *Service) forget(ctx context.Context, job Job) {
	if err := s.Store.DeleteRetired(ctx, job.Key(), job.Generation); err != nil {
		// Keep a job for the record: a later run finds the token dead and
		// deletes it then.
		s.log().WarnContext(ctx, "delete retired session: will retry", "site", job.Site, "user", job.UserID, "error", err)
		s.retryLater(ctx, job)
		return
	}
	s.cancelAll(ctx, job)
}

// retryLater schedules the next attempt of job, backing off with the attempt
// count; a failure to schedule is logged (the scheduler's own retries remain).
func (s *Service) retryLater(ctx context.Context, job Job) {
	next := Job{Site: job.Site, UserID: job.UserID, Generation: job.Generation, Attempt: job.Attempt + 1}
	delay := retryDelay(next.Attempt)
	if err := s.Scheduler.Schedule(ctx, next, s.Now().Add(delay)); err != nil {
		s.log().ErrorContext(ctx, "could not schedule a retry", "site", job.Site, "user", job.UserID,
			"generation", job.Generation, "attempt", next.Attempt, "error", err)
	}
}

// cancelAll cancels the session's automatic logout and, when job is a retry,
// the retry itself. Retries scheduled between them find nothing to do.
func (s *Service) cancelAll(ctx context.Context, job Job) {
	s.cancel(ctx, Job{Site: job.Site, UserID: job.UserID, Generation: job.Generation})
	if job.Attempt > 0 {
		s.cancel(ctx, job)
	}
}

// cancel removes a pending job, best effort: a leftover job finds nothing to do.
func (s *Service) cancel(ctx context.Context, job Job) {
	if err := s.Scheduler.Cancel(ctx, job); err != nil {
		s.log().WarnContext(ctx, "cancel scheduled logout", "site", job.Site, "user", job.UserID,
			"generation", job.Generation, "error", err)
	}
}

// revokeUntracked revokes a token of a login that failed. When GitHub does not
// confirm, the token is kept sealed as a retired session of its own generation,
// with a retry scheduled, like any other token awaiting revocation; only if
// that fails too is it lost (and logged).
func (s *Service) revokeUntracked(ctx context.Context, p Pending, token string) {
	// The request may be out of time already (a slow GitHub): this clean-up
	// gets a deadline of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	err := s.GitHub.Revoke(ctx, token)
	if err == nil {
		return
	}
	s.log().ErrorContext(ctx, "revoke token of a failed login: not confirmed, will retry", "site", p.Site, "user", p.UserID, "error", err)
	if err = s.keepForRetry(ctx, p, token); err != nil {
		s.log().ErrorContext(ctx, "token of a failed login left alive at GitHub: could not keep it for a retry",
			"site", p.Site, "user", p.UserID, "error", err)
	}
}

// keepForRetry stores a token awaiting revocation as a retired session of a
// generation of its own, its retry scheduled first so that the stored token is
// never without one.
func (s *Service) keepForRetry(ctx context.Context, p Pending, token string) error {
	sealed, err := s.Sealer.Seal(ctx, p.Key, []byte(token))
	if err != nil {
		return err
	}
	gen, err := newGeneration(nil)
	if err != nil {
		return err
	}
	now := s.Now()
	job := Job{Site: p.Site, UserID: p.UserID, Generation: gen, Attempt: 1}
	if err := s.Scheduler.Schedule(ctx, job, now.Add(retryDelay(1))); err != nil {
		return err
	}
	r := Session{Key: p.Key, UserName: p.UserName, SealedToken: sealed, Started: now, Ends: now, Generation: gen}
	if err := s.Store.PutRetired(ctx, r); err != nil {
		s.cancel(ctx, job)
		return err
	}
	return nil
}

func (s *Service) count(ctx context.Context, metric, dimension, value string) {
	if s.Metrics != nil {
		s.Metrics.Count(ctx, metric, dimension, value)
	}
}

func (s *Service) notify(ctx context.Context, k Key, text string) {
	if s.Notifier == nil {
		return
	}
	if err := s.Notifier.Notify(ctx, k, text); err != nil {
		s.count(ctx, "Failures", "Kind", "notify")
		s.log().WarnContext(ctx, "notify user", "site", k.Site, "user", k.UserID, "error", err)
	}
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// storeProblem maps ErrNotFound to the given problem and other store failures
// to an "unavailable" one.
func (s *Service) storeProblem(err error, notFound *Problem) error {
	if errors.Is(err, ErrNotFound) {
		return notFound
	}
	return &Problem{Kind: Unavailable, Err: err,
		Message: "Our storage is unavailable right now. Wait a minute, then type /github login in Rocket.Chat to try again."}
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

// FormatTime is how times are shown to users: absolute, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func retryDelay(attempt int) time.Duration {
	d := firstRetryDelay
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// newGeneration picks a random generation, different from the current one. It
// stays below 2^53 so that it survives JSON in any language.
func newGeneration(prev *Session) (int64, error) {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<53-1))
		if err != nil {
			return 0, fmt.Errorf("generation: %w", err)
		}
		g := n.Int64() + 1
		if prev == nil || g != prev.Generation {
			return g, nil
		}
	}
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// FormatDuration is how durations are shown to users: days, hours and
// minutes, leaving minutes out at day scale.
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hours := int(d / time.Hour)
	mins := int((d - time.Duration(hours)*time.Hour) / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if hours > 0 {
		parts = append(parts, plural(hours, "hour"))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, plural(mins, "minute"))
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
