package rocketchat

import (
	"strings"
	"unicode"
)

// DefaultTriggerWords are the words that address the service.
var DefaultTriggerWords = []string{"/github", "/gh", "!github"}

// Command is a parsed "/github <name> <args...>".
type Command struct {
	Trigger string   // the trigger word that matched
	Name    string   // the subcommand, lower-cased; "" when none was given
	Args    []string // the words after it
}

// ParseCommand finds a trigger word at the start of text, as a whole word
// (Rocket.Chat's own match is a bare prefix, so "/githubx" reaches us too and
// must be ignored), and splits what follows. ok is false when text does not
// address the service.
func ParseCommand(text string, triggers []string) (cmd Command, ok bool) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	for _, t := range triggers {
		rest, found := strings.CutPrefix(text, t)
		if !found || t == "" {
			continue
		}
		if rest != "" {
			r := []rune(rest)[0]
			if !unicode.IsSpace(r) {
				continue
			}
		}
		words := strings.Fields(rest)
		cmd = Command{Trigger: t}
		if len(words) > 0 {
			cmd.Name = strings.ToLower(words[0])
			cmd.Args = words[1:]
		}
		return cmd, true
	}
	return Command{}, false
}
