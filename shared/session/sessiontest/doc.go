// Package sessiontest holds the contract suites that every adapter of
// session.Store and session.Scheduler must pass, so that the service behaves the
// same on one machine (bolt) and on AWS (DynamoDB, EventBridge Scheduler).
//
// Call them from the adapter's own tests:
//
//	func TestStoreContract(t *testing.T) {
//		sessiontest.TestStore(t, func(t *testing.T) session.Store {
//			return openFreshStore(t) // closed with t.Cleanup
//		}, sessiontest.StoreOptions{Concurrent: true})
//	}
//
//	func TestSchedulerContract(t *testing.T) {
//		sessiontest.TestScheduler(t, func(t *testing.T) (session.Scheduler, sessiontest.Inspect) {
//			s := newFreshScheduler(t)
//			return s, s.Due
//		})
//	}
//
// An adapter that also lists live sessions for the admin commands runs
// TestLiveSessions on a fresh, empty store.
//
// The suites run one subtest per rule, each on a value returned by a fresh call
// of the constructor. They use a new random site URL in every subtest, so a
// constructor may also hand back a shared store or schedule group (one moto
// table for the whole run, say) without subtests seeing each other's records.
//
// What the suites hold adapters to, beyond the doc comments in package session:
//   - Times round-trip exactly: the same instant to the nanosecond (compared with
//     time.Time.Equal; the location need not survive). A DynamoDB adapter can
//     store them as RFC 3339 strings with nanoseconds, or as Unix nanoseconds.
//   - Byte fields (sealed tokens, browser hashes) are opaque: any byte, including
//     0x00 and invalid UTF-8, comes back unchanged. A nil and an empty slice are
//     treated as equal, for byte and string slices alike.
//   - A Key is a pair, not a string: sites and user ids that would collide when
//     joined with "#", "/", "|" or ":" must stay apart. The same goes for the
//     (site, message id) of a link and for the fields of a Job.
//   - A Scheduler refuses a job that fails session.Job.Validate with an error
//     that wraps session.ErrInvalidJob and says why, and schedules nothing.
//     Collisions are checked among valid jobs only: a site holds no "#".
//   - Scheduled times are kept to within a second (EventBridge's at() has
//     seconds), in any time zone the caller passes.
package sessiontest
