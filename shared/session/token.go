package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// GitHub App user tokens expire after 8 hours and come with a refresh token
// that works once; OAuth App tokens never expire. This file hands out a usable
// access token for a live session, refreshing it when it is about to expire.

const (
	// refreshMargin: a token that expires within it is refreshed before use,
	// so that it does not die on the way to GitHub.
	refreshMargin = time.Minute
	// A refresh GitHub refused may have lost to a concurrent one that has not
	// stored its new pair yet: the store is read again this many times, waiting
	// twice as long each time from firstRereadDelay.
	rereads          = 5
	firstRereadDelay = 50 * time.Millisecond
)

// errRefreshRefused means the refresh token is expired, used or revoked and no
// newer token was stored: the session cannot go on.
var errRefreshRefused = errors.New("github refused to refresh the token")

// errRefreshFailed means GitHub could not be asked to refresh the token
// (network, 5xx): the session stays, and a later call tries again.
var errRefreshFailed = errors.New("token refresh failed")

// usableToken returns the session as stored and its access token, refreshed
// first when it expires within refreshMargin. ErrNotFound when the session was
// ended or replaced meanwhile; ErrEndedAtGitHub when the refresh truly failed
// and the session was ended because of it.
func (s *Service) usableToken(ctx context.Context, cur Session) (Session, string, error) {
	if cur.TokenExpires.IsZero() || s.now().Add(refreshMargin).Before(cur.TokenExpires) {
		token, err := s.Sealer.Open(ctx, cur.Key, cur.SealedToken)
		if err != nil {
			return Session{}, "", fmt.Errorf("open token: %w", err)
		}
		return cur, string(token), nil
	}
	next, token, err := s.refresh(ctx, cur)
	if errors.Is(err, errRefreshRefused) {
		s.log().InfoContext(ctx, "token refresh refused", "site", cur.Site, "user", cur.UserID, "generation", cur.Generation, "error", err)
		return Session{}, "", s.endRefused(ctx, cur)
	}
	if err != nil {
		return Session{}, "", err
	}
	return next, token, nil
}

// refresh trades the session's refresh token for a new pair and stores it,
// keeping the generation. When GitHub refuses because a concurrent refresh
// used the refresh token first, the pair that one stored is used instead.
func (s *Service) refresh(ctx context.Context, cur Session) (Session, string, error) {
	if len(cur.SealedRefresh) == 0 ||
		(!cur.RefreshExpires.IsZero() && !s.now().Before(cur.RefreshExpires)) {
		// Nobody can refresh it any more, a concurrent caller neither.
		return Session{}, "", fmt.Errorf("%w: refresh token missing or expired", errRefreshRefused)
	}
	refreshToken, err := s.Sealer.Open(ctx, cur.Key, cur.SealedRefresh)
	if err != nil {
		return Session{}, "", fmt.Errorf("open refresh token: %w", err)
	}
	tok, err := s.GitHub.Refresh(ctx, string(refreshToken))
	var oe *OAuthError
	if errors.As(err, &oe) {
		// Counted once, as the logout it causes (LogoutRevokedAtGitHub), if
		// no concurrent refresh stored a newer pair.
		return s.storedByOther(ctx, cur, fmt.Errorf("%w: %w", errRefreshRefused, err))
	}
	if err != nil {
		// GitHub could not be asked: the session stays.
		s.count(ctx, FailureTokenRefresh)
		return Session{}, "", fmt.Errorf("%w: %w", errRefreshFailed, err)
	}
	next, err := s.storeRefreshed(ctx, cur, tok)
	if err != nil {
		// The new pair is live at GitHub but not ours to keep: revoke it.
		s.revokeUntracked(ctx, Pending{Key: cur.Key, UserName: cur.UserName}, tok.AccessToken)
		return Session{}, "", err
	}
	s.log().InfoContext(ctx, "token refreshed", "site", cur.Site, "user", cur.UserID, "generation", cur.Generation)
	return next, tok.AccessToken, nil
}

