package session

import "context"

// Metric is one thing the service counts: a metric name, and for Logouts and
// Failures the dimension and its value. Every value is listed in this file;
// the README's Observability list is checked against AllMetrics.
type Metric struct {
	Name      string // Logins, Logouts or Failures
	Dimension string // "", Reason (Logouts) or Kind (Failures)
	Value     string // the dimension's value; "" without a dimension
}

// Metrics counts what happens, for dashboards and alarms. Optional.
// Adapter: emf (CloudWatch Embedded Metric Format).
type Metrics interface {
	Count(ctx context.Context, m Metric)
}

func logout(reason string) Metric { return Metric{Name: "Logouts", Dimension: "Reason", Value: reason} }
func failure(kind string) Metric  { return Metric{Name: "Failures", Dimension: "Kind", Value: kind} }

// String is Name, or Name/Value with a dimension: how logs and tests name it.
func (m Metric) String() string {
	if m.Dimension == "" {
		return m.Name
	}
	return m.Name + "/" + m.Value
}

// Logins counts sessions started.
var Logins = Metric{Name: "Logins"}

// Logouts by Reason.
var (
	// LogoutUser: the user logged out.
	LogoutUser = logout("user")
	// LogoutAutomatic: the session reached its end.
	LogoutAutomatic = logout("automatic")
	// LogoutReplaced: a new login of the same user replaced the session.
	LogoutReplaced = logout("replaced")
	// LogoutRevokedAtGitHub: GitHub no longer accepts the token or refuses
	// its refresh.
	LogoutRevokedAtGitHub = logout("revoked_at_github")
)

// Failures by Kind.
var (
	FailureTokenExchange       = failure("token_exchange")       // GitHub refused or did not answer a code exchange
	FailureGitHubUser          = failure("github_user")          // GitHub did not say whose token it issued
	FailureStoreSession        = failure("store_session")        // a new session could not be stored
	FailureTokenRefresh        = failure("token_refresh")        // GitHub could not be asked to refresh a token
	FailureRevocation          = failure("revocation")           // GitHub did not confirm a revocation (retried)
	FailureRevocationOverdue   = failure("revocation_overdue")   // unconfirmed for an hour or more
	FailureRevocationAbandoned = failure("revocation_abandoned") // retries given up (about 7 days)
	FailureRetryUnscheduled    = failure("retry_unscheduled")    // work left undone with no retry pending
	// FailureRevocationPostponed: a revocation put off for GitHub's rate limit
	// or a store or KMS failure (revoke.go); neither an attempt nor a
	// revocation failure, but a growing count is a backlog of live tokens.
	FailureRevocationPostponed = failure("revocation_postponed")
	FailureAutomaticLogout     = failure("automatic_logout") // the store would not end an expired session (retried)
	FailureNotify              = failure("notify")           // a direct message could not be sent
	// Refusals of Rocket.Chat's incoming webhook that an admin must fix
	// (rocketchat.RefusalError).
	FailureNotifyOverrideDisabled = failure("notify_override_disabled")
	FailureNotifyRateLimited      = failure("notify_rate_limited")
	FailureNotifyDisabled         = failure("notify_disabled")
	FailureNotifyUnknownHook      = failure("notify_unknown_hook")
	FailureNotifyMessageTooLarge  = failure("notify_message_too_large")
	// FailureUnknownSite: a webhook came from a Rocket.Chat site that is not
	// configured (counted by web).
	FailureUnknownSite = failure("unknown_site")
	// FailureEventPublish: a domain event could not be published (events.go).
	FailureEventPublish = failure("event_publish")
)

// AllMetrics lists every metric and dimension value the service counts.
func AllMetrics() []Metric {
	return []Metric{
		Logins,
		LogoutUser, LogoutAutomatic, LogoutReplaced, LogoutRevokedAtGitHub,
		FailureTokenExchange, FailureGitHubUser, FailureStoreSession, FailureTokenRefresh,
		FailureRevocation, FailureRevocationOverdue, FailureRevocationAbandoned, FailureRetryUnscheduled,
		FailureRevocationPostponed,
		FailureAutomaticLogout, FailureNotify,
		FailureNotifyOverrideDisabled, FailureNotifyRateLimited, FailureNotifyDisabled,
		FailureNotifyUnknownHook, FailureNotifyMessageTooLarge,
		FailureUnknownSite,
		FailureEventPublish,
	}
}
