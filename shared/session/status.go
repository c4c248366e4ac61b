package session

import (
	"context"
	"errors"
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
	cur, ut, err := s.userToken(ctx, k)
	if errors.Is(err, ErrRefreshUnavailable) {
		s.log().WarnContext(ctx, "status: github token refresh failed", "site", k.Site, "user", k.UserID, "error", err)
		return Status{Session: cur, Checked: false}, nil
	}
	if err != nil {
		return Status{}, err
	}
	_, err = s.GitHub.User(ctx, ut.Token)
	switch {
	case err == nil:
		return Status{Session: ut.Session, Checked: true}, nil
	case errors.Is(err, ErrTokenDead):
		latest, err := s.tokenRejected(ctx, k, ut.Generation, ut.SealedToken)
		if errors.Is(err, ErrTokenReplaced) {
			// A concurrent refresh replaced the token; GitHub accepts the new one.
			return Status{Session: latest, Checked: true}, nil
		}
		return Status{}, err
	default:
		s.log().WarnContext(ctx, "status: github check failed", "site", k.Site, "user", k.UserID, "error", err)
		return Status{Session: ut.Session, Checked: false}, nil
	}
}
