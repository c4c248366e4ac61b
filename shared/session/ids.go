package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Login link ids and OAuth states carry a MAC under Service.IDKey, so that a
// value the service never issued is refused before any store call:
// unauthenticated junk costs nothing durable (a bbolt sync, a billed DynamoDB
// request). A state carries a second MAC over the browser secret's hash, so
// that only the browser holding the binding cookie can consume or cancel its
// sign-in. Each part is idPartLen bytes, and a link id has two parts, a state
// three: lengths that are multiples of 3 have a single base64 spelling.
const (
	// MinIDKeyLen is the shortest Service.IDKey accepted: HMAC-SHA256's
	// output size, the shortest key RFC 2104 (section 3) recommends.
	MinIDKeyLen = 32
	idPartLen   = 18 // 144 bits of nonce, and of each truncated MAC
	linkIDParts = 2  // nonce, MAC
	stateParts  = 3  // nonce, MAC, MAC over the browser secret's hash
)

// The labels keep the MACs of the three uses apart; the parts after them
// have fixed lengths, so no two inputs of one label run together.
const (
	labelLinkID       = "rcgithub link id\x00"
	labelState        = "rcgithub oauth state\x00"
	labelStateBrowser = "rcgithub oauth state browser\x00"
)

var idEncoding = base64.RawURLEncoding.Strict()

// idTag is the MAC of parts under the service's ID key, for one label.
func (s *Service) idTag(label string, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, s.IDKey)
	m.Write([]byte(label))
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)[:idPartLen]
}

func (s *Service) newLinkID() (string, error) {
	if len(s.IDKey) < MinIDKeyLen {
		return "", ErrNoIDKey
	}
	nonce, err := randomBytes(idPartLen)
	if err != nil {
		return "", err
	}
	return idEncoding.EncodeToString(append(nonce, s.idTag(labelLinkID, nonce)...)), nil
}

// issuedLinkID tells whether the service issued id (or could have: its MAC is
// right). It reads nothing but id.
func (s *Service) issuedLinkID(id string) bool {
	b, ok := s.decodeID(id, linkIDParts)
	return ok && hmac.Equal(b[idPartLen:], s.idTag(labelLinkID, b[:idPartLen]))
}

func (s *Service) newState(browserSecret string) (string, error) {
	if len(s.IDKey) < MinIDKeyLen {
		return "", ErrNoIDKey
	}
	nonce, err := randomBytes(idPartLen)
	if err != nil {
		return "", err
	}
	b := append(nonce, s.idTag(labelState, nonce)...)
	b = append(b, s.idTag(labelStateBrowser, nonce, hashSecret(browserSecret))...)
	return idEncoding.EncodeToString(b), nil
}

// checkState refuses, reading nothing but its arguments, a state the service
// never issued (StateGone) and one it issued to another browser, or a
// request without the binding cookie (OtherBrowser).
func (s *Service) checkState(state, browserSecret string) error {
	b, ok := s.decodeID(state, stateParts)
	if !ok {
		return refused(StateGone, "")
	}
	nonce := b[:idPartLen]
	if !hmac.Equal(b[idPartLen:2*idPartLen], s.idTag(labelState, nonce)) {
		return refused(StateGone, "")
	}
	if browserSecret == "" || !hmac.Equal(b[2*idPartLen:], s.idTag(labelStateBrowser, nonce, hashSecret(browserSecret))) {
		return refused(OtherBrowser, "")
	}
	return nil
}

// decodeID decodes an id of n parts; ok is false for any other length or
// spelling, and always without a usable ID key, which then accepts nothing.
func (s *Service) decodeID(id string, n int) (b []byte, ok bool) {
	if len(s.IDKey) < MinIDKeyLen || len(id) != idEncoding.EncodedLen(n*idPartLen) {
		return nil, false // checked first: an oversized value costs no decoding
	}
	b, err := idEncoding.DecodeString(id)
	if err != nil || len(b) != n*idPartLen || idEncoding.EncodeToString(b) != id {
		return nil, false // the decoder skips newlines: only the one spelling passes
	}
	return b, true
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	return b, nil
}
