package rocketchat

import (
	"encoding/json"
	"unicode/utf8"
)

// DecodeMessage decodes an outgoing-webhook body: the Message and error
// json.Unmarshal gives, without its separate validating pass over the body
// when the body is the usual one (see decodeSimple).
func DecodeMessage(data []byte) (Message, error) {
	if m, ok := decodeSimple(data); ok {
		return m, nil
	}
	var m Message
	err := json.Unmarshal(data, &m)
	return m, err
}

// decodeSimple decodes an outgoing-webhook body exactly as encoding/json
// decodes it into a Message, in one pass and without reflection, when it is
// the usual body: a flat object of the known keys, spelled as Rocket.Chat
// spells them, whose strings hold no escape. For any other body (an escape,
// another spelling or a repeated key, a number, null, a nested value, invalid
// UTF-8, invalid JSON) ok is false, and Message.UnmarshalJSON leaves it to
// encoding/json, which also words the errors. The webhook decodes every
// request it serves: this is its hottest code.
func decodeSimple(data []byte) (m Message, ok bool) {
	// One string for every value: each is a substring of it.
	s := string(data)
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return Message{}, false
	}
	i = skipSpace(s, i+1)
	var seen uint32
	if i < len(s) && s[i] == '}' {
		i++
	} else {
		for {
			key, next, ok := simpleString(s, i)
			if !ok {
				return Message{}, false
			}
			i = skipSpace(s, next)
			if i >= len(s) || s[i] != ':' {
				return Message{}, false
			}
			i = skipSpace(s, i+1)
			field := messageField(key)
			if field < 0 {
				// Another key: encoding/json may still match it to a field
				// (it ignores case), so only keys it cannot match are skipped.
				if mayNameAField(key) {
					return Message{}, false
				}
			} else if seen&(1<<field) != 0 {
				return Message{}, false
			} else {
				seen |= 1 << field
			}
			switch {
			case i < len(s) && s[i] == '"':
				value, next, ok := simpleString(s, i)
				if !ok || !m.setString(field, value) {
					return Message{}, false
				}
				i = next
			case hasLiteral(s, i, "true"):
				if !m.setBool(field, true) {
					return Message{}, false
				}
				i += len("true")
			case hasLiteral(s, i, "false"):
				if !m.setBool(field, false) {
					return Message{}, false
				}
				i += len("false")
			default: // null, numbers, objects, arrays, invalid JSON
				return Message{}, false
			}
			i = skipSpace(s, i)
			if i < len(s) && s[i] == ',' {
				i = skipSpace(s, i+1)
				continue
			}
			if i < len(s) && s[i] == '}' {
				i++
				break
			}
			return Message{}, false
		}
	}
	if skipSpace(s, i) != len(s) {
		return Message{}, false
	}
	return m, true
}

// messageKeys are the JSON keys of Message, by field number.
var messageKeys = [...]string{"token", "bot", "trigger_word", "channel_id", "channel_name", "message_id", "timestamp",
	"user_id", "user_name", "text", "siteUrl", "alias", "isEdited", "tmid"}

const (
	fieldBot      = 1
	fieldIsEdited = 12
)

func messageField(key string) int {
	for i, k := range messageKeys {
		if k == key {
			return i
		}
	}
	return -1
}

// mayNameAField reports whether encoding/json could match key to a field of
// Message: it compares keys without regard to case (by Unicode folding, so
// that, say, the Kelvin sign matches k): any key of a known key's length in
// bytes give or take the two bytes folding may add, or not plain ASCII
// letters, underscores and digits, counts.
func mayNameAField(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return true
		}
	}
	for _, k := range messageKeys {
		if len(k) == len(key) && equalFoldASCII(k, key) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (m *Message) setString(field int, v string) bool {
	switch field {
	case -1: // a key of no field: ignored
	case 0:
		m.Token = v
	case 2:
		m.TriggerWord = v
	case 3:
		m.ChannelID = v
	case 4:
		m.ChannelName = v
	case 5:
		m.MessageID = v
	case 6:
		m.Timestamp = v
	case 7:
		m.UserID = v
	case 8:
		m.UserName = v
	case 9:
		m.Text = v
	case 10:
		m.SiteURL = v
	case 11:
		m.Alias = v
	case 13:
		m.ThreadID = v
	default: // a string where a boolean is: encoding/json's error
		return false
	}
	return true
}

func (m *Message) setBool(field int, v bool) bool {
	switch field {
	case -1:
	case fieldBot:
		m.Bot = v
	case fieldIsEdited:
		m.IsEdited = v
	default: // a boolean where a string is: encoding/json's error
		return false
	}
	return true
}

// simpleString reads the JSON string at s[i] when it holds no escape, no
// control character and only valid UTF-8 (which encoding/json would replace):
// its value and the index after its closing quote.
func simpleString(s string, i int) (value string, next int, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	start := i + 1
	for j := start; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"':
			value = s[start:j]
			if !utf8.ValidString(value) {
				return "", 0, false
			}
			return value, j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// hasLiteral reports whether s holds lit at i, not followed by what would
// make it another token.
func hasLiteral(s string, i int, lit string) bool {
	if len(s)-i < len(lit) || s[i:i+len(lit)] != lit {
		return false
	}
	if j := i + len(lit); j < len(s) {
		switch s[j] {
		case ' ', '\t', '\n', '\r', ',', '}':
		default:
			return false
		}
	}
	return true
}

// skipSpace skips JSON whitespace from i.
func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
