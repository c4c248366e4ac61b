package readmetest

import (
	"strings"
	"testing"
)

func TestSection(t *testing.T) {
	for _, heading := range []string{"Setting up Rocket.Chat"} {
		got := Section(t, heading)
		if !strings.HasPrefix(got, "## "+heading+"\n") {
			t.Errorf("Section(%q) starts %.40q, want its heading", heading, got)
		}
		if strings.Contains(got[3:], "\n## ") {
			t.Errorf("Section(%q) runs into the next section", heading)
		}
		if !strings.Contains(Text(t), got) {
			t.Errorf("Section(%q) is not part of the README", heading)
		}
	}
}
