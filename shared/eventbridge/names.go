package eventbridge

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"rcgithub/shared/session"
)

// scheduleName is the schedule of a job: "logout-<user hash>-<generation>",
// plus "-r<attempt>" for a retry and "-p<postponed>" for a postponed run. It
// fits EventBridge's 1-64 characters of [0-9a-zA-Z-_.]: 7+16+1+19 characters
// at most, plus 2+19 for a retry. A valid job (Job.Validate) is shorter:
// generations stay below 2^53 (16 digits) and attempt and postponed at most
// 10000, so 7+16+1+16+2+5+2+5 = 54 characters.
//
// Site and user id go in as a hash, as they may hold any character. The hash
// input is length-prefixed so that no two (site, user) pairs give the same
// input. 64 bits of hash make a collision between two users unlikely to ever
// happen; Due checks the decoded job anyway. Retries get their own names
// because a schedule that is running must not be replaced: EventBridge deletes
// it after it ran, and could delete the replacement with it.
func scheduleName(job session.Job) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(len(job.Site)) + ":" + job.Site + "\n" + job.UserID))
	name := "logout-" + hex.EncodeToString(sum[:8]) + "-" + strconv.FormatInt(job.Generation, 10)
	if job.Attempt > 0 {
		name += "-r" + strconv.Itoa(job.Attempt)
	}
	if job.Postponed > 0 {
		name += "-p" + strconv.Itoa(job.Postponed)
	}
	return name
}

// atLayout is the date-time of an at() expression; EventBridge reads it in
// the schedule's time zone, which is always UTC here.
const atLayout = "2006-01-02T15:04:05"

// atExpression is the at() expression for t, in UTC. at() has whole seconds;
// a fraction is rounded up, so a job never runs before its time.
func atExpression(t time.Time) string {
	return "at(" + ceilSecond(t).UTC().Format(atLayout) + ")"
}

func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}

// parseAt reads back an at() expression in the given time zone ("" is UTC, the default).
func parseAt(expr, zone string) (time.Time, error) {
	inner, ok := strings.CutPrefix(expr, "at(")
	if ok {
		inner, ok = strings.CutSuffix(inner, ")")
	}
	if !ok {
		return time.Time{}, fmt.Errorf("schedule expression %q is not an at() expression", expr)
	}
	loc := time.UTC
	if zone != "" && zone != "UTC" {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			return time.Time{}, fmt.Errorf("schedule time zone %q: %w", zone, err)
		}
	}
	t, err := time.ParseInLocation(atLayout, inner, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule expression %q: %w", expr, err)
	}
	return t, nil
}

// minLead is how far ahead a schedule is put at the least.
//
// A one-time schedule whose time has passed does not run: AWS documents no
// catch-up for at() and reports say such a schedule is accepted and never
// invoked. The service does schedule jobs "now" (retries of a revocation after
// a minute, an automatic logout that is already due), so a time less than a
// minute ahead becomes a minute ahead: later by at most a minute, about the
// scheduler's precision, but never lost.
const minLead = time.Minute

func runAt(at, now time.Time) time.Time {
	if earliest := now.Add(minLead); at.Before(earliest) {
		return earliest
	}
	return at
}
