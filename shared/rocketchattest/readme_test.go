package rocketchattest

import (
	"strings"
	"testing"

	"rcgithub/shared/readmetest"
)

// TestREADMENamesEveryEnforcedSetting: a newcomer who follows only the
// README's "Setting up Rocket.Chat" must meet every setting the stand-in
// enforces, or the tests pass on a set-up the README does not describe.
func TestREADMENamesEveryEnforcedSetting(t *testing.T) {
	section := readmetest.Section(t, "Setting up Rocket.Chat")
	section = strings.Join(strings.Fields(section), " ") // names may wrap across lines
	for _, name := range EnforcedSettings {
		if !strings.Contains(section, name) {
			t.Errorf("the README's set-up does not name %q", name)
		}
	}
}
