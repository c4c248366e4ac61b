package dynamodb

import (
	"strconv"
	"strings"
	"time"

	"rcgithub/shared/session"
)

// keyEscaper escapes the separator (and the escape character itself) inside
// key components, so that "a#b"+"c" and "a"+"b#c" make different keys.
var keyEscaper = strings.NewReplacer("%", "%25", "#", "%23")

func key(kind string, parts ...string) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, p := range parts {
		b.WriteByte('#')
		b.WriteString(keyEscaper.Replace(p))
	}
	return b.String()
}

func linkKey(id string) string { return key("link", id) }

func messageKey(k session.Key, messageID string) string {
	return key("msg", k.Site, k.UserID, messageID)
}

func stateKey(state string) string { return key("state", state) }

func quotaKey(k session.Key, window time.Time) string {
	return key("quota", k.Site, k.UserID, strconv.FormatInt(window.Unix(), 10))
}

func sessionKey(k session.Key) string { return key("session", k.Site, k.UserID) }

func retiredKey(k session.Key, gen int64) string {
	return key("retired", k.Site, k.UserID, strconv.FormatInt(gen, 10))
}
