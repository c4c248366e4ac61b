package rocketchat

import "testing"

func TestParseRawCommand(t *testing.T) {
	triggers := []string{"/github", "!gh"}
	tests := []struct {
		text string
		want RawCommand
		ok   bool
	}{
		{"/github octo/x issue  Crash  on start\nSteps:\n  1. run\n\n    code block\n",
			RawCommand{Trigger: "/github", Line: "octo/x issue  Crash  on start", Body: "Steps:\n  1. run\n\n    code block\n"}, true},
		{"  /github me  ", RawCommand{Trigger: "/github", Line: "me"}, true},
		{"/github\r\nhelp\r\nmore\r\n", RawCommand{Trigger: "/github", Line: "help", Body: "more\n"}, true},
		{"/github\n\n  search is:open \nignored?", RawCommand{Trigger: "/github", Line: "search is:open", Body: "ignored?"}, true},
		{"/github", RawCommand{Trigger: "/github"}, true},
		{"!gh\tsearch x", RawCommand{Trigger: "!gh", Line: "search x"}, true},
		{"/githubx me", RawCommand{}, false},
		{"hello /github me", RawCommand{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseRawCommand(tt.text, triggers)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseRawCommand(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
		// The first word agrees with ParseCommand's name.
		if cmd, _ := ParseCommand(tt.text, triggers); ok && cmd.Name != "" && CutWords(got.Line, 0) == "" {
			t.Errorf("%q: ParseCommand sees %q, the raw line is empty", tt.text, cmd.Name)
		}
	}
}

func TestCutWords(t *testing.T) {
	tests := []struct {
		line string
		n    int
		want string
	}{
		{"o/r issue  A  title ", 2, "A  title "},
		{"search  is:open  x", 1, "is:open  x"},
		{"o/r issue", 2, ""},
		{"o/r", 2, ""},
		{"  me", 0, "me"},
	}
	for _, tt := range tests {
		if got := CutWords(tt.line, tt.n); got != tt.want {
			t.Errorf("CutWords(%q, %d) = %q, want %q", tt.line, tt.n, got, tt.want)
		}
	}
}

func FuzzParseRawCommand(f *testing.F) {
	f.Add("/github o/r issue t\nbody")
	f.Fuzz(func(t *testing.T, text string) {
		raw, ok := ParseRawCommand(text, DefaultTriggerWords)
		cmd, ok2 := ParseCommand(text, DefaultTriggerWords)
		if ok != ok2 {
			t.Fatalf("%q: raw %v, words %v", text, ok, ok2)
		}
		if ok && raw.Trigger != cmd.Trigger {
			t.Fatalf("%q: triggers %q and %q", text, raw.Trigger, cmd.Trigger)
		}
	})
}
