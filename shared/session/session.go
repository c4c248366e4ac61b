// Package session is the domain of the service: who is connected to which GitHub
// account, for how long, and how a connection starts and ends. It knows nothing of
// HTTP, AWS or storage engines; those live behind the interfaces in this package.
package session

import (
	"fmt"
	"strings"
	"time"
)

// Session is one live connection between a Rocket.Chat user and a GitHub account.
type Session struct {
	Key
	UserName    string // Rocket.Chat user name at login time, for display only
	GitHubLogin string
	GitHubID    int64
	Scopes      []string // scopes GitHub granted; nil for GitHub App tokens
	// AskedScopes are the scopes this login asked GitHub for (Link.Scopes);
	// nil for GitHub App tokens, which have permissions instead, and for
	// sessions stored before logins kept them.
	AskedScopes []string
	SealedToken []byte // the GitHub access token, encrypted by a Sealer bound to Key
	// SealedRefresh is the refresh token of a GitHub App user token, sealed
	// like SealedToken; nil for OAuth App tokens, which do not expire.
	SealedRefresh []byte
	// TokenExpires and RefreshExpires are when the access token and the refresh
	// token stop working; zero when they do not expire (OAuth App tokens).
	TokenExpires   time.Time
	RefreshExpires time.Time
	Started        time.Time
	Ends           time.Time
	// Trigger is the word the user typed to log in ("/github", "!github"),
	// for the direct message after the automatic logout; "" when unknown.
	Trigger string
	// Generation tells one login of a user from the next. Every write that ends or
	// replaces a session is conditional on it, so a stale writer or a stale
	// automatic logout can never end a newer session.
	Generation int64
}

// Job is what the Scheduler hands back to Service.Expire: which session to end.
// Its JSON form is the payload of the scheduled automatic logout.
type Job struct {
	Site       string `json:"site"`
	UserID     string `json:"user"`
	Generation int64  `json:"generation"`
	// Attempt tells apart the runs scheduled for one session: 0 is the automatic
	// logout itself; each retry of a revocation GitHub has not confirmed, or a
	// reschedule, gets the next number, so that it never replaces the schedule
	// that is running (EventBridge deletes that one once it has run).
	Attempt int `json:"attempt,omitempty"`
	// Postponed counts the runs of a revocation put off for a reason that is
	// not GitHub's refusal (GitHub's rate limit, a store or KMS outage): they
	// get their own schedules, like retries, but count neither toward
	// MaxRevocationAttempt nor as revocation failures.
	Postponed int `json:"postponed,omitempty"`
}

// maxAttempt bounds Job.Attempt far beyond any real retry count (retries back
// off to hours), so that a forged payload cannot overflow it.
const maxAttempt = 10000

// Key returns the session key the job is about.
func (j Job) Key() Key { return Key{Site: j.Site, UserID: j.UserID} }

// Validate reports what is wrong with a job decoded from a scheduler payload,
// or handed to a Scheduler, as an error that wraps ErrInvalidJob. Its key
// obeys the rule of Key.Validate.
func (j Job) Validate() error {
	var problems []string
	if err := ValidateSite(j.Site); err != nil {
		problems = append(problems, `"site" `+err.Error())
	}
	if err := ValidateUserID(j.UserID); err != nil {
		problems = append(problems, `"user" `+err.Error())
	}
	if j.Generation <= 0 {
		problems = append(problems, `"generation" must be a positive number`)
	}
	if j.Attempt < 0 || j.Attempt > maxAttempt {
		problems = append(problems, `"attempt" must be between 0 and 10000`)
	}
	if j.Postponed < 0 || j.Postponed > maxAttempt {
		problems = append(problems, `"postponed" must be between 0 and 10000`)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidJob, strings.Join(problems, "; "))
	}
	return nil
}

// Link is a login link sent to a user by direct message. Opening it shows a page
// that names the Rocket.Chat user and site; only pressing its button starts OAuth.
type Link struct {
	ID string // random, unguessable; the only thing in the link URL
	Key
	UserName  string
	MessageID string // the Rocket.Chat message that asked for it, for idempotency
	// Trigger is the word the user typed ("" when unknown or unfit to keep):
	// the pages and direct messages of this login use it.
	Trigger string
	// Scopes are the OAuth scopes this login asks GitHub for: the default
	// ones and those the user named ("/github login repo"). nil in links
	// stored before logins kept them: the service's default scopes then.
	Scopes  []string
	Created time.Time
	Expires time.Time
}

// LinkQuota bounds how many login links one user can create: at most Max in
// the fixed window that starts at Window (windows are LinkTTL long). GitHub shows
// its consent screen again after 10 sign-ins an hour, and a loop of "/github
// login" must not grow the store without bound.
type LinkQuota struct {
	Window time.Time
	Max    int
}

// Pending is an OAuth authorization in flight: created when the user presses the
// button on the link page, consumed once by the callback.
type Pending struct {
	State string // random, sent to GitHub as the OAuth state
	Key
	UserName string
	Verifier string // PKCE code verifier
	// BrowserHash is the SHA-256 of the secret in the cookie set on the browser
	// that pressed the button; the callback must present the same secret.
	BrowserHash []byte
	Trigger     string   // from the link
	Scopes      []string // from the link: what GitHub is asked for
	Expires     time.Time
}
