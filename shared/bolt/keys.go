package bolt

import (
	"encoding/binary"
	"math"
	"time"

	"rcgithub/shared/session"
)

// Keys are built from their parts so that no two different tuples give the
// same bytes: each string is prefixed with its length, numbers are fixed-width.
// A site "https://a/b" with user "c" and a site "https://a" with user "b/c"
// stay apart.

func appendString(key []byte, s string) []byte {
	key = binary.AppendUvarint(key, uint64(len(s)))
	return append(key, s...)
}

func appendInt(key []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(key, uint64(n))
}

func sessionKey(k session.Key) []byte {
	return appendString(appendString(nil, k.Site), k.UserID)
}

func retiredKey(k session.Key, gen int64) []byte {
	return appendInt(sessionKey(k), gen)
}

func linkMessageKey(k session.Key, messageID string) []byte {
	return appendString(appendString(appendString(nil, k.Site), k.UserID), messageID)
}

func linkQuotaKey(k session.Key, window time.Time) []byte {
	return appendInt(sessionKey(k), window.UnixNano())
}

// jobKey is the key of a job. Postponed is appended only when set, so that
// the keys of jobs stored before it existed stay the same.
func jobKey(job session.Job) []byte {
	key := appendInt(appendInt(sessionKey(job.Key()), job.Generation), int64(job.Attempt))
	if job.Postponed > 0 {
		key = appendInt(key, int64(job.Postponed))
	}
	return key
}

// dueKey orders jobs by due time, then by job key. The time comes first as a
// big-endian number whose byte order is time order.
func dueKey(due time.Time, job []byte) []byte {
	key := binary.BigEndian.AppendUint64(nil, sortableNanos(due))
	return append(key, job...)
}

// sortableNanos maps Unix nanoseconds to an unsigned number of the same order;
// times outside the int64 nanosecond range (years 1678 to 2262) are clamped.
func sortableNanos(t time.Time) uint64 {
	var n int64
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		n = math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return uint64(n) ^ 1<<63
}
