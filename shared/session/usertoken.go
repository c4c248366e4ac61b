package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// ErrRefreshUnavailable means the session's GitHub App token expired and
// GitHub could not be asked for a new one (network, 5xx): the session stays
// and a later call tries again. It is not "not logged in": the edge says that
// GitHub could not be reached.
var ErrRefreshUnavailable = errors.New("GitHub could not be reached to refresh the session's token")

// UserToken returns the live session of k and a usable access token of it,
// refreshing a GitHub App token first when it is about to expire, for code
// that acts at GitHub as the user (chatops). ErrNotFound when k has no live
// session (or it is past its end); ErrEndedAtGitHub when GitHub refused the
// refresh and the session was ended; an error wrapping ErrRefreshUnavailable
// when GitHub could not be asked. The token is a secret: never log it.
// Session.Scopes is nil for a GitHub App token, which has the app's
// permissions instead: a scope check (ScopesCover) does not apply to it.
func (s *Service) UserToken(ctx context.Context, k Key) (UserToken, error) {
	_, ut, err := s.userToken(ctx, k)
	return ut, err
}

// userToken is UserToken that also returns the session as read, for the
// caller that goes on without a token when GitHub cannot refresh it (status).
func (s *Service) userToken(ctx context.Context, k Key) (Session, UserToken, error) {
	cur, err := s.Store.GetSession(ctx, k)
	if err != nil {
		return Session{}, UserToken{}, err
	}
	if !s.now().Before(cur.Ends) {
		// Past its end; the automatic logout is due and will revoke the token.
		return Session{}, UserToken{}, ErrNotFound
	}
	usable, token, err := s.usableToken(ctx, cur)
	if errors.Is(err, errRefreshFailed) {
		return cur, UserToken{}, fmt.Errorf("%w: %w", ErrRefreshUnavailable, err)
	}
	if err != nil {
		return Session{}, UserToken{}, err
	}
	return usable, UserToken{Session: usable, Token: token}, nil
}

// ErrTokenReplaced means the token GitHub refused is no longer the session's:
// a concurrent refresh replaced it (GitHub stops accepting the old access token
// of a refreshed pair), and GitHub accepts the one stored now. The session goes
// on; the caller asks UserToken again.
var ErrTokenReplaced = errors.New("the token GitHub refused was replaced by a refresh; the session goes on")

// TokenRejected ends the session of k and generation gen because GitHub
// answered 401 to its token (the user revoked it, say). Nothing is revoked:
// the token is dead already. It returns ErrEndedAtGitHub, or ErrNotFound when
// that session had ended or been replaced meanwhile, or ErrTokenReplaced when
// the session's token was refreshed meanwhile and GitHub accepts the new one.
func (s *Service) TokenRejected(ctx context.Context, k Key, gen int64) error {
	_, err := s.tokenRejected(ctx, k, gen, nil)
	return err
}

// tokenRejected is TokenRejected for the sealed token GitHub refused, when the
// caller knows it (nil: unknown). Unless the session still holds that token
// (or holds one that never changes), the token it holds is checked with
// GitHub first, on the caller's time: a refresh in between would otherwise
// end a healthy session. It returns the
// session as read.
func (s *Service) tokenRejected(ctx context.Context, k Key, gen int64, rejected []byte) (Session, error) {
	// GitHub's answer may have used up the request's time; ending the session
	// must not be lost with it: a deadline of its own.
	storeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	cur, err := s.Store.GetSession(storeCtx, k)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && cur.Generation != gen):
		return Session{}, ErrNotFound // ended or replaced meanwhile
	case err != nil:
		return Session{}, fmt.Errorf("read session with dead token: %w", err)
	}
	// Only an expiring token is ever refreshed, so only it can have changed.
	refreshable := !cur.TokenExpires.IsZero()
	if refreshable && (rejected == nil || !bytes.Equal(rejected, cur.SealedToken)) {
		if token, err := s.Sealer.Open(ctx, k, cur.SealedToken); err == nil {
			if _, err := s.GitHub.User(ctx, string(token)); err == nil {
				s.log().InfoContext(ctx, "token refused by GitHub was replaced by a refresh; session kept",
					"site", k.Site, "user", k.UserID, "generation", gen)
				return cur, ErrTokenReplaced
			}
		}
	}
	if _, err := s.Store.RetireSession(storeCtx, k, gen); err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			return Session{}, ErrNotFound // ended or replaced meanwhile
		}
		return Session{}, fmt.Errorf("end session with dead token: %w", err)
	}
	s.forget(storeCtx, Job{Site: k.Site, UserID: k.UserID, Generation: gen})
	s.count(storeCtx, LogoutRevokedAtGitHub)
	s.log().InfoContext(storeCtx, "logout", "reason", "revoked_at_github", "site", k.Site, "user", k.UserID, "generation", gen)
	s.publish(storeCtx, EventRevokedAtGitHub, k, cur.GitHubLogin, gen)
	return Session{}, ErrEndedAtGitHub
}
