package web_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"rcgithub/shared/rocketchat"
)

// TestLoginNamesScopes: the words after "login" are the scopes the user adds
// to the default ones (read:user); one GITHUB_EXTRA_SCOPES does not allow is
// refused with one sentence naming those it does, before any store call.
func TestLoginNamesScopes(t *testing.T) {
	tests := []struct {
		name       string
		text       string
		wantScopes []string // the link's; nil: refused
		wantReply  []string // substrings of a refusal
	}{
		{name: "plain", text: "/github login", wantScopes: []string{"read:user"}},
		{name: "repo", text: "/github login repo", wantScopes: []string{"read:user", "repo"}},
		{name: "two, with a comma", text: "/gh login public_repo,repo", wantScopes: []string{"read:user", "public_repo", "repo"}},
		{name: "upper case", text: "!github LOGIN Public_Repo", wantScopes: []string{"read:user", "public_repo"}},
		{name: "not allowed", text: "/github login admin:org",
			wantReply: []string{"You cannot add `admin:org` to a login", "`public_repo`, `repo`", "`/github login repo`"}},
		{name: "not a scope, with the trigger typed", text: "/gh login repo `issues`",
			wantReply: []string{"You cannot add `issues` to a login", "`/gh login repo`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWordsWorld(t, rocketchat.DefaultTriggerWords)
			w.calls.Reset()
			reply := w.say(t, "alice", tt.text)
			if tt.wantScopes == nil {
				for _, s := range tt.wantReply {
					if !strings.Contains(reply, s) {
						t.Errorf("reply %q lacks %q", reply, s)
					}
				}
				if strings.Contains(reply, "link=") || strings.Count(reply, ". ") > 0 {
					t.Errorf("reply %q: want one sentence and no link", reply)
				}
				if n := w.calls.Total(); n != 0 {
					t.Errorf("a refused login made %d store calls: %v", n, w.calls.Calls())
				}
				return
			}
			l, err := w.store.GetLink(context.Background(), linkID(t, reply))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(l.Scopes, tt.wantScopes) {
				t.Fatalf("link scopes %v, want %v", l.Scopes, tt.wantScopes)
			}
			// The sign-in asks GitHub for them, and the session keeps them.
			callback, cookies := w.signIn(t, l.ID, "octocat")
			if resp := w.visit(t, "GET", callback, nil, cookies); resp.StatusCode != 200 {
				t.Fatalf("callback: %d %s", resp.StatusCode, bodyOf(t, resp))
			}
			asked := w.gh.AskedScopes()
			if len(asked) != 1 || len(asked[0]) != len(tt.wantScopes) {
				t.Fatalf("GitHub was asked for %v, want %v", asked, tt.wantScopes)
			}
			sess, err := w.store.GetSession(context.Background(), l.Key)
			if err != nil || !reflect.DeepEqual(sess.AskedScopes, tt.wantScopes) {
				t.Fatalf("session asked scopes %v (%v), want %v", sess.AskedScopes, err, tt.wantScopes)
			}
		})
	}
}
