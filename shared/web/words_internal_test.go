package web

import (
	"strings"
	"testing"

	"rcgithub/shared/session"
)

// TestEveryReasonHasWords: every reason the service returns renders to a
// sentence of its own that names the trigger word passed in (an OAuth App
// suspended at GitHub aside, which no new link fixes), for each code GitHub
// may refuse an exchange with.
func TestEveryReasonHasWords(t *testing.T) {
	seen := map[string]session.Reason{}
	for _, r := range session.AllReasons() {
		codes := []string{""}
		if r == session.GitHubRefused {
			codes = []string{"bad_verification_code", "incorrect_client_credentials", "redirect_uri_mismatch", "unverified_user_email", "other<code>"}
		}
		for _, code := range codes {
			text := problemText(&session.Problem{Reason: r, GitHubCode: code}, "!gh")
			if !strings.Contains(text, "Type !gh login") && !strings.Contains(text, "type !gh login") {
				t.Errorf("%v %s: %q does not name the trigger word", r, code, text)
			}
			if strings.Contains(text, "/github") || strings.Contains(text, "<") {
				t.Errorf("%v %s: %q", r, code, text)
			}
			if prev, ok := seen[text]; ok && code == "" {
				t.Errorf("%v and %v read the same: %q", r, prev, text)
			}
			seen[text] = r
		}
	}
	for _, code := range []string{"access_denied", "redirect_uri_mismatch", "other"} {
		if _, _, text := authorizeError(code, "!gh"); !strings.Contains(text, "Type !gh login") {
			t.Errorf("authorize error %s: %q", code, text)
		}
	}
	for name, text := range map[string]string{
		"cross-origin": crossOriginText("!gh"), "form": unreadableFormText("!gh"), "internal": internalErrorText("!gh"),
		"405": methodNotAllowedText("!gh"), "404": notFoundText("!gh"), "help": helpText("!gh", 0, []string{"public_repo", "repo"}),
		"not logged in": notLoggedInText("!gh"), "ended at GitHub": endedAtGitHubText("!gh"), "nothing to log out": nothingToLogOutText("!gh"),
	} {
		if !strings.Contains(text, "!gh ") {
			t.Errorf("%s: %q does not name the trigger word", name, text)
		}
	}
}
