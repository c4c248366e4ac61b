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
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		db, err = Open(path, Options{})
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
