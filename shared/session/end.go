package session

import (
	"context"
	"errors"
	"fmt"
	"time"
)

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

func retryDelay(attempt int) time.Duration {
	d := firstRetryDelay
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}
