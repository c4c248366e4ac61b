package rocketchat

import "fmt"

// NextCommandsText names, after a login, a few commands that act at GitHub,
// with the trigger word the user typed (Markdown, for chat; plain enough for
// the connected page).
func NextCommandsText(trigger string) string {
	return fmt.Sprintf("Try `%s me` for your open work, `%s owner/repo issues` for a repository's issues, or `%s search <query>`.",
		trigger, trigger, trigger)
}
