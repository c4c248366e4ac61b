package session

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// impliedScopes lists, for each GitHub OAuth scope, the scopes it includes
// (GitHub's "Scopes for OAuth apps"): asking for repo and being granted
// repo:status is no surprise, and being granted repo covers a request for it.
var impliedScopes = map[string][]string{
	"repo":                      {"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"},
	"user":                      {"read:user", "user:email", "user:follow"},
	"admin:org":                 {"write:org", "read:org", "manage_runners:org"},
	"write:org":                 {"read:org"},
	"admin:public_key":          {"write:public_key", "read:public_key"},
	"write:public_key":          {"read:public_key"},
	"admin:repo_hook":           {"write:repo_hook", "read:repo_hook"},
	"write:repo_hook":           {"read:repo_hook"},
	"admin:gpg_key":             {"write:gpg_key", "read:gpg_key"},
	"write:gpg_key":             {"read:gpg_key"},
	"admin:ssh_signing_key":     {"write:ssh_signing_key", "read:ssh_signing_key"},
	"write:ssh_signing_key":     {"read:ssh_signing_key"},
	"write:packages":            {"read:packages"},
	"project":                   {"read:project"},
	"write:discussion":          {"read:discussion"},
	"admin:enterprise":          {"manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"},
	"manage_billing:enterprise": {"read:enterprise"},
	"audit_log":                 {"read:audit_log"},
}

// closure returns the scopes in set and all they imply.
func closure(set []string) map[string]bool {
	all := map[string]bool{}
	var add func(string)
	add = func(scope string) {
		if all[scope] {
			return
		}
		all[scope] = true
		for _, implied := range impliedScopes[scope] {
			add(implied)
		}
	}
	for _, s := range set {
		add(s)
	}
	return all
}

// ScopeDiff is how the scopes GitHub granted differ from those asked for.
type ScopeDiff struct {
	Missing []string // asked for, not granted
	Extra   []string // granted beyond what was asked
}

// Empty reports whether the grant matches the request (or was not compared).
func (d ScopeDiff) Empty() bool { return len(d.Missing)+len(d.Extra) == 0 }

// CompareScopes compares the scopes GitHub granted with those asked for:
// missing are asked for and not granted (a user or an organization can grant
// fewer), extra are granted beyond what was asked (an earlier grant of the
// same app with more scopes). Both are nil for GitHub App tokens, which have
// permissions, not scopes (granted is nil then).
func CompareScopes(asked, granted []string) (missing, extra []string) {
	if granted == nil {
		return nil, nil
	}
	have, want := closure(granted), closure(asked)
	for _, s := range asked {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !want[s] {
			extra = append(extra, s)
		}
	}
	return missing, extra
}

// ScopesCover reports whether granted includes scope, directly or through a
// scope that implies it (repo covers public_repo). Feature code (chatops)
// asks it before a call that needs a scope.
func ScopesCover(granted []string, scope string) bool { return closure(granted)[scope] }

// leafScopes are GitHub's OAuth scopes that include no other and that no
// other includes (GitHub's "Scopes for OAuth apps", github/docs, 2025);
// site_admin exists on GitHub Enterprise Server only.
var leafScopes = []string{"gist", "notifications", "delete_repo", "delete:packages", "admin:org_hook",
	"codespace", "workflow", "site_admin"}

// IsKnownScope reports whether scope is one of GitHub's OAuth scopes: a
// scope in impliedScopes, one they include, or a leaf scope. Configuration
// (GITHUB_EXTRA_SCOPES) is checked against it, so that a typo stops the
// program at start instead of sending users to a consent page GitHub refuses.
func IsKnownScope(scope string) bool {
	if _, ok := impliedScopes[scope]; ok {
		return true
	}
	for _, implied := range impliedScopes {
		for _, s := range implied {
			if s == scope {
				return true
			}
		}
	}
	for _, s := range leafScopes {
		if s == scope {
			return true
		}
	}
	return false
}

// ErrScopeNotAllowed means a login asked for a scope the operator does not
// let users add (see Service.ExtraScopes).
var ErrScopeNotAllowed = errors.New("scope not allowed")

// ScopeNotAllowedError names the first scope a login asked for that is not
// allowed, and the scopes users may add (Allowed, possibly none), for the
// edge to put in one sentence.
type ScopeNotAllowedError struct {
	Scope   string
	Allowed []string
}

func (e *ScopeNotAllowedError) Error() string {
	return fmt.Sprintf("scope %q not allowed (allowed: %s)", e.Scope, strings.Join(e.Allowed, ", "))
}

func (e *ScopeNotAllowedError) Unwrap() error { return ErrScopeNotAllowed }

// askedScopes is what a login asks GitHub for: the default scopes, then each
// scope the user named that they do not already list, in the order named.
// Names are matched without regard to case (GitHub's are lower case); a name
// not in defaults or extra is refused with a *ScopeNotAllowedError.
func askedScopes(defaults, extra, named []string) ([]string, error) {
	asked := append([]string(nil), defaults...)
	for _, n := range named {
		n = strings.ToLower(n)
		switch {
		case slices.Contains(asked, n):
		case slices.Contains(extra, n):
			asked = append(asked, n)
		default:
			return nil, &ScopeNotAllowedError{Scope: n, Allowed: slices.Clone(extra)}
		}
	}
	return asked, nil
}
