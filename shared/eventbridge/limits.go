package eventbridge

import (
	"errors"
	"fmt"
	"regexp"
)

// EventBridge Scheduler's limits on what this adapter sends, checked before a
// call so that a value over them fails the same way on moto and on AWS, and
// costs no request. Source: the EventBridge Scheduler API Reference
// (CreateSchedule: Name and GroupName, 1 to 64 characters of [0-9a-zA-Z-_.])
// and the scheduler's quotas (a schedule's payload; the API model itself sets
// no maximum on Target.Input, only a minimum of 1).
const (
	// MaxNameLen bounds schedule and schedule group names.
	MaxNameLen = 64
	// MaxInputBytes bounds the target input, the job's JSON.
	MaxInputBytes = 256 * 1024
)

// namePattern is the pattern of schedule and schedule group names.
var namePattern = regexp.MustCompile(`^[0-9a-zA-Z_.-]+$`)

// ErrOverLimit is wrapped by the errors of calls refused before they are made
// because a name or the input is over an EventBridge Scheduler limit.
var ErrOverLimit = errors.New("over an EventBridge Scheduler limit")

// checkName checks a schedule or schedule group name (what says which).
func checkName(what, name string) error {
	if n := len(name); n == 0 || n > MaxNameLen {
		return fmt.Errorf("%w: %s %q is %d characters (1 to %d allowed)", ErrOverLimit, what, truncate(name), n, MaxNameLen)
	}
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%w: %s %q has characters outside [0-9a-zA-Z-_.]", ErrOverLimit, what, truncate(name))
	}
	return nil
}

// checkInput checks the size of a schedule's target input.
func checkInput(input string) error {
	if n := len(input); n == 0 || n > MaxInputBytes {
		return fmt.Errorf("%w: target input of %d bytes (1 to %d allowed)", ErrOverLimit, n, MaxInputBytes)
	}
	return nil
}

// truncate keeps an error message short whatever the name.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// checkNames checks the group of s and the schedule name of a call.
func (s *Scheduler) checkNames(name string) error {
	if err := checkName("schedule group", s.cfg.Group); err != nil {
		return err
	}
	return checkName("schedule name", name)
}
