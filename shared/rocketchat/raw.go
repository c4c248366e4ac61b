package rocketchat

import (
	"strings"
	"unicode"
)

// RawCommand is a message that addresses the service, as typed: ParseCommand
// splits on whitespace, which loses the lines and spacing of an issue body.
type RawCommand struct {
	Trigger string // the trigger word that matched
	// Line is the first line after the trigger word (blank lines skipped),
	// without surrounding whitespace.
	Line string
	// Body is every line after Line, exactly as typed but for line endings
	// ("\r\n" becomes "\n"); "" when there is none.
	Body string
}

// ParseRawCommand finds a trigger word at the start of text as ParseCommand
// does (a whole word), and splits what follows into its first line and the
// rest. ok is false when text does not address the service.
func ParseRawCommand(text string, triggers []string) (cmd RawCommand, ok bool) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	for _, t := range triggers {
		rest, found := strings.CutPrefix(text, t)
		if !found || t == "" {
			continue
		}
		if rest != "" && !unicode.IsSpace([]rune(rest)[0]) {
			continue
		}
		rest = strings.ReplaceAll(rest, "\r\n", "\n")
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		line, body, _ := strings.Cut(rest, "\n")
		return RawCommand{Trigger: t, Line: strings.TrimSpace(line), Body: body}, true
	}
	return RawCommand{}, false
}

// CutWords returns line without its first n words and the whitespace after
// them, keeping the rest's own spacing: the title after "owner/repo issue".
func CutWords(line string, n int) string {
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	for range n {
		i := strings.IndexFunc(rest, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
	}
	return rest
}
