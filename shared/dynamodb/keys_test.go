package dynamodb

import (
	"testing"

	"rcgithub/shared/session"
)

func TestKeys(t *testing.T) {
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	tests := []struct{ got, want string }{
		{linkKey("abc"), "link#abc"},
		{messageKey(k, "m1"), "msg#https://chat.example.com#u1#m1"},
		{stateKey("xyz"), "state#xyz"},
		{sessionKey(k), "session#https://chat.example.com#u1"},
		{retiredKey(k, 9007199254740991), "retired#https://chat.example.com#u1#9007199254740991"},
		{sessionKey(session.Key{Site: "a#b%", UserID: "c"}), "session#a%23b%25#c"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}

// TestKeysDoNotCollide checks that parts holding the separator or the escape
// character cannot make two different records share a key.
func TestKeysDoNotCollide(t *testing.T) {
	keys := []session.Key{
		{Site: "a#b", UserID: "c"}, {Site: "a", UserID: "b#c"},
		{Site: "a%23b", UserID: "c"}, {Site: "a", UserID: "b%23c"},
		{Site: "a%", UserID: "23b#c"}, {Site: "a#", UserID: "b#c"},
	}
	seen := map[string]session.Key{}
	for _, k := range keys {
		for _, pk := range []string{sessionKey(k), messageKey(k, k.UserID)} {
			if prev, dup := seen[pk]; dup {
				t.Errorf("%+v and %+v share key %q", prev, k, pk)
			}
			seen[pk] = k
		}
	}
	if retiredKey(session.Key{Site: "a", UserID: "b#1"}, 2) == retiredKey(session.Key{Site: "a", UserID: "b"}, 12) {
		t.Error("retired keys collide")
	}
}
