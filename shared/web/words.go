package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

// This file holds every sentence web shows a user, in a reply or on a page.
// Each hint names the trigger word the user typed (carried with the link and
// the sign-in), or the first configured word where there is none.

// wordOr is trigger, or fallback when trigger is "".
func wordOr(trigger, fallback string) string {
	if trigger == "" {
		return fallback
	}
	return trigger
}

// freshLink is the hint that ends most sign-in pages.
func freshLink(trigger string) string {
	return fmt.Sprintf("Type %s login in Rocket.Chat for a fresh link.", trigger)
}

// tryAgain is the hint after a failure on our side or GitHub's.
func tryAgain(trigger string) string {
	return fmt.Sprintf("Type %s login in Rocket.Chat to try again.", trigger)
}

// problemText words a problem of the session service for its page.
func problemText(p *session.Problem, trigger string) string {
	switch p.Reason {
	case session.LinkGone:
		return "This login link is unknown, was already used, or has expired. " + freshLink(trigger)
	case session.StateGone:
		return "This GitHub sign-in is unknown, was already used, or has expired. " + freshLink(trigger)
	case session.OtherBrowser:
		return fmt.Sprintf("This GitHub sign-in was started in another browser, so it cannot finish here. Open the link from Rocket.Chat in this browser: type %s login for a fresh link.", trigger)
	case session.NoCode:
		return "GitHub sent no authorization code. " + tryAgain(trigger)
	case session.StorageUnavailable:
		return fmt.Sprintf("Our storage is unavailable right now. Wait a minute, then type %s login in Rocket.Chat to try again.", trigger)
	case session.SignInNotStarted:
		return "We could not start the GitHub sign-in because our storage is unavailable. " + tryAgain(trigger)
	case session.GitHubUnanswered:
		return fmt.Sprintf("GitHub did not answer our sign-in request, so nothing was saved. Wait a minute, then type %s login in Rocket.Chat to try again.", trigger)
	case session.GitHubRefused:
		return refusedText(p.GitHubCode) + " " + freshLink(trigger)
	case session.GitHubUserUnknown:
		return "GitHub did not tell us which account you signed in with, so nothing was saved. " + tryAgain(trigger)
	case session.SessionNotSaved:
		return "We could not save your GitHub session, so nothing was kept. " + tryAgain(trigger)
	}
	return "Something went wrong on our side. " + tryAgain(trigger)
}

// refusedText explains a code GitHub's token endpoint refused an exchange with.
func refusedText(code string) string {
	switch code {
	case "bad_verification_code":
		return "GitHub says this sign-in code is invalid or has expired (codes work once, for 10 minutes), so nothing was saved."
	case "incorrect_client_credentials":
		return "GitHub refused this service's client credentials, so nothing was saved. Tell your Rocket.Chat admin to check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET."
	case "redirect_uri_mismatch":
		return "GitHub says the callback URL does not match the OAuth App's settings, so nothing was saved. Tell your Rocket.Chat admin to set the App's callback URL to this service's /oauth/callback."
	case "unverified_user_email":
		return "GitHub requires a verified primary email address on your account first. Verify it on GitHub, then sign in again."
	}
	return "GitHub refused the sign-in (" + safeCode(code) + "), so nothing was saved."
}

// authorizeError explains an error GitHub put in the callback's query.
func authorizeError(code, trigger string) (int, string, string) {
	again := " " + freshLink(trigger)
	switch code {
	case "access_denied":
		return http.StatusForbidden, "Sign-in cancelled", "You declined the authorization at GitHub, so nothing was connected." + again
	case "redirect_uri_mismatch":
		return http.StatusBadRequest, "Sign-in failed", "GitHub says this service's callback URL does not match the OAuth App's settings. Ask your Rocket.Chat admin to set the App's callback URL to this service's /oauth/callback." + again
	case "application_suspended":
		return http.StatusBadRequest, "Sign-in failed", "GitHub says this OAuth App is suspended. Ask your Rocket.Chat admin."
	}
	return http.StatusBadRequest, "Sign-in failed", fmt.Sprintf("GitHub reported an error (%s), so nothing was connected.", safeCode(code)) + again
}

// The page texts that no link or sign-in comes with: they name the first
// configured trigger word.
func crossOriginText(trigger string) string {
	return fmt.Sprintf("This sign-in was started from another website, so it was refused. Open the link from Rocket.Chat yourself: type %s login for a fresh link.", trigger)
}

func unreadableFormText(trigger string) string {
	return "The form could not be read. " + freshLink(trigger)
}

func internalErrorText(trigger string) string {
	return "Something went wrong on our side. " + tryAgain(trigger)
}

