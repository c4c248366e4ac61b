// Package aesgcm seals tokens at rest on one machine with AES-256-GCM and a key
// kept in a file next to the data. The session's site and user are the
// additional data, so a sealed token moved to another user's record does not
// open. Sealed values start with a version byte (the format); values sealed
// before it existed are converted once, at start, by Reseal.
package aesgcm

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"rcgithub/shared/session"
)

const keySize = 32

// Sealer implements session.Sealer.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("aesgcm: key must be %d bytes, got %d", keySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aesgcm: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("aesgcm: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// LoadOrCreateKey reads the key file at path, creating it with a fresh random
// key (mode 0600) on first run. A key file readable by others is refused.
func LoadOrCreateKey(path string) (*Sealer, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, keySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("aesgcm: new key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("aesgcm: create key file: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("aesgcm: write key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("aesgcm: sync key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("aesgcm: close key file: %w", err)
		}
		return New(key)
	}
	if err != nil {
		return nil, fmt.Errorf("aesgcm: read key file: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("aesgcm: stat key file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("aesgcm: key file %s has mode %o: it must be readable by its owner only; run: chmod 600 %s", path, info.Mode().Perm(), path)
	}
	return New(key)
}

// version1 is the first byte of every value Seal makes: the format, so that
// it can change again. Version 1 binds the value to its session key with
// length-prefixed additional data.
const version1 byte = 1

// additionalData binds a sealed value to its key: the version, then the site
// and the user id, each preceded by its length, so no other (site, user) pair
// has the same bytes.
func additionalData(k session.Key) []byte {
	ad := make([]byte, 0, 1+4+len(k.Site)+4+len(k.UserID))
	ad = append(ad, version1)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(k.Site)))
	ad = append(ad, k.Site...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(k.UserID)))
	return append(ad, k.UserID...)
}

// legacyAdditionalData is the binding of the unversioned format, ambiguous
// when a site or user id holds a NUL: "a\x00b"+"c" and "a"+"b\x00c" are alike.
// Only Reseal still opens it.
func legacyAdditionalData(k session.Key) []byte {
	return []byte(k.Site + "\x00" + k.UserID)
}

// Seal encrypts plaintext for k: the version byte, a random nonce, then the
// ciphertext.
func (s *Sealer) Seal(_ context.Context, k session.Key, plaintext []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plaintext)+s.aead.Overhead())
	out[0] = version1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("aesgcm: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plaintext, additionalData(k)), nil
}

// Open decrypts what Seal made for the same k. A value in the unversioned
// format does not open here: Reseal converts it once, at start.
func (s *Sealer) Open(_ context.Context, k session.Key, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() {
		return nil, errors.New("aesgcm: sealed token too short")
	}
	if sealed[0] != version1 {
		return nil, fmt.Errorf("aesgcm: sealed token has unknown format %d (an unversioned value must be resealed at start)", sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], additionalData(k))
	if err != nil {
		return nil, fmt.Errorf("aesgcm: open sealed token (wrong key or not this user's): %w", err)
	}
	return plain, nil
}

// Reseal converts a value sealed for k in the unversioned format to the
// current one, and reports whether it did: a current value comes back as it
// is. A value that opens in neither format is an error. The store runs it over
// every sealed value once, at start (bolt.DB.ResealTokens).
func (s *Sealer) Reseal(ctx context.Context, k session.Key, sealed []byte) ([]byte, bool, error) {
	if _, err := s.Open(ctx, k, sealed); err == nil {
		return sealed, false, nil
	}
	// The unversioned format: a nonce, then the ciphertext. A version byte of
	// 1 above may also have been the first byte of such a nonce.
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, false, errors.New("aesgcm: reseal: sealed token too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], legacyAdditionalData(k))
	if err != nil {
		return nil, false, fmt.Errorf("aesgcm: reseal: the value opens in no known format (wrong key or not this user's): %w", err)
	}
	resealed, err := s.Seal(ctx, k, plain)
	if err != nil {
		return nil, false, fmt.Errorf("aesgcm: reseal: %w", err)
	}
	return resealed, true, nil
}
