package session

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// This file revokes the tokens of ended sessions and retries what GitHub or
// the store did not confirm.

// MaxRevocationAttempt is the last retry of a revocation GitHub does not
// confirm: the retries back off from 5 minutes, doubling, to every 6 hours,
// and attempt 33 runs about 6 days 23 hours after the first failure, so the
// service gives up after about 7 days (MaxRevocationRetryTime). When that
// attempt fails too it logs an ERROR line with the job's fields, counts
// Failures Kind=revocation_abandoned and keeps the sealed token: the token is
// alive at GitHub either way, and the kept record lets an operator retry
// (invoke the logout function with that job) once GitHub answers again.
const MaxRevocationAttempt = 33

// MaxRevocationRetryTime bounds how long after the first failure a revocation
// is still retried; MaxRevocationAttempt is the last attempt within it.
const MaxRevocationRetryTime = 7 * 24 * time.Hour

// revocationOverdueAfter is how long after the first failure a revocation
// still unconfirmed counts Failures Kind=revocation_overdue (the alarm "GitHub
// has not confirmed a revocation for an hour").
const revocationOverdueAfter = time.Hour

// errRetryUnscheduled marks work left undone with no retry pending.
var errRetryUnscheduled = errors.New("no retry could be scheduled")

// RateLimitError is what GitHub.Revoke returns when GitHub refused the call
// for its rate limit (or the client held it back to stay under it): not an
// answer about the token, so the revocation is postponed, not counted as a
// failure nor as an attempt toward MaxRevocationAttempt.
type RateLimitError struct {
	// RetryAt is the earliest time to call again (GitHub's x-ratelimit-reset,
	// or now plus its retry-after).
	RetryAt time.Time
	// Spread is how long after RetryAt the postponed revocations are spread
	// (at random), so that a backlog drains at a paced rate instead of all at
	// RetryAt: GitHub's window (an hour) for its primary limit.
	Spread time.Duration
	// Limit says which limit it was, for logs ("primary", "secondary", "paced").
	Limit string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("github rate limit (%s): retry at %s", e.Limit, e.RetryAt.UTC().Format(time.RFC3339))
}

// finishRetired revokes the token of a retired session and forgets it. It
// reports revoked when GitHub confirmed (or the record is already gone). When
// GitHub does not confirm, it schedules a retry, keeping the sealed token only
// for it, and returns false with a nil error; at the retry cap it gives up
// (false, nil). The error is set only when no retry could be scheduled.
//
// Only GitHub's own answer counts as a failed attempt: when GitHub refuses for
// its rate limit (RateLimitError), or the store or the sealer fails before
// GitHub is asked, the run is postponed (see postpone), with nothing counted
// toward the cap.
func (s *Service) finishRetired(ctx context.Context, job Job) (revoked bool, err error) {
	k := job.Key()
	r, err := s.Store.GetRetired(ctx, k, job.Generation)
	if errors.Is(err, ErrNotFound) {
		s.cancelAll(ctx, job)
		return true, nil // already revoked and forgotten
	}
	askedGitHub := false
	if err == nil {
		var token []byte
		token, err = s.Sealer.Open(ctx, k, r.SealedToken)
		if err == nil {
			askedGitHub = true
			err = s.GitHub.Revoke(ctx, string(token))
		}
	}
	// What follows must happen even when the revocation used up the caller's
	// time (a slow GitHub at the webhook's deadline): a deadline of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err == nil {
		s.forget(ctx, job)
		return true, nil
	}
	var limited *RateLimitError
	switch {
	case job.Postponed >= maxAttempt:
		// Postponed as often as a job can say: count it as an attempt, so
		// that the cap ends it.
	case errors.As(err, &limited):
		return false, s.postpone(ctx, job, limited.RetryAt.Add(postponeSpread(limited.Spread, job.Postponed)), "GitHub's rate limit", err)
	case !askedGitHub:
		return false, s.postpone(ctx, job, s.now().Add(retryDelay(job.Attempt+job.Postponed+1)), "the store or KMS failed", err)
	}
	s.count(ctx, FailureRevocation)
	pending := revocationPending(job.Attempt)
	if pending >= revocationOverdueAfter {
		s.count(ctx, FailureRevocationOverdue)
	}
	if job.Attempt >= MaxRevocationAttempt {
		s.count(ctx, FailureRevocationAbandoned)
		s.log().ErrorContext(ctx, "revoke token: not confirmed, retries given up; the token may outlive its session and stays sealed in the store",
			"site", k.Site, "user", k.UserID, "generation", job.Generation, "attempt", job.Attempt,
			"unconfirmed_for", pending.String(), "error", err)
		return false, nil
	}
	s.log().ErrorContext(ctx, "revoke token: not confirmed, will retry", "site", k.Site, "user", k.UserID,
		"generation", job.Generation, "attempt", job.Attempt+1, "retry_in", retryDelay(job.Attempt+1).String(), "error", err)
	if serr := s.retryLater(ctx, job, retryDelay); serr != nil {
		return false, fmt.Errorf("GitHub did not confirm (%w), and %w", err, serr)
	}
	return false, nil
}

