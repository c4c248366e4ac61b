package aesgcm_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/session"
)

func TestSealOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "token.key")
	s, err := aesgcm.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	alice := session.Key{Site: "https://chat.example.com", UserID: "alice"}
	token := []byte("gho_secret")
	sealed, err := s.Seal(ctx, alice, token)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, token) {
		t.Fatal("sealed token contains the plaintext")
	}
	tests := []struct {
		name    string
		key     session.Key
		sealed  []byte
		wantErr bool
	}{
		{"same user", alice, sealed, false},
		{"other user", session.Key{Site: alice.Site, UserID: "bob"}, sealed, true},
		{"other site", session.Key{Site: "https://other.example.com", UserID: "alice"}, sealed, true},
		{"tampered", alice, append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1), true},
		{"truncated", alice, sealed[:5], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Open(ctx, tt.key, tt.sealed)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Open error = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !bytes.Equal(got, token) {
				t.Fatalf("Open = %q, want %q", got, token)
			}
		})
	}

	// The key survives a restart, and the file is private.
	again, err := aesgcm.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(ctx, alice, sealed); err != nil || !bytes.Equal(got, token) {
		t.Fatalf("reopened key: Open = %q, %v", got, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %o, want 600", info.Mode().Perm())
	}
}

func TestLoadOrCreateKeyRefusesOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.key")
	if _, err := aesgcm.LoadOrCreateKey(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := aesgcm.LoadOrCreateKey(path); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	if _, err := aesgcm.New(make([]byte, 16)); err == nil {
		t.Fatal("16-byte key accepted")
	}
}
