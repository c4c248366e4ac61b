package aesgcm_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"rcgithub/shared/aesgcm"
	"rcgithub/shared/session"
)

func newSealer(t *testing.T) (*aesgcm.Sealer, []byte) {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := aesgcm.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s, key
}

// sealLegacy seals as the unversioned format did: nonce, ciphertext, with
// site+NUL+user as additional data.
func sealLegacy(t *testing.T, key []byte, k session.Key, plain []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	return aead.Seal(nonce, nonce, plain, []byte(k.Site+"\x00"+k.UserID))
}

// A token sealed for one (site, user) never opens for another pair made of
// the same bytes with the separator moved.
func TestBindingIsUnambiguous(t *testing.T) {
	ctx := context.Background()
	s, _ := newSealer(t)
	sealedFor := session.Key{Site: "https://chat.example.com\x00a", UserID: "b"}
	for _, other := range []session.Key{
		{Site: "https://chat.example.com", UserID: "a\x00b"},
		{Site: "https://chat.example.com\x00a\x00b", UserID: ""},
		{Site: "", UserID: "https://chat.example.com\x00a\x00b"},
	} {
		sealed, err := s.Seal(ctx, sealedFor, []byte("gho_token"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, other, sealed); err == nil {
			t.Errorf("a token sealed for %q opened for %q", sealedFor, other)
		}
		if sealed[0] != 1 {
			t.Errorf("sealed value starts with %d, want the version byte 1", sealed[0])
		}
		if got, err := s.Open(ctx, sealedFor, sealed); err != nil || string(got) != "gho_token" {
			t.Errorf("Open for its own key = %q, %v", got, err)
		}
	}
}

func TestResealConvertsTheUnversionedFormatOnce(t *testing.T) {
	ctx := context.Background()
	s, key := newSealer(t)
	alice := session.Key{Site: "https://chat.example.com", UserID: "alice"}
	var legacy []byte
	for legacy == nil || legacy[0] == 1 { // a nonce starting like the version byte: the next test
		legacy = sealLegacy(t, key, alice, []byte("gho_old"))
	}

	if _, err := s.Open(ctx, alice, legacy); err == nil {
		t.Fatal("Open took a value in the unversioned format: it should go through Reseal")
	}
	if _, _, err := s.Reseal(ctx, session.Key{Site: alice.Site, UserID: "bob"}, legacy); err == nil {
		t.Fatal("Reseal opened alice's old token for bob")
	}
	resealed, changed, err := s.Reseal(ctx, alice, legacy)
	if err != nil || !changed {
		t.Fatalf("Reseal(legacy) = changed %v, %v", changed, err)
	}
	if got, err := s.Open(ctx, alice, resealed); err != nil || string(got) != "gho_old" {
		t.Fatalf("Open(resealed) = %q, %v", got, err)
	}
	again, changed, err := s.Reseal(ctx, alice, resealed)
	if err != nil || changed || !bytes.Equal(again, resealed) {
		t.Fatalf("Reseal(current) = changed %v, %v: a current value must come back as it is", changed, err)
	}
	if _, _, err := s.Reseal(ctx, alice, []byte("short")); err == nil {
		t.Fatal("Reseal took junk")
	}
}

// An unversioned value whose nonce happens to start with the version byte is
// still recognised and converted.
func TestResealLegacyNonceStartingLikeTheVersion(t *testing.T) {
	ctx := context.Background()
	s, key := newSealer(t)
	alice := session.Key{Site: "https://chat.example.com", UserID: "alice"}
	var legacy []byte
	for legacy == nil || legacy[0] != 1 {
		legacy = sealLegacy(t, key, alice, []byte("gho_old"))
	}
	resealed, changed, err := s.Reseal(ctx, alice, legacy)
	if err != nil || !changed {
		t.Fatalf("Reseal = changed %v, %v", changed, err)
	}
	if got, err := s.Open(ctx, alice, resealed); err != nil || string(got) != "gho_old" {
		t.Fatalf("Open(resealed) = %q, %v", got, err)
	}
}