// forget deletes a retired session whose token is dead and cancels what is
// still scheduled for it.
func (s *Service) forget(ctx context.Context, job Job) {
	if err := s.Store.DeleteRetired(ctx, job.Key(), job.Generation); err != nil {
		// Keep a job for the record: a later run finds the token dead and
		// deletes it then.
		// The token is dead: a record left behind costs nothing but storage.
		s.log().WarnContext(ctx, "delete retired session: will retry", "site", job.Site, "user", job.UserID, "error", err)
		_ = s.postpone(ctx, job, s.now().Add(retryDelay(job.Attempt+job.Postponed+1)), "the store failed", err)
		return
	}
	s.cancelAll(ctx, job)
}

// postpone schedules the job's next run at at without using up an attempt:
// the run is put off for a reason that is not GitHub's answer about the token
// (why, with the error err). The sealed token stays stored meanwhile, so the
// pending revocations are durable: each is a schedule. A failure to schedule
// is handled as in retryLater.
func (s *Service) postpone(ctx context.Context, job Job, at time.Time, why string, err error) error {
	next := job
	next.Postponed++
	s.count(ctx, FailureRevocationPostponed)
	s.log().WarnContext(ctx, "revoke token: postponed, not counted as an attempt", "site", job.Site, "user", job.UserID,
		"generation", job.Generation, "attempt", job.Attempt, "postponed", next.Postponed, "because", why,
		"retry_at", at.UTC(), "error", err)
	if serr := s.scheduleNext(ctx, next, at); serr != nil {
		return fmt.Errorf("revocation postponed (%w), and %w", err, serr)
	}
	return nil
}

// retryLater schedules the next attempt of job, after the delay wait gives for
// its attempt number. A failure to schedule leaves work undone with nothing
// pending: it is logged as an ERROR, counted as Failures Kind=retry_unscheduled,
// and returned.
func (s *Service) retryLater(ctx context.Context, job Job, wait func(attempt int) time.Duration) error {
	next := Job{Site: job.Site, UserID: job.UserID, Generation: job.Generation, Attempt: job.Attempt + 1, Postponed: job.Postponed}
	return s.scheduleNext(ctx, next, s.now().Add(wait(next.Attempt)))
}

// scheduleNext schedules next, a retry or a postponed run. A failure to
// schedule leaves work undone with nothing pending: it is logged as an ERROR,
// counted as Failures Kind=retry_unscheduled, and returned.
func (s *Service) scheduleNext(ctx context.Context, next Job, at time.Time) error {
	if err := s.Scheduler.Schedule(ctx, next, at); err != nil {
		s.count(ctx, FailureRetryUnscheduled)
		s.log().ErrorContext(ctx, "could not schedule a retry", "site", next.Site, "user", next.UserID,
			"generation", next.Generation, "attempt", next.Attempt, "postponed", next.Postponed, "error", err)
		return fmt.Errorf("%w: %w", errRetryUnscheduled, err)
	}
	return nil
}

