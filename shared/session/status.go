package session

import (
	"context"
	"errors"
	"fmt"
)

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
	if !s.now().Before(cur.Ends) {
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
		s.count(ctx, LogoutRevokedAtGitHub)
		s.log().InfoContext(ctx, "logout", "reason", "revoked_at_github", "site", k.Site, "user", k.UserID, "generation", cur.Generation)
		s.publish(ctx, EventRevokedAtGitHub, k, cur.GitHubLogin, cur.Generation)
		return Status{}, ErrEndedAtGitHub
	default:
		s.log().WarnContext(ctx, "status: github check failed", "site", k.Site, "user", k.UserID, "error", err)
		return Status{Session: cur, Checked: false}, nil
	}
}
