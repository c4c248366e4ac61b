package sessiontest_test

import (
	"testing"

	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
)

// The suites are checked here against the simplest adapters that keep the
// contract, memstore's maps behind a mutex: a suite that failed them would be
// wrong, and memapp's tests stand on an adapter the suites check.

func TestReferenceStore(t *testing.T) {
	for _, concurrent := range []bool{true, false} {
		t.Run(map[bool]string{true: "concurrent", false: "one at a time"}[concurrent], func(t *testing.T) {
			sessiontest.TestStore(t, func(*testing.T) session.Store { return memstore.NewStore() },
				sessiontest.StoreOptions{Concurrent: concurrent})
		})
	}
}

func TestReferenceScheduler(t *testing.T) {
	sessiontest.TestScheduler(t, func(*testing.T) (session.Scheduler, sessiontest.Inspect) {
		s := memstore.NewScheduler(nil)
		return s, s.Due
	})
}
