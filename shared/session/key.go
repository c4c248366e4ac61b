package session

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Key identifies whose session it is: one Rocket.Chat user on one Rocket.Chat site.
// Rocket.Chat user ids never change; user names can, so the key holds the id.
type Key struct {
	Site   string // normalised site URL, see NormalizeSite
	UserID string
}

// NormalizeSite turns a Rocket.Chat siteUrl into the form sessions are keyed by:
// surrounding space and trailing slashes removed, scheme and host lower-cased.
func NormalizeSite(site string) string {
	site = strings.TrimRight(strings.TrimSpace(site), "/")
	scheme, rest, ok := strings.Cut(site, "://")
	if !ok {
		return site
	}
	host, path, _ := strings.Cut(rest, "/")
	if path != "" {
		path = "/" + path
	}
	return strings.ToLower(scheme) + "://" + strings.ToLower(host) + path
}

// Bounds on the parts of a Key. Rocket.Chat user ids are 17 characters and
// site URLs short; the bounds are generous, yet keep every record key far
// below DynamoDB's 2048-byte partition key and every log line short.
const (
	MaxSiteLen   = 512
	MaxUserIDLen = 256
)

// Validate reports what is wrong with k, by the one rule every key a session
// can have obeys, from the webhook that creates it to the scheduled job that
// ends it: a normalised http(s) site URL and a user id, each within its
// length bound, without whitespace or control characters. The rule is
// permissive on purpose: Rocket.Chat's own user id syntax is a per-site
// setting, so any printable id is accepted.
func (k Key) Validate() error {
	var problems []string
	if err := ValidateSite(k.Site); err != nil {
		problems = append(problems, "site: "+err.Error())
	}
	if err := ValidateUserID(k.UserID); err != nil {
		problems = append(problems, "user id: "+err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidKey, strings.Join(problems, "; "))
	}
	return nil
}

// ValidateSite checks a normalised site URL (see NormalizeSite): http or
// https, a host, no user info, query or fragment, at most MaxSiteLen bytes,
// no whitespace or control characters.
func ValidateSite(site string) error {
	if err := printable(site, MaxSiteLen); err != nil {
		return err
	}
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return errors.New("must be an http(s) site URL such as https://chat.example.com")
	}
	if NormalizeSite(site) != site {
		return errors.New("must be normalised (lower-case scheme and host, no trailing slash)")
	}
	return nil
}

// ValidateUserID checks a Rocket.Chat user id: 1 to MaxUserIDLen bytes of
// valid UTF-8 without whitespace or control characters.
func ValidateUserID(id string) error {
	return printable(id, MaxUserIDLen)
}

func printable(s string, maxLen int) error {
	switch {
	case s == "":
		return errors.New("is empty")
	case len(s) > maxLen:
		return fmt.Errorf("is over %d bytes", maxLen)
	case !utf8.ValidString(s):
		return errors.New("is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return errors.New("holds whitespace or control characters")
		}
	}
	return nil
}
