package session

import (
	"context"
	"errors"
	"fmt"
)

// install makes a new session live: its automatic logout is scheduled first, so
// that no stored token ever lacks one, then the session is written conditionally
// on the generation it replaces. A concurrent login of the same user makes the
// write conflict; it is retried against the newer state.
// asked are the scopes the login asked for, kept with the session.
func (s *Service) install(ctx context.Context, p Pending, user User, tok Token, asked []string) (Session, *Session, error) {
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
		now := s.now()
		sess := Session{Key: p.Key, UserName: p.UserName, GitHubLogin: user.Login, GitHubID: user.ID,
			Scopes: user.Scopes, AskedScopes: asked, Trigger: p.Trigger, SealedToken: sealed, SealedRefresh: sealedRefresh,
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

// landed reports whether the store's live session for s.Key is s.
func (s *Service) landed(ctx context.Context, sess Session) bool {
	cur, err := s.Store.GetSession(ctx, sess.Key)
	return err == nil && cur.Generation == sess.Generation
}
