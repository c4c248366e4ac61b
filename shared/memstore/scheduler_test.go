package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"rcgithub/shared/memstore"
	"rcgithub/shared/session"
)

// RunDue runs what is due at its start, earliest first, removes what
// succeeded, keeps a failed job for a minute later, and leaves the rest.
func TestRunDue(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	job := func(user string) session.Job {
		return session.Job{Site: "https://chat.example.com", UserID: user, Generation: 1}
	}
	tests := []struct {
		name     string
		due      map[string]time.Duration // user → due, from t0
		failing  string
		wantRan  []string
		wantLeft map[string]time.Duration // user → due afterwards, from t0
	}{
		{name: "nothing due", due: map[string]time.Duration{"a": time.Second}, wantLeft: map[string]time.Duration{"a": time.Second}},
		{name: "due now and overdue, earliest first", due: map[string]time.Duration{"a": 0, "b": -time.Hour, "c": time.Hour},
			wantRan: []string{"b", "a"}, wantLeft: map[string]time.Duration{"c": time.Hour}},
		{name: "a failure is retried a minute later", due: map[string]time.Duration{"a": -time.Second, "b": -2 * time.Second}, failing: "a",
			wantRan: []string{"b", "a"}, wantLeft: map[string]time.Duration{"a": time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := memstore.NewScheduler(func() time.Time { return t0 })
			for user, d := range tt.due {
				if err := s.Schedule(ctx, job(user), t0.Add(d)); err != nil {
					t.Fatal(err)
				}
			}
			var ran []string
			n, err := s.RunDue(ctx, func(_ context.Context, j session.Job) error {
				ran = append(ran, j.UserID)
				if j.UserID == tt.failing {
					return errors.New("failed")
				}
				return nil
			})
			if err != nil || n != len(tt.wantRan) || len(ran) != len(tt.wantRan) {
				t.Fatalf("ran %v (%d, %v), want %v", ran, n, err, tt.wantRan)
			}
			for i := range ran {
				if ran[i] != tt.wantRan[i] {
					t.Fatalf("ran %v, want %v", ran, tt.wantRan)
				}
			}
			if n, _ := s.Pending(ctx); n != len(tt.wantLeft) {
				t.Fatalf("%d jobs left, want %d", n, len(tt.wantLeft))
			}
			for user, d := range tt.wantLeft {
				if at, ok, _ := s.Due(ctx, job(user)); !ok || !at.Equal(t0.Add(d)) {
					t.Errorf("job of %s: due %v (%v), want %v", user, at, ok, t0.Add(d))
				}
			}
		})
	}
}

// A job moved or cancelled runs at its new time or never, not at an old one,
// and one scheduled twice at the same time runs once.
func TestRunDueAfterMovesAndCancels(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	job := func(user string) session.Job {
		return session.Job{Site: "https://chat.example.com", UserID: user, Generation: 1}
	}
	s := memstore.NewScheduler(func() time.Time { return t0 })
	steps := []struct {
		user   string
		at     time.Duration // from t0
		cancel bool
	}{
		{user: "later", at: -time.Hour}, {user: "later", at: time.Hour},
		{user: "gone", at: -time.Second}, {user: "gone", cancel: true},
		{user: "earlier", at: -2 * time.Second}, {user: "earlier", at: -3 * time.Second},
		{user: "twice", at: -time.Minute}, {user: "twice", at: -time.Minute},
	}
	for _, st := range steps {
		var err error
		if st.cancel {
			err = s.Cancel(ctx, job(st.user))
		} else {
			err = s.Schedule(ctx, job(st.user), t0.Add(st.at))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var ran []string
	if _, err := s.RunDue(ctx, func(_ context.Context, j session.Job) error {
		ran = append(ran, j.UserID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"twice", "earlier"}; len(ran) != len(want) || ran[0] != want[0] || ran[1] != want[1] {
		t.Fatalf("ran %v, want %v", ran, want)
	}
	if at, ok, _ := s.Due(ctx, job("later")); !ok || !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("moved job: due %v (%v), want %v", at, ok, t0.Add(time.Hour))
	}
}
