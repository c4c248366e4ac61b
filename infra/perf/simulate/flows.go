package main

// flow is what the simulation saw the service do for one request or job.
// Each maps to a flow TestAWSCallsPerFlow measures against moto
// (shared/awsapp/testdata/aws-calls.json), whose AWS calls it then costs.
type flow int

const (
	flowLoginLink flow = iota
	flowOpenLink
	flowAuthorize
	flowCallback
	flowCallbackRelogin
	flowStatus
	flowStatusEnded
	flowLogout
	flowLogoutDown
	flowExpire
	flowExpireDown
	flowExpireStale
	flowRetryDown
	flowRetryOK
	flowLogoutLimited
	flowExpireLimited
	flowRetryLimited
	numFlows
)

// flowInfo says how a simulated flow is costed.
type flowInfo struct {
	name string // as the report names it
	// measured is the flow of aws-calls.json whose AWS calls it makes.
	measured string
	// function is the Lambda function that serves it (from the same file,
	// unless an approximation borrows another function's flow).
	function string
	// github is how many GitHub calls it makes (docs/architecture.md: "GitHub
	// calls come on top"); the fake counts the real ones too.
	github int
	// approx says why the measured flow only approximates it; "" when exact.
	approx string
}

var flows = [numFlows]flowInfo{
	flowLoginLink:       {"webhook: /github login", "webhook: login", "WebhookFunction", 0, ""},
	flowOpenLink:        {"GET /oauth/start (link page)", "GET /oauth/start", "CallbackFunction", 0, ""},
	flowAuthorize:       {"POST /oauth/start (Continue)", "POST /oauth/start", "CallbackFunction", 0, ""},
	flowCallback:        {"callback, first login", "callback", "CallbackFunction", 2, ""},
	flowCallbackRelogin: {"callback, re-login", "callback (re-login)", "CallbackFunction", 3, ""},
	flowStatus:          {"webhook: /github status", "webhook: status", "WebhookFunction", 1, ""},
	flowStatusEnded: {"webhook: /github status, token revoked at GitHub", "webhook: logout", "WebhookFunction", 1,
		"costed as a logout: it retires the session and forgets it (one GetItem and the KMS Decrypt fewer in truth)"},
	flowLogout:     {"webhook: /github logout", "webhook: logout", "WebhookFunction", 1, ""},
	flowLogoutDown: {"webhook: /github logout, GitHub down", "webhook: logout, GitHub down", "WebhookFunction", 1, ""},
	flowExpire:     {"automatic logout", "automatic logout", "LogoutFunction", 1, ""},
	flowExpireDown: {"automatic logout, GitHub down", "webhook: logout, GitHub down", "LogoutFunction", 1,
		"costed as the webhook's logout with GitHub down: the same store, KMS and Scheduler calls, in the logout function"},
	flowExpireStale: {"automatic logout of a session already ended", "automatic logout", "LogoutFunction", 0,
		"costed as an automatic logout: an upper bound (it only reads and cancels)"},
	flowRetryDown: {"revocation retry, GitHub still down", "automatic logout, GitHub down (retry)", "LogoutFunction", 1, ""},
	flowRetryOK: {"revocation retry or postponed revocation, GitHub accepts", "automatic logout", "LogoutFunction", 1,
		"costed as an automatic logout: an upper bound (no session to retire)"},
	// A revocation GitHub refuses for its rate limit is postponed: the
	// service schedules one job, as for a retry when GitHub is down (see
	// shared/session/revoke.go, postpone and retryLater), so the same calls.
	flowLogoutLimited: {"webhook: /github logout, revocation postponed (GitHub's rate limit)", "webhook: logout, GitHub down", "WebhookFunction", 1,
		"costed as a logout with GitHub down: the postponement schedules one job, as the retry does"},
	flowExpireLimited: {"automatic logout, revocation postponed (GitHub's rate limit)", "webhook: logout, GitHub down", "LogoutFunction", 1,
		"costed as the webhook's logout with GitHub down: the same store, KMS and Scheduler calls, in the logout function"},
	flowRetryLimited: {"postponed revocation, refused again (GitHub's rate limit)", "automatic logout, GitHub down (retry)", "LogoutFunction", 1,
		"costed as a retry with GitHub down: it reads the record, decrypts, and schedules the next run"},
}
