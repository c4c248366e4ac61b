package bolt_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"rcgithub/shared/bolt"
	"rcgithub/shared/session"
)

// One file holds the store and the scheduler. A server passes db as the
// session.Store and s as the session.Scheduler, and runs s.Run with the
// service's Expire as the handler.
func Example() {
	dir, _ := os.MkdirTemp("", "bolt-example")
	defer os.RemoveAll(dir)

	db, err := bolt.Open(filepath.Join(dir, "data.db"), bolt.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	s := bolt.NewScheduler(db, func() time.Time { return now }, slog.Default())

	ctx := context.Background()
	job := session.Job{Site: "https://chat.example.com", UserID: "u1", Generation: 1}
	if err := s.Schedule(ctx, job, now.Add(7*24*time.Hour)); err != nil {
		fmt.Println(err)
		return
	}
	at, _, _ := s.Due(ctx, job)
	fmt.Println("logout due", at.Format(time.DateTime))

	now = now.Add(8 * 24 * time.Hour) // a day late: it still runs
	ran, _ := s.RunDue(ctx, func(_ context.Context, j session.Job) error {
		fmt.Println("logging out", j.UserID)
		return nil
	})
	pending, _ := s.Pending(ctx)
	fmt.Println("ran", ran, "pending", pending)
	// Output:
	// logout due 2030-01-08 12:00:00
	// logging out u1
	// ran 1 pending 0
}
