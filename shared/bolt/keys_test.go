package bolt

import (
	"bytes"
	"testing"
	"time"

	"rcgithub/shared/session"
)

func TestKeysKeepPartsApart(t *testing.T) {
	tests := []struct {
		name string
		a, b []byte
	}{
		{"site and user split differently",
			sessionKey(session.Key{Site: "https://a/b", UserID: "c"}),
			sessionKey(session.Key{Site: "https://a", UserID: "b/c"})},
		{"empty user",
			sessionKey(session.Key{Site: "https://a", UserID: ""}),
			sessionKey(session.Key{Site: "", UserID: "https://a"})},
		{"site and message split differently",
			linkMessageKey(session.Key{Site: "https://a#b", UserID: "u"}, "c"), linkMessageKey(session.Key{Site: "https://a", UserID: "b#u"}, "c")},
		{"retired generations", retiredKey(session.Key{Site: "s", UserID: "u"}, 1),
			retiredKey(session.Key{Site: "s", UserID: "u"}, 256)},
		{"job attempts",
			jobKey(session.Job{Site: "s", UserID: "u", Generation: 1}),
			jobKey(session.Job{Site: "s", UserID: "u", Generation: 1, Attempt: 1})},
		{"job generation and attempt swapped",
			jobKey(session.Job{Site: "s", UserID: "u", Generation: 1, Attempt: 2}),
			jobKey(session.Job{Site: "s", UserID: "u", Generation: 2, Attempt: 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(tt.a, tt.b) {
				t.Fatalf("both keys are %x", tt.a)
			}
		})
	}
}

func TestDueKeysSortByTime(t *testing.T) {
	job := jobKey(session.Job{Site: "s", UserID: "u", Generation: 1})
	times := []time.Time{
		time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), // before int64 nanoseconds: clamped
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), // after: clamped
	}
	for i := 1; i < len(times); i++ {
		prev, cur := dueKey(times[i-1], job), dueKey(times[i], job)
		if bytes.Compare(prev, cur) >= 0 {
			t.Errorf("due key of %s does not sort before that of %s", times[i-1], times[i])
		}
	}
}
