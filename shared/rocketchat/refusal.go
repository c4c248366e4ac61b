package rocketchat

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"rcgithub/shared/session"
)

// The Failures kinds of the incoming webhook's refusals (RefusalError.Kind).
var (
	KindOverrideDisabled = session.FailureNotifyOverrideDisabled
	KindRateLimited      = session.FailureNotifyRateLimited
	KindDisabled         = session.FailureNotifyDisabled
	KindUnknownHook      = session.FailureNotifyUnknownHook
	KindMessageTooLarge  = session.FailureNotifyMessageTooLarge
)

// RefusalError is an incoming webhook's refusal that only a change of
// configuration ends. Its text names the integration's site and the setting to
// change, never the hook's URL (the URL holds the hook's token).
type RefusalError struct {
	Kind   session.Metric // one of the Kind values: the Failures kind it is counted as
	Site   string         // the Rocket.Chat site whose incoming webhook refused
	Status int            // the HTTP status Rocket.Chat answered
	Fix    string         // what the admin must change
	// RetryAfter is, for KindRateLimited, the wait Rocket.Chat asked for.
	RetryAfter time.Duration
}

func (e *RefusalError) Error() string {
	return fmt.Sprintf("notify: the incoming webhook of %s refused the direct message (HTTP %d): %s", e.Site, e.Status, e.Fix)
}

// Failure is the Failures kind the session service counts it as.
func (e *RefusalError) Failure() session.Metric { return e.Kind }

// waitSeconds finds the wait in the 429 error text of ApiClass.ts
// ("You must wait 42 seconds before trying this endpoint again.").
var waitSeconds = regexp.MustCompile(`wait (\d+) seconds`)

// classify turns Rocket.Chat's /hooks refusals (api.ts, ApiClass.ts) into a
// RefusalError; nil for an answer that is not one of them.
func classify(site string, resp *http.Response, errText string) *RefusalError {
	r := &RefusalError{Site: site, Status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusBadRequest && errText == "overriding destination channel is disabled for this integration":
		r.Kind = KindOverrideDisabled
		r.Fix = `turn on "Override Destination Channel" in this incoming webhook (Administration → Workspace → Integrations → Incoming): Rocket.Chat 6.3 and later refuse a direct message ("channel":"@user") while it is off, its default`
	case resp.StatusCode == http.StatusBadRequest && strings.Contains(errText, "error-message-size-exceeded"):
		r.Kind = KindMessageTooLarge
		r.Fix = `the message is longer than the server's Message_MaxAllowedSize ("Maximum Allowed Message Size", Administration → Workspace → Settings → Message); raise it to at least 5000`
	case resp.StatusCode == http.StatusTooManyRequests:
		r.Kind = KindRateLimited
		r.RetryAfter = retryAfter(resp, errText)
		r.Fix = fmt.Sprintf(`Rocket.Chat's API rate limiter refused this incoming webhook (it allows "Default number calls to the rate limiter", 10 by default, per "Default time limit for the rate limiter", 60 s, per IP and hook; Rocket.Chat asked to wait %s): give this webhook's "Post as" user the bot role (its api-bypass-rate-limit permission lets it through where /hooks honours it), or raise that number in Administration → Workspace → Settings → Rate Limiter`, r.RetryAfter)
	case resp.StatusCode == http.StatusServiceUnavailable && errText != "":
		r.Kind = KindDisabled
		r.Fix = `this incoming webhook is disabled: turn on its "Enabled" switch (Administration → Workspace → Integrations → Incoming)`
	case resp.StatusCode == http.StatusNotFound || strings.Contains(errText, "Invalid integration id or token"):
		r.Kind = KindUnknownHook
		r.Fix = `Rocket.Chat knows no incoming webhook at the configured URL (deleted, or its token regenerated): copy the webhook's URL again into the service's incoming webhook URL for this site`
	default:
		return nil
	}
	return r
}

// retryAfter reads the wait Rocket.Chat gives with a 429: the seconds in its
// error text, else X-RateLimit-Reset (epoch milliseconds), else Retry-After,
// else a minute (the default window).
func retryAfter(resp *http.Response, errText string) time.Duration {
	if m := waitSeconds.FindStringSubmatch(errText); m != nil {
		if s, err := strconv.Atoi(m[1]); err == nil && s >= 0 && s < 24*3600 {
			return time.Duration(s) * time.Second
		}
	}
	if ms, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		if d := time.Until(time.UnixMilli(ms)); d > 0 && d < 24*time.Hour {
			return time.Duration(math.Ceil(d.Seconds())) * time.Second
		}
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s < 24*3600 {
		return time.Duration(s) * time.Second
	}
	return time.Minute
}
