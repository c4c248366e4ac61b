package rocketchat

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"rcgithub/shared/session"
)

// This file words what the service tells users in Rocket.Chat outside of a
// webhook answer, and the formatting of times and durations that web shares.

// NoticeText words a notice of the session service as a direct message. The
// hints name the trigger word the user logged in with, defaultTrigger when
// the notice carries none.
func NoticeText(n session.Notice, defaultTrigger string) string {
	trigger := n.Trigger
	if trigger == "" {
		trigger = defaultTrigger
	}
	switch n.Kind {
	case session.NoticeLoggedIn:
		return strings.TrimSpace(fmt.Sprintf("You are connected to GitHub as @%s until %s. %s",
			n.GitHubLogin, FormatTime(n.Ends), ScopeNote(n.Scopes))) + "\n" + NextCommandsText(trigger)
	case session.NoticeLoggedOutAutomatically:
		return fmt.Sprintf("Your GitHub session ended: you are logged out automatically %s after login. Type `%s login` to connect again.",
			FormatDuration(n.TTL), trigger)
	}
	return fmt.Sprintf("Something changed in your GitHub session. Type `%s status` to see it.", trigger)
}

// ScopeNote tells the user, in one sentence or two, how the scopes GitHub
// granted differ from those asked for; "" when they match (or for GitHub App
// tokens, which have permissions instead).
func ScopeNote(d session.ScopeDiff) string {
	var note []string
	if len(d.Missing) > 0 {
		note = append(note, "GitHub did not grant "+strings.Join(d.Missing, ", ")+
			", so what needs it will not work (an organization may restrict this app; ask its owners, then log in again).")
	}
	if len(d.Extra) > 0 {
		note = append(note, "GitHub granted more than asked for ("+strings.Join(d.Extra, ", ")+
			"), from an earlier authorization of this app; you can review it in your GitHub settings under Applications.")
	}
	return strings.Join(note, " ")
}

// FormatTime is how times are shown to users: absolute, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// FormatDuration is how durations are shown to users: days, hours and
// minutes, leaving minutes out at day scale.
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hours := int(d / time.Hour)
	mins := int((d - time.Duration(hours)*time.Hour) / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if hours > 0 {
		parts = append(parts, plural(hours, "hour"))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, plural(mins, "minute"))
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Truncate cuts s to at most n bytes on a rune boundary: for the caller's
// text in logs and answers.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
