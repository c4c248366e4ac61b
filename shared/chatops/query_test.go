package chatops_test

import (
	"context"
	"errors"
	"testing"

	"rcgithub/shared/chatops"
)

func TestCheckShareableQuery(t *testing.T) {
	for _, tc := range []struct {
		query string
		ok    bool
	}{
		{"is:open author:@me", true},
		{"(crash OR panic) repo:octocat/hello", true},
		{`"a ) OR ( b" repo:octocat/hello`, true}, // parentheses inside quotes are text
		{"((a OR b) AND c)", true},
		{"is:public crash", true},
		{"repo:acme/secret) OR (repo:acme/secret", false}, // escapes the wrapper's group
		{"crash) OR (is:private", false},
		{"(crash", false},
		{"crash)", false},
		{`crash "`, false}, // would swallow ") is:public"
		{`"a\" ) OR ( b"`, false},
		{"crash is:private", false},
		{"crash IS:INTERNAL", false},
		{"(is:private)", false},
	} {
		err := chatops.CheckShareableQuery(tc.query)
		var unshareable *chatops.UnshareableQueryError
		if tc.ok != (err == nil) || (err != nil && !errors.As(err, &unshareable)) {
			t.Errorf("CheckShareableQuery(%q) = %v, want ok %v", tc.query, err, tc.ok)
		}
	}
}

// TestSharedSearchThatEscapesIsRefused: a shared search whose query would
// take is:public off half of it never reaches GitHub; the same query asked
// privately does.
func TestSharedSearchThatEscapesIsRefused(t *testing.T) {
	f := newFixture(nil, chatops.Public)
	const escape = "repo:acme/secret) OR (repo:acme/secret"
	_, err := f.svc.Search(context.Background(), alice, escape, true)
	var unshareable *chatops.UnshareableQueryError
	if !errors.As(err, &unshareable) || f.gh.count("Search") != 0 {
		t.Fatalf("shared search = %v after %d searches, want *UnshareableQueryError and none", err, f.gh.count("Search"))
	}
	if _, err := f.svc.Search(context.Background(), alice, escape, false); err != nil || f.gh.count("Search") != 1 {
		t.Fatalf("private search = %v after %d searches", err, f.gh.count("Search"))
	}
}
