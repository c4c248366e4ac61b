package bolt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// openTest opens a fresh data file that is closed when the test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "data.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestOpenCreatesAPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "data.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode %v, want 0600", mode)
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatalf("stat dir: %v", err)
	}
	if mode := dir.Mode().Perm(); mode != 0o700 {
		t.Errorf("directory mode %v, want 0700", mode)
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()

	// flock locks belong to an open file, so a second open in this process
	// conflicts just as another process's would.
	second, err := Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		second.Close()
		t.Fatal("second Open of a file in use succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	for _, want := range []string{path, "in use by another process"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestSessionsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s := session.Session{Key: session.Key{Site: "https://chat.example.com", UserID: "u1"},
		GitHubLogin: "octocat", SealedToken: []byte{0, 1, 0xff}, Generation: 42,
		Started: time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)}
	if err := db.PutSession(ctx, s, 0); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	got, err := db.GetSession(ctx, s.Key)
	if err != nil {
		t.Fatalf("GetSession after reopen: %v", err)
	}
	if got.Generation != 42 || string(got.SealedToken) != string(s.SealedToken) || !got.Started.Equal(s.Started) {
		t.Fatalf("GetSession after reopen: %+v, want %+v", got, s)
	}
}

func TestClosedDBRefusesWork(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "data.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := db.GetLink(context.Background(), "x"); err == nil || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("GetLink on a closed DB: %v, want a storage error", err)
	}
}
