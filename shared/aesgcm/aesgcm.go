// Package aesgcm seals tokens at rest on one machine with AES-256-GCM and a key
// kept in a file next to the data. The session's site and user are the
// additional data, so a sealed token moved to another user's record does not open.
package aesgcm

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
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
		return nil, fmt.Errorf("aesgcm: key file %s has mode %o: it must be readable by its owner only (chmod 600)", path, info.Mode().Perm())
	}
	return New(key)
}

func additionalData(k session.Key) []byte {
	return []byte(k.Site + "\x00" + k.UserID)
}

// Seal encrypts plaintext for k: a random nonce followed by the ciphertext.
func (s *Sealer) Seal(_ context.Context, k session.Key, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("aesgcm: nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, additionalData(k)), nil
}

// Open decrypts what Seal made for the same k.
func (s *Sealer) Open(_ context.Context, k session.Key, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("aesgcm: sealed token too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], additionalData(k))
	if err != nil {
		return nil, fmt.Errorf("aesgcm: open sealed token (wrong key or not this user's): %w", err)
	}
	return plain, nil
}
