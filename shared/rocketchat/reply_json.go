package rocketchat

import "unicode/utf8"

// AppendReplyJSON appends r encoded as json.Marshal encodes it, byte for
// byte (HTML characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced),
// without reflection or allocation: every webhook answer is one.
func AppendReplyJSON(dst []byte, r Reply) []byte {
	dst = append(dst, '{')
	comma := false
	if r.Text != "" {
		dst = append(dst, `"text":`...)
		dst = appendJSONString(dst, r.Text)
		comma = true
	}
	if r.Channel != "" {
		if comma {
			dst = append(dst, ',')
		}
		dst = append(dst, `"channel":`...)
		dst = appendJSONString(dst, r.Channel)
		comma = true
	}
	if r.ParseURLs != nil {
		if comma {
			dst = append(dst, ',')
		}
		if *r.ParseURLs {
			dst = append(dst, `"parseUrls":true`...)
		} else {
			dst = append(dst, `"parseUrls":false`...)
		}
		comma = true
	}
	if r.ThreadID != "" {
		if comma {
			dst = append(dst, ',')
		}
		dst = append(dst, `"tmid":`...)
		dst = appendJSONString(dst, r.ThreadID)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
