// Package kms implements session.Sealer with AWS KMS: a token is encrypted
// directly under one symmetric KMS key, with the session key (site and user
// id) as the encryption context, so a sealed token copied to another user's
// record does not open.
package kms

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"rcgithub/shared/session"
)

// maxPlaintext is the most KMS Encrypt takes; GitHub tokens are far smaller,
// so no envelope encryption is needed.
const maxPlaintext = 4096

// Sealer is a session.Sealer on one KMS key.
type Sealer struct {
	client *kms.Client
	keyID  string
}

var _ session.Sealer = (*Sealer)(nil)

// New returns a Sealer that encrypts under keyID (a key id, ARN or alias).
func New(client *kms.Client, keyID string) *Sealer {
	return &Sealer{client: client, keyID: keyID}
}

// context binds a ciphertext to the session it belongs to. KMS logs
// encryption contexts in CloudTrail, which is fine: they are not secret.
func encryptionContext(k session.Key) map[string]string {
	return map[string]string{"site": k.Site, "user": k.UserID}
}

// Seal encrypts plaintext (1 to 4096 bytes) for the session key k.
func (s *Sealer) Seal(ctx context.Context, k session.Key, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 || len(plaintext) > maxPlaintext {
		return nil, fmt.Errorf("kms seal: plaintext is %d bytes, want 1 to %d", len(plaintext), maxPlaintext)
	}
	out, err := s.client.Encrypt(ctx, &kms.EncryptInput{
		KeyId:             aws.String(s.keyID),
		Plaintext:         plaintext,
		EncryptionContext: encryptionContext(k),
	})
	if err != nil {
		return nil, fmt.Errorf("kms seal: %w", err)
	}
	return out.CiphertextBlob, nil
}

// Open decrypts what Seal returned for the same session key. Passing the key
// id makes KMS refuse a ciphertext made under any other key.
func (s *Sealer) Open(ctx context.Context, k session.Key, sealed []byte) ([]byte, error) {
	out, err := s.client.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(s.keyID),
		CiphertextBlob:    sealed,
		EncryptionContext: encryptionContext(k),
	})
	if err != nil {
		return nil, fmt.Errorf("kms open: %w", err)
	}
	return out.Plaintext, nil
}
