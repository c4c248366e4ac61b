package chatops

import (
	"fmt"
	"strings"
)

// Bounds of GitHub's names, as github.com enforces them when an account or a
// repository is made: a login is 1 to 39 ASCII letters, digits and single
// hyphens, neither first nor last; a repository name 1 to 100 of letters,
// digits, '.', '-' and '_', never "." or "..". Owners may also hold '_':
// Enterprise Managed Users' logins end in "_" and their enterprise's short
// code (and GitHub Enterprise Server may keep it), though github.com's own
// logins never do.
const (
	MaxOwnerLen = 39
	MaxNameLen  = 100
)

// RepoNameError says why a text is not "owner/name". Input is the text, cut
// short for display.
type RepoNameError struct {
	Input   string
	Problem string
}

func (e *RepoNameError) Error() string {
	return fmt.Sprintf("%q is not a repository name: %s", e.Input, e.Problem)
}

// ParseRepo reads "owner/name" by GitHub's rules for both parts. It accepts
// nothing else (no URL, no trailing ".git"): the answer names the repository
// exactly as asked.
func ParseRepo(s string) (Repo, error) {
	fail := func(problem string) (Repo, error) {
		shown := s
		if len(shown) > 60 {
			shown = shown[:60] + "…"
		}
		return Repo{}, &RepoNameError{Input: shown, Problem: problem}
	}
	owner, name, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(name, "/") {
		return fail("write it as owner/name")
	}
	if err := checkOwner(owner); err != "" {
		return fail("the owner " + err)
	}
	if err := checkName(name); err != "" {
		return fail("the repository name " + err)
	}
	return Repo{Owner: owner, Name: name}, nil
}

// checkOwner returns what is wrong with a GitHub login, "" when nothing.
func checkOwner(s string) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > MaxOwnerLen:
		return fmt.Sprintf("is longer than %d characters", MaxOwnerLen)
	case s[0] == '-' || s[len(s)-1] == '-':
		return "cannot start or end with a hyphen"
	case strings.Contains(s, "--"):
		return "cannot hold two hyphens in a row"
	}
	for _, r := range s {
		if !isAlnum(r) && r != '-' && r != '_' {
			return "may hold only letters, digits, hyphens and underscores"
		}
	}
	return ""
}

// checkName returns what is wrong with a repository name, "" when nothing.
func checkName(s string) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > MaxNameLen:
		return fmt.Sprintf("is longer than %d characters", MaxNameLen)
	case s == "." || s == "..":
		return "cannot be . or .."
	}
	for _, r := range s {
		if !isAlnum(r) && r != '-' && r != '_' && r != '.' {
			return "may hold only letters, digits, '.', '-' and '_'"
		}
	}
	return ""
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
