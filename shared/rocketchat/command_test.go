package rocketchat

import (
	"reflect"
	"testing"
)

func TestParseCommand(t *testing.T) {
	triggers := DefaultTriggerWords
	tests := []struct {
		text   string
		wantOK bool
		want   Command
	}{
		{"/github login", true, Command{Trigger: "/github", Name: "login", Args: []string{}}},
		{"/github", true, Command{Trigger: "/github"}},
		{"/github   ", true, Command{Trigger: "/github"}},
		{"  /github LOGIN now", true, Command{Trigger: "/github", Name: "login", Args: []string{"now"}}},
		{"/gh Status", true, Command{Trigger: "/gh", Name: "status", Args: []string{}}},
		{"!github\tlogout", true, Command{Trigger: "!github", Name: "logout", Args: []string{}}},
		{"/github\nhelp", true, Command{Trigger: "/github", Name: "help", Args: []string{}}},
		{"/githubx login", false, Command{}}, // Rocket.Chat's prefix match lets this through
		{"/ghost", false, Command{}},
		{"hello /github login", false, Command{}},
		{"/GITHUB login", false, Command{}}, // trigger words are case-sensitive, as in Rocket.Chat
		{"", false, Command{}},
		{"/github ünïcode", true, Command{Trigger: "/github", Name: "ünïcode", Args: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := ParseCommand(tt.text, triggers)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if len(got.Args) == 0 && len(tt.want.Args) == 0 {
				got.Args, tt.want.Args = nil, nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseCommandEmptyTriggerIgnored(t *testing.T) {
	if _, ok := ParseCommand("login", []string{""}); ok {
		t.Fatal("an empty trigger word matched everything")
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/github login", "/gh", "!github status x y", "/githubx", " \t/github\u00a0help", "\xff/github"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, ok := ParseCommand(text, DefaultTriggerWords)
		if !ok {
			return
		}
		if cmd.Trigger == "" {
			t.Fatal("matched with no trigger")
		}
		for _, a := range cmd.Args {
			if a == "" {
				t.Fatal("empty argument")
			}
		}
	})
}
