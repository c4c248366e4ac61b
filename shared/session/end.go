package session

import (
	"context"
	"errors"
	"fmt"
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
		s.count(ctx, LogoutUser)
		s.log().InfoContext(ctx, "logout", "reason", "user", "site", k.Site, "user", k.UserID, "generation", retired.Generation)
		s.publish(ctx, EventLoggedOut, k, retired.GitHubLogin, retired.Generation)
		// A revocation left without a retry is logged and counted by
		// finishRetired; the session is over for the user either way.
		revoked, _ := s.finishRetired(ctx, Job{Site: k.Site, UserID: k.UserID, Generation: retired.Generation})
		return LogoutResult{Session: retired, Revoked: revoked}, nil
	}
	return LogoutResult{}, fmt.Errorf("end session: %w after retries", ErrConflict)
}

// Expire runs a scheduled job: it ends the session of that generation if it is
// still live, revokes its token, and tells the user. A job for a session that
// was replaced or already ended does nothing, so running it twice is harmless.
//
// It returns an error only when the work is unfinished and no retry of its own
// is pending (the job is malformed, or the retry could not be scheduled): only
// then can the invoker's retries and its on-failure queue help. A run whose
// retry is scheduled has done what it can and returns nil, as does a run that
// gave up at the retry cap (see MaxRevocationAttempt), which its own metric
// and ERROR line report.
func (s *Service) Expire(ctx context.Context, job Job) error {
	if err := job.Validate(); err != nil {
		return err
	}
	k := job.Key()
	expired := false
	cur, err := s.Store.GetSession(ctx, k)
	switch {
	case err == nil && cur.Generation == job.Generation:
		if s.now().Add(earlyTolerance).Before(cur.Ends) {
			// Never end a live session before its time, whatever invoked us.
			s.log().WarnContext(ctx, "automatic logout before the session's end: rescheduled",
				"site", k.Site, "user", k.UserID, "generation", job.Generation, "ends", cur.Ends)
			next := Job{Site: k.Site, UserID: k.UserID, Generation: job.Generation, Attempt: job.Attempt + 1}
			if err := s.Scheduler.Schedule(ctx, next, cur.Ends); err != nil {
				s.count(ctx, FailureRetryUnscheduled)
				return fmt.Errorf("reschedule automatic logout: %w: %w", errRetryUnscheduled, err)
			}
			return nil
		}
		if _, err := s.Store.RetireSession(ctx, k, job.Generation); err != nil &&
			!errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
			return s.expireLater(ctx, job, "end expired session", "end expired session", err)
		} else if err == nil {
			expired = true
			s.count(ctx, LogoutAutomatic)
			s.log().InfoContext(ctx, "logout", "reason", "automatic", "site", k.Site, "user", k.UserID, "generation", job.Generation)
			s.publish(ctx, EventLoggedOutAutomatically, k, cur.GitHubLogin, job.Generation)
		}
	case err != nil && !errors.Is(err, ErrNotFound):
		return s.expireLater(ctx, job, "read session for its automatic logout", "read session", err)
	}
	if expired {
		s.notify(ctx, Notice{Kind: NoticeLoggedOutAutomatically, Key: k, Trigger: cur.Trigger,
			GitHubLogin: cur.GitHubLogin, TTL: s.TTL})
	}
	if _, err := s.finishRetired(ctx, job); err != nil {
		return fmt.Errorf("revoke token of %s generation %d: %w", k.UserID, job.Generation, err)
	}
	return nil
}

// expireLater handles a store failure during an automatic logout: it counts
// and logs the failure (logged as step) and schedules the job's next run,
// postponed: a store failure is not GitHub's, so it uses up no revocation
// attempt. It returns an error, wrapped as wrap, only when the run could not
// be scheduled, as Expire's contract says.
func (s *Service) expireLater(ctx context.Context, job Job, step, wrap string, err error) error {
	s.count(ctx, FailureAutomaticLogout)
	s.log().WarnContext(ctx, step+": will retry", "site", job.Site, "user", job.UserID,
		"generation", job.Generation, "error", err)
	next := job
	next.Postponed++
	if serr := s.scheduleNext(ctx, next, s.now().Add(endRetryDelay(job.Attempt+job.Postponed+1))); serr != nil {
		return fmt.Errorf("%s: %w; and %w", wrap, err, serr)
	}
	return nil
}