// cancelAll cancels the session's automatic logout and, when job is a retry
// or a postponed run, the job itself. Retries scheduled between them find
// nothing to do.
func (s *Service) cancelAll(ctx context.Context, job Job) {
	s.cancel(ctx, Job{Site: job.Site, UserID: job.UserID, Generation: job.Generation})
	if job.Attempt > 0 || job.Postponed > 0 {
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
	if err = s.keepForRetry(ctx, p, token, err); err != nil {
		s.count(ctx, FailureRetryUnscheduled)
		s.log().ErrorContext(ctx, "token of a failed login left alive at GitHub: could not keep it for a retry",
			"site", p.Site, "user", p.UserID, "error", err)
	}
}

// keepForRetry stores a token awaiting revocation as a retired session of a
// generation of its own, its retry scheduled first so that the stored token is
// never without one. A revocation refused for GitHub's rate limit (revokeErr)
// is postponed to when GitHub allows it, without using up an attempt.
func (s *Service) keepForRetry(ctx context.Context, p Pending, token string, revokeErr error) error {
	sealed, err := s.Sealer.Seal(ctx, p.Key, []byte(token))
	if err != nil {
		return err
	}
	gen, err := newGeneration(nil)
	if err != nil {
		return err
	}
	now := s.now()
	job := Job{Site: p.Site, UserID: p.UserID, Generation: gen, Attempt: 1}
	at := now.Add(retryDelay(1))
	if limited := (*RateLimitError)(nil); errors.As(revokeErr, &limited) {
		job = Job{Site: p.Site, UserID: p.UserID, Generation: gen, Postponed: 1}
		at = limited.RetryAt.Add(postponeSpread(limited.Spread, 0))
	}
	if err := s.Scheduler.Schedule(ctx, job, at); err != nil {
		return err
	}
	r := Session{Key: p.Key, UserName: p.UserName, SealedToken: sealed, Started: now, Ends: now, Generation: gen}
	if err := s.Store.PutRetired(ctx, r); err != nil {
		s.cancel(ctx, job)
		return err
	}
	return nil
}

// revocationPending is how long after the first failed try attempt runs: the
// sum of the delays before attempts 1 to attempt.
func revocationPending(attempt int) time.Duration {
	var d time.Duration
	for i := 1; i <= attempt; i++ {
		d += retryDelay(i)
	}
	return d
}

// endRetryDelay is the wait before retrying to end a session the store would
// not end: the session is past its end meanwhile, so the first retry comes a
// minute later (the least lead EventBridge Scheduler is given), then doubling
// up to 6 hours while the store stays down.
func endRetryDelay(attempt int) time.Duration {
	return backoff(time.Minute, attempt)
}

// retryDelay is the wait before a retry of a revocation: 5 minutes (longer
// than an invoker's own retries of a run that failed), doubling up to 6 hours.
func retryDelay(attempt int) time.Duration {
	return backoff(firstRetryDelay, attempt)
}

// backoff is first for attempt 1, doubling with each attempt up to maxRetryDelay.
func backoff(first time.Duration, attempt int) time.Duration {
	d := first
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// maxSpreadDoublings bounds how wide postponeSpread grows: 2^4 times GitHub's
// spread (16 hours for its hourly limit).
const maxSpreadDoublings = 4

// postponeSpread is a random delay after GitHub's reset for a revocation it
// refused for its rate limit, which had been postponed n times before. The
// window doubles with each refusal: a revocation refused again sits in a
// backlog deeper than the last window, and re-running every waiting
// revocation each hour until its turn would cost a run (an invocation, a
// read, a decryption, a schedule) per revocation per hour of backlog. With
// doubling windows each runs about log2(backlog hours) + 1 times; the price is
// a drain up to about twice as long as a perfectly ordered queue's.
func postponeSpread(spread time.Duration, n int) time.Duration {
	if spread <= 0 {
		return 0
	}
	return rand.N(spread << min(n, maxSpreadDoublings))
}
