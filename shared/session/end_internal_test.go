package session

import (
	"testing"
	"time"
)

// The cap on revocation retries is the last attempt within MaxRevocationRetryTime
// of the first failure, and the overdue count starts at the first attempt an
// hour or more after it.
func TestRevocationRetryCap(t *testing.T) {
	if got := revocationPending(MaxRevocationAttempt); got > MaxRevocationRetryTime {
		t.Errorf("attempt %d runs %v after the first failure, beyond the cap of %v", MaxRevocationAttempt, got, MaxRevocationRetryTime)
	}
	if got := revocationPending(MaxRevocationAttempt + 1); got <= MaxRevocationRetryTime {
		t.Errorf("attempt %d would still run within the cap (%v): MaxRevocationAttempt is too low", MaxRevocationAttempt+1, got)
	}
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{{0, 0}, {1, 5 * time.Minute}, {3, 35 * time.Minute}, {4, 75 * time.Minute}, {8, 635*time.Minute + 6*time.Hour}} {
		if got := revocationPending(c.attempt); got != c.want {
			t.Errorf("revocationPending(%d) = %v, want %v", c.attempt, got, c.want)
		}
	}
}
