package bolt

import (
	"bytes"
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
	db := openAt(t, filepath.Join(t.TempDir(), "data.db"))
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// openAt opens the data file at path, failing the test if it cannot; the
// caller closes it.
func openAt(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	return db
}

func TestOpenCreatesAPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "data.db")
	db := openAt(t, path)
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
	db := openAt(t, path)
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
	again := openAt(t, path)
	again.Close()
}

func TestSessionsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data.db")
	db := openAt(t, path)
	s := session.Session{Key: session.Key{Site: "https://chat.example.com", UserID: "u1"},
		GitHubLogin: "octocat", SealedToken: []byte{0, 1, 0xff}, Generation: 42,
		Started: time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)}
	if err := db.PutSession(ctx, s, 0); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openAt(t, path)
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
	db := openAt(t, filepath.Join(t.TempDir(), "data.db"))
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := db.GetLink(context.Background(), "x"); err == nil || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("GetLink on a closed DB: %v, want a storage error", err)
	}
}

// An existing data file that group or others may use is refused, with the
// command that fixes it; a private one opens.
func TestOpenRefusesAFileOthersCanRead(t *testing.T) {
	for _, tt := range []struct {
		mode    os.FileMode
		wantErr bool
	}{
		{0o600, false},
		{0o640, true},
		{0o604, true},
		{0o620, true},
		{0o666, true},
	} {
		dir := filepath.Join(t.TempDir(), "my data")
		path := filepath.Join(dir, "sessions.db")
		db := openAt(t, path)
		db.Close()
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, Options{})
		if !tt.wantErr {
			if err != nil {
				t.Errorf("mode %o: %v", tt.mode, err)
			}
			if db != nil {
				db.Close()
			}
			continue
		}
		want := "run: chmod 600 '" + path + "'"
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("mode %o: Open = %v, want one line ending %q", tt.mode, err, want)
		}
		if db != nil {
			db.Close()
		}
	}
}

func TestCheckPrivate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // t.TempDir follows the umask
		t.Fatal(err)
	}
	if err := CheckPrivate(filepath.Join(dir, "missing"), 0o700); err != nil {
		t.Errorf("missing path: %v", err)
	}
	if err := CheckPrivate(dir, 0o700); err != nil {
		t.Errorf("0700 directory: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckPrivate(dir, 0o700); err == nil || !strings.HasSuffix(err.Error(), "run: chmod 700 "+dir) {
		t.Errorf("0755 directory: %v", err)
	}
}

// ResealTokens rewrites the tokens of live and retired sessions that the
// resealer converts, leaves current ones and ones it cannot open, and says so.
func TestResealTokens(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	put := func(user string, token, refresh string, gen int64) session.Key {
		k := session.Key{Site: "https://chat.example.com", UserID: user}
		s := session.Session{Key: k, GitHubLogin: user + "-gh", SealedToken: []byte(token), Started: now,
			Ends: now.Add(time.Hour), Generation: gen}
		if refresh != "" {
			s.SealedRefresh = []byte(refresh)
		}
		if err := db.PutSession(ctx, s, 0); err != nil {
			t.Fatal(err)
		}
		return k
	}
	oldLive := put("alice", "old:a", "old:ar", 1)
	current := put("bob", "new:b", "", 1)
	broken := put("carol", "junk", "", 1)
	retiredKey := put("dave", "old:d", "", 1)
	if _, err := db.RetireSession(ctx, retiredKey, 1); err != nil {
		t.Fatal(err)
	}
	reseal := func(_ context.Context, k session.Key, sealed []byte) ([]byte, bool, error) {
		switch {
		case bytes.HasPrefix(sealed, []byte("new:")):
			return sealed, false, nil
		case bytes.HasPrefix(sealed, []byte("old:")):
			return append([]byte("new:"), sealed[4:]...), true, nil
		}
		return nil, false, errors.New("opens in no known format")
	}
	rewritten, failed, err := db.ResealTokens(ctx, reseal)
	if err != nil || rewritten != 2 || failed != 1 {
		t.Fatalf("ResealTokens = %d rewritten, %d failed, %v; want 2, 1", rewritten, failed, err)
	}
	if s, _ := db.GetSession(ctx, oldLive); string(s.SealedToken) != "new:a" || string(s.SealedRefresh) != "new:ar" || s.GitHubLogin != "alice-gh" {
		t.Errorf("live session after reseal: %+v", s)
	}
	if s, _ := db.GetSession(ctx, current); string(s.SealedToken) != "new:b" {
		t.Errorf("current session changed: %+v", s)
	}
	if s, _ := db.GetSession(ctx, broken); string(s.SealedToken) != "junk" {
		t.Errorf("unopenable session changed: %+v", s)
	}
	if s, err := db.GetRetired(ctx, retiredKey, 1); err != nil || string(s.SealedToken) != "new:d" {
		t.Errorf("retired session after reseal: %+v %v", s, err)
	}
	// Once converted, nothing is left to do.
	if rewritten, failed, err := db.ResealTokens(ctx, reseal); err != nil || rewritten != 0 || failed != 1 {
		t.Fatalf("second ResealTokens = %d, %d, %v; want 0, 1", rewritten, failed, err)
	}
}