func methodNotAllowedText(trigger string) string {
	return "This address is only used by the GitHub sign-in. " + freshLink(trigger)
}

func notFoundText(trigger string) string {
	return fmt.Sprintf("There is nothing here. Type %s help in Rocket.Chat to see what this service does.", trigger)
}

// connectedText is the result line of the page after a login.
func connectedText(l session.Login) map[string]any {
	return map[string]any{
		"Login": l.GitHubLogin,
		"Ends":  rocketchat.FormatTime(l.Ends),
		"Note":  rocketchat.ScopeNote(l.Scopes),
	}
}

// helpText is the answer to "<trigger> help" (and to unknown commands).
func helpText(trigger string, ttl time.Duration, extraScopes []string) string {
	lines := []string{
		"GitHub commands:",
		fmt.Sprintf("`%s login`: connect your GitHub account (you get a private link).", trigger),
	}
	if len(extraScopes) > 0 {
		lines = append(lines, fmt.Sprintf("`%s login %s`: connect asking GitHub for more rights; you may add %s (public_repo lets you open issues in public repositories, repo in private ones too).",
			trigger, extraScopes[0], "`"+strings.Join(extraScopes, "`, `")+"`"))
	}
	return strings.Join(append(lines,
		fmt.Sprintf("`%s status`: show which GitHub account is connected and until when.", trigger),
		fmt.Sprintf("`%s logout`: disconnect now and revoke the token at GitHub.", trigger),
		chatHelp(trigger),
		fmt.Sprintf("`%s help`: this list.", trigger),
		"You are logged out automatically "+rocketchat.FormatDuration(ttl)+" after login.",
	), "\n")
}

// The answers to the chat commands.

func tooManyLinksText(wait time.Duration) string {
	return fmt.Sprintf("You asked for too many login links in a short time. Try again in %s; the links you already have work for 10 minutes each.",
		rocketchat.FormatDuration(max(wait, time.Minute)))
}

// scopeNotAllowedText refuses a login that named a scope users may not add,
// naming the ones they may. scope is the user's own word: cut short and kept
// out of the code span's way.
func scopeNotAllowedText(trigger, scope string, allowed []string) string {
	scope = rocketchat.Truncate(strings.ReplaceAll(scope, "`", ""), 40)
	if len(allowed) == 0 {
		return fmt.Sprintf("You cannot add `%s` to a login: this service lets you add no scope, so type `%s login` alone.", scope, trigger)
	}
	return fmt.Sprintf("You cannot add `%s` to a login: the scopes you can add are `%s` (for example `%s login %s`).",
		scope, strings.Join(allowed, "`, `"), trigger, allowed[len(allowed)-1])
}

const (
	linkFailedText   = "Sorry, the login link could not be created because our storage is unavailable. Wait a minute and try again."
	statusFailedText = "Sorry, your status could not be read because our storage is unavailable. Wait a minute and try again."
	logoutFailedText = "Sorry, you could not be logged out because our storage is unavailable. Wait a minute and try again."
)

func linkText(publicURL, id string) string {
	return fmt.Sprintf("Connect your GitHub account: %s/oauth/start?link=%s\nThe link works once, for 10 minutes. Do not share it.", publicURL, id)
}

func notLoggedInText(trigger string) string {
	return fmt.Sprintf("You are not logged in to GitHub. Type `%s login` to connect.", trigger)
}

func endedAtGitHubText(trigger string) string {
	return fmt.Sprintf("GitHub no longer accepts your token (it was revoked or expired at GitHub), so your session has ended. Type `%s login` to connect again.", trigger)
}

func statusText(st session.Status, left time.Duration) string {
	text := fmt.Sprintf("You are logged in to GitHub as @%s since %s. The session ends %s (in %s).",
		st.GitHubLogin, rocketchat.FormatTime(st.Started), rocketchat.FormatTime(st.Ends), rocketchat.FormatDuration(left))
	if !st.Checked {
		text += " (GitHub could not be reached to check the token just now.)"
	}
	return text
}

func nothingToLogOutText(trigger string) string {
	return fmt.Sprintf("You are not logged in to GitHub, so there is nothing to log out. Type `%s login` to connect.", trigger)
}

func loggedOutText(res session.LogoutResult) string {
	if !res.Revoked {
		return fmt.Sprintf("You are logged out of GitHub (@%s). GitHub did not confirm the token's revocation yet; we keep retrying until it does.", res.GitHubLogin)
	}
	return fmt.Sprintf("You are logged out of GitHub (@%s) and the token is revoked.", res.GitHubLogin)
}
