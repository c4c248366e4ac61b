package rocketchattest

import (
	"os"
	"strings"
	"testing"
)

// TestREADMENamesEveryEnforcedSetting: a newcomer who follows only the
// README's "Setting up Rocket.Chat" must meet every setting the stand-in
// enforces, or the tests pass on a set-up the README does not describe.
func TestREADMENamesEveryEnforcedSetting(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "\n## Setting up Rocket.Chat\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Setting up Rocket.Chat" section`)
	}
	section := readme[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	section = strings.Join(strings.Fields(section), " ") // names may wrap across lines
	for _, name := range EnforcedSettings {
		if !strings.Contains(section, name) {
			t.Errorf("the README's set-up does not name %q", name)
		}
	}
}