// storeRefreshed stores the refreshed pair in the live session of cur's
// generation and returns the session as stored. GitHub has already used up
// the old refresh token, so a pair not stored ends the session at the next
// refresh: the write gets a deadline of its own (the request may be out of
// time once GitHub answered) and is tried twice.
func (s *Service) storeRefreshed(ctx context.Context, cur Session, tok Token) (Session, error) {
	sealed, sealedRefresh, err := s.sealPair(ctx, cur.Key, tok)
	if err != nil {
		return Session{}, err
	}
	next := cur
	next.SealedToken, next.SealedRefresh = sealed, sealedRefresh
	next.TokenExpires, next.RefreshExpires = tok.ExpiresAt, tok.RefreshExpiresAt
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err = s.Store.UpdateToken(ctx, cur.Key, cur.Generation, sealed, sealedRefresh, tok.ExpiresAt, tok.RefreshExpiresAt)
		switch {
		case err == nil:
			return next, nil
		case errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound):
			return Session{}, ErrNotFound // ended or replaced meanwhile
		}
		// The answer may have been lost after the write took effect.
		if latest, rerr := s.Store.GetSession(ctx, cur.Key); rerr == nil &&
			latest.Generation == cur.Generation && bytes.Equal(latest.SealedToken, sealed) {
			return latest, nil
		}
		if attempt == 1 || ctx.Err() != nil {
			return Session{}, fmt.Errorf("store refreshed token: %w", err)
		}
		s.log().WarnContext(ctx, "store refreshed token: will try again", "site", cur.Site, "user", cur.UserID,
			"generation", cur.Generation, "error", err)
	}
}

// storedByOther reads the session again after a refresh GitHub refused: when
// a concurrent refresh stored a newer token meanwhile, that one is used.
// Otherwise it returns refused; ErrNotFound when the session ended or was
// replaced meanwhile.
func (s *Service) storedByOther(ctx context.Context, cur Session, refused error) (Session, string, error) {
	delay := firstRereadDelay
	for i := 0; i < rereads; i++ {
		latest, err := s.Store.GetSession(ctx, cur.Key)
		switch {
		case errors.Is(err, ErrNotFound) || (err == nil && latest.Generation != cur.Generation):
			return Session{}, "", ErrNotFound
		case err != nil:
			return Session{}, "", fmt.Errorf("read session after a refused refresh: %w", err)
		case !bytes.Equal(latest.SealedToken, cur.SealedToken):
			token, err := s.Sealer.Open(ctx, latest.Key, latest.SealedToken)
			if err != nil {
				return Session{}, "", fmt.Errorf("open token: %w", err)
			}
			return latest, string(token), nil
		}
		if i == rereads-1 {
			break
		}
		// The winner may have the new pair from GitHub but not stored it yet.
		select {
		case <-ctx.Done():
			return Session{}, "", fmt.Errorf("read session after a refused refresh: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
	return Session{}, "", refused
}

// endRefused ends a session whose token GitHub will not refresh, revoking what
// is stored (GitHub confirms a dead token as such), and returns
// ErrEndedAtGitHub, or ErrNotFound when it ended or was replaced meanwhile.
func (s *Service) endRefused(ctx context.Context, cur Session) error {
	if _, err := s.Store.RetireSession(ctx, cur.Key, cur.Generation); err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			return ErrNotFound
		}
		return fmt.Errorf("end session whose token cannot be refreshed: %w", err)
	}
	s.count(ctx, LogoutRevokedAtGitHub)
	s.log().InfoContext(ctx, "logout", "reason", "revoked_at_github", "cause", "refresh_refused", "site", cur.Site, "user", cur.UserID, "generation", cur.Generation)
	s.publish(ctx, EventRevokedAtGitHub, cur.Key, cur.GitHubLogin, cur.Generation)
	s.finishRetired(ctx, Job{Site: cur.Site, UserID: cur.UserID, Generation: cur.Generation})
	return ErrEndedAtGitHub
}

// sealPair seals a token and, for GitHub App tokens, its refresh token.
func (s *Service) sealPair(ctx context.Context, k Key, tok Token) (sealed, sealedRefresh []byte, err error) {
	sealed, err = s.Sealer.Seal(ctx, k, []byte(tok.AccessToken))
	if err != nil {
		return nil, nil, fmt.Errorf("seal token: %w", err)
	}
	if tok.RefreshToken == "" {
		return sealed, nil, nil
	}
	sealedRefresh, err = s.Sealer.Seal(ctx, k, []byte(tok.RefreshToken))
	if err != nil {
		return nil, nil, fmt.Errorf("seal refresh token: %w", err)
	}
	return sealed, sealedRefresh, nil
}

// UserToken is a live session and a usable access token of it, for code that
// acts at GitHub as the user (chatops). The token is a secret: never log it.
type UserToken struct {
	Session
	Token string
}
