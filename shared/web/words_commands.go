package web

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"rcgithub/shared/chatops"
	"rcgithub/shared/session"
)

// This file words the answers of the commands that act at GitHub, in
// Rocket.Chat's Markdown (its message-parser: **bold**, `code`, "- " lists,
// [text](url) links), each within maxAnswer.

// maxAnswer is Rocket.Chat's default Message_MaxAllowedSize: a longer message
// is refused. Rocket.Chat compares the JavaScript length of the text, in
// UTF-16 code units, which answerLen counts.
const maxAnswer = 5000

// maxTitle bounds a title or description in a list, in runes.
const maxTitle = 200

// answerLen is the length of s as Rocket.Chat counts it (UTF-16 code units).
func answerLen(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// fitLines joins head, as many lines as fit within maxAnswer and, when some
// did not fit, a last line saying how many were left out.
func fitLines(head string, lines []string) string {
	text := head
	for i, line := range lines {
		more := fmt.Sprintf("\n(%d more not shown: the answer would be too long for Rocket.Chat.)", len(lines)-i)
		if answerLen(text)+1+answerLen(line)+answerLen(more) > maxAnswer {
			return text + more
		}
		text += "\n" + line
	}
	return text
}

// shorten cuts s to n runes with an ellipsis, on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// linkText makes text safe inside [text](url): brackets would end it early,
// and angle brackets start Rocket.Chat's <url|text> links.
var linkTextEscaper = strings.NewReplacer("[", "(", "]", ")", "<", "‹", ">", "›")

// mdLink is a Markdown link, or plain text when there is no URL.
func mdLink(text, url string) string {
	text = linkTextEscaper.Replace(text)
	if url == "" || strings.ContainsAny(url, " ()\n") {
		return text
	}
	return "[" + text + "](" + url + ")"
}

// mentionBreaker keeps "@name" and "#room" in text written by others from
// becoming mentions: Rocket.Chat's message-parser (packages/message-parser
// grammar.pegjs: UserMention = "@"+ UTF8NamesValidation, ChannelMention =
// "#" UTF8NamesValidation) and its server's mention regexps need a name
// character right after the sign, and a zero-width space is none. Without it
// an issue titled "@all look" would ping the whole room an answer is shared in.
var mentionBreaker = strings.NewReplacer("@", "@\u200b", "#", "#\u200b")

// plainText keeps text written by others (titles, descriptions) from opening
// links or mentioning people and rooms.
func plainText(s string, n int) string { return othersText(shorten(s, n)) }

// othersText is text written by others, safe as link text or plain text.
func othersText(s string) string { return mentionBreaker.Replace(linkTextEscaper.Replace(s)) }

// authorText is a GitHub login, shown as a link to its GitHub profile (next to
// the item's own link) rather than as "@login": in Rocket.Chat that would ping
// whoever has the same user name there. A link's text is plain to the parser.
func authorText(it chatops.Item) string {
	login := othersText(it.Author)
	if i := strings.Index(it.HTMLURL, "/"+it.Repo.String()+"/"); i > 0 && it.Repo.Owner != "" {
		return mdLink(login, it.HTMLURL[:i]+"/"+it.Author)
	}
	return "`" + strings.ReplaceAll(it.Author, "`", "'") + "`"
}

func itemLine(it chatops.Item, withRepo bool) string {
	ref := fmt.Sprintf("#%d", it.Number)
	if withRepo {
		ref = it.Repo.String() + ref
	}
	if ref = mdLink(ref, it.HTMLURL); !strings.HasPrefix(ref, "[") {
		ref = mentionBreaker.Replace(ref) // a bare " #10" would link a room named 10
	}
	line := "- " + ref + " " + plainText(it.Title, maxTitle)
	if it.Author != "" {
		line += " · by " + authorText(it)
	}
	for _, l := range it.Labels {
		line += " `" + strings.ReplaceAll(shorten(l, 50), "`", "'") + "`"
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// profileText answers "me".
func profileText(p chatops.Profile, publicOnly bool) string {
	login := mdLink("@"+p.Login, p.HTMLURL)
	if !strings.HasPrefix(login, "[") { // no link: a bare "@login" would mention
		login = othersText("@" + p.Login)
	}
	head := "**" + login + "**"
	if p.Name != "" {
		head += " (" + plainText(p.Name, 100) + ")"
	}
	if publicOnly {
		head += ", public repositories only"
	}
	var lines []string
	for _, w := range []struct {
		title string
		list  chatops.WorkList
	}{{"Open pull requests", p.PullRequests}, {"Review requests", p.ReviewRequests}, {"Assigned issues", p.AssignedIssues}} {
		lines = append(lines, fmt.Sprintf("**%s: %d**", w.title, w.list.Total))
		for _, it := range w.list.Items {
			lines = append(lines, itemLine(it, true))
		}
	}
	return fitLines(head, lines)
}

// repoCardText answers "<owner>/<repo>".
func repoCardText(c chatops.RepoCard) string {
	vis := string(c.Visibility)
	if vis == "" {
		vis = "visibility unknown"
	}
	lines := []string{"**" + mdLink(c.Repo.String(), c.HTMLURL) + "** · " + vis}
	if c.Description != "" {
		lines = append(lines, plainText(c.Description, 500))
	}
	lines = append(lines, fmt.Sprintf("%s · %s · %s · %s · default branch `%s`",
		plural(c.Stars, "star", "stars"), plural(c.Forks, "fork", "forks"),
		plural(c.OpenIssues, "open issue", "open issues"), plural(c.OpenPulls, "open pull request", "open pull requests"),
		strings.ReplaceAll(shorten(c.DefaultBranch, 100), "`", "'")))
	if r := c.LatestRelease; r != nil {
		name := r.Tag
		switch {
		case strings.HasPrefix(r.Name, r.Tag):
			name = r.Name // "v1.2.0: quieter logs", not "v1.2.0 v1.2.0: quieter logs"
		case r.Name != "":
			name += " " + r.Name
		}
		line := "Latest release: " + mdLink(othersText(shorten(name, 100)), r.HTMLURL)
		if !r.Published.IsZero() {
			line += " (" + r.Published.UTC().Format("2006-01-02") + ")"
		}
		lines = append(lines, line)
	} else {
		lines = append(lines, "No release yet.")
	}
	return fitLines(lines[0], lines[1:])
}

// itemsText answers "<owner>/<repo> issues" and "… pulls".
func itemsText(r chatops.Repo, what string, items []chatops.Item) string {
	if len(items) == 0 {
		return fmt.Sprintf("%s has no open %s.", r, what)
	}
	head := fmt.Sprintf("Open %s of **%s**, most recently updated first:", what, r)
	lines := make([]string, 0, len(items))
	for _, it := range items {
		lines = append(lines, itemLine(it, false))
	}
	return fitLines(head, lines)
}

// searchText answers "search <query>".
func searchText(query string, res chatops.SearchResult, publicOnly bool) string {
	q := "`" + strings.ReplaceAll(shorten(query, 200), "`", "'") + "`"
	if len(res.Items) == 0 {
		return "Nothing on GitHub matches " + q + "."
	}
	head := fmt.Sprintf("%s on GitHub match %s", plural(res.Total, "issue or pull request", "issues and pull requests"), q)
	if publicOnly {
		head += " in public repositories"
	}
	if res.Total > len(res.Items) {
		head += fmt.Sprintf("; the first %d:", len(res.Items))
	} else {
		head += ":"
	}
	lines := make([]string, 0, len(res.Items)+1)
	for _, it := range res.Items {
		line := itemLine(it, true)
		if it.IsPull {
			line += " (pull request)"
		}
		lines = append(lines, line)
	}
	if res.Incomplete {
		lines = append(lines, "GitHub's search timed out, so these results may be incomplete.")
	}
	return fitLines(head, lines)
}

// createdText answers "<owner>/<repo> issue <title>".
func createdText(c chatops.Created, title string) string {
	return fmt.Sprintf("Created %s: %s", mdLink(fmt.Sprintf("%s#%d", c.Repo, c.Number), c.HTMLURL), plainText(title, maxTitle))
}

// The answers when a command is late.
const (
	deferredText       = "GitHub is slow; I'll send the answer by direct message."
	deferredSharedText = "GitHub is slow; I'll post the answer in this room when it comes (or tell you by direct message why not)."
	notFinishedText    = "GitHub did not answer in time, so this could not finish; try again in a minute."
	stoppedText        = "The service was restarting before GitHub answered, so this could not finish; try again in a minute."
)

// notConfirmedText answers a deferred creation whose first try never said
// how it ended.
func notConfirmedText(r chatops.Repo) string {
	return fmt.Sprintf("GitHub has not confirmed your new issue in %s yet: look at the repository's issues in a few minutes before trying again, so as not to open it twice.", r)
}

func roomPostFailedText(answer string) string {
	return "Your shared answer could not be posted in the room (the service's incoming webhook may not be allowed there), so here it is:\n" + answer
}

// chatErrorText words in one sentence why a command failed and what to do.
func chatErrorText(err error, trigger string, repo chatops.Repo) string {
	var (
		nameErr      *chatops.RepoNameError
		limited      *chatops.RateLimitedError
		notAccess    *chatops.NotAccessibleError
		forbidden    *chatops.ForbiddenError
		invalid      *chatops.InvalidError
		needsScope   *chatops.NeedsScopeError
		notShareable *chatops.NotShareableError
		usage        *usageError
	)
	switch {
	case errors.As(err, &usage):
		return usage.text(trigger)
	case errors.As(err, &nameErr):
		return fmt.Sprintf("`%s` is not a GitHub repository name (%s): write it as owner/name, e.g. `%s octocat/hello-world`.",
			strings.ReplaceAll(nameErr.Input, "`", "'"), nameErr.Problem, trigger)
	case errors.Is(err, session.ErrNotFound):
		return notLoggedInText(trigger)
	case errors.Is(err, session.ErrEndedAtGitHub):
		return endedAtGitHubText(trigger)
	case errors.Is(err, chatops.ErrNotFound):
		if repo.Owner == "" {
			return "GitHub found nothing there that your account can see; check the name and try again."
		}
		return fmt.Sprintf("GitHub has no repository %s that your account can see: check the name, and if it is private, that your account has access to it.", repo)
	case errors.As(err, &notShareable):
		return fmt.Sprintf("%s is %s, so its details are not shared into a room (this service cannot see who is in it): run the command without `share` to see it privately.",
			notShareable.Repo, notShareable.Visibility)
	case errors.As(err, &needsScope):
		return fmt.Sprintf("Your GitHub login does not allow this (it needs the %s scope): log in again with `%s login %s`.",
			needsScope.Scope, trigger, needsScope.Scope)
	case errors.As(err, &limited):
		what := "you"
		if limited.Search {
			what = "your searches"
		}
		return fmt.Sprintf("GitHub limits %s until %s UTC; try again then.", what, limited.Until.UTC().Format("15:04"))
	case errors.As(err, &notAccess):
		if notAccess.Permission != "" {
			return fmt.Sprintf("This service's GitHub App lacks the permission %s for this: ask whoever manages the app on GitHub to grant it (and the repository's owner to accept it), then try again.", notAccess.Permission)
		}
		return "This service's GitHub App lacks a permission for this (GitHub App tokens have permissions, not scopes): ask whoever manages the app on GitHub to grant it, then try again."
	case errors.As(err, &forbidden):
		return fmt.Sprintf("GitHub does not let your account do this (%s): ask the repository's owners for access if you need it.", plainText(forbidden.Message, 200))
	case errors.As(err, &invalid):
		return fmt.Sprintf("GitHub refused it as invalid (%s): check what you typed and try again.", plainText(invalid.Message, 200))
	case errors.Is(err, chatops.ErrEmptyTitle):
		return fmt.Sprintf("Give the issue a title: `%s owner/repo issue <title>`, with an optional body on the lines below.", trigger)
	case errors.Is(err, chatops.ErrEmptyQuery):
		return fmt.Sprintf("Say what to search for: `%s search <query>`, e.g. `%s search is:open author:@me`.", trigger, trigger)
	case errors.Is(err, chatops.ErrTokenRenewed):
		return "Your GitHub token was renewed while this ran, and GitHub refused the old one: run the command again."
	case errors.Is(err, chatops.ErrBeingCreated):
		return "The issue of this message is being created right now; its link comes with the first answer."
	}
	return unreachableText
}

// unreachableText answers a failure that is not the user's to fix.
const unreachableText = "GitHub could not be reached or failed just now; try again in a minute."

// usageError is a command typed the wrong way; text words it.
type usageError struct {
	kind string // "share", "share what", "repo"
	word string // the word that was not understood
}

func (e *usageError) Error() string { return "usage: " + e.kind }

func (e *usageError) text(trigger string) string {
	switch e.kind {
	case "share what":
		return fmt.Sprintf("Say what to share: `%s share <command>`, e.g. `%s share octocat/hello-world`.", trigger, trigger)
	case "share":
		return fmt.Sprintf("Only `me`, a repository, its `issues` or `pulls`, an `issue` and `search` can be shared, e.g. `%s share octocat/hello-world issues`.", trigger)
	}
	return fmt.Sprintf("`%s` is not something a repository answers: try `%s owner/repo`, `%s owner/repo issues`, `%s owner/repo pulls` or `%s owner/repo issue <title>`.",
		strings.ReplaceAll(shorten(e.word, 40), "`", "'"), trigger, trigger, trigger, trigger)
}

// chatHelp is the help of the commands that act at GitHub, one per line.
func chatHelp(trigger string) string { return strings.Join(chatHelpLines(trigger), "\n") }

// chatHelpLines are the help lines of the commands that act at GitHub.
func chatHelpLines(trigger string) []string {
	return []string{
		fmt.Sprintf("`%s me`: your GitHub profile, open pull requests, review requests and assigned issues.", trigger),
		fmt.Sprintf("`%s owner/repo`: a repository's card (description, stars, open issues, latest release).", trigger),
		fmt.Sprintf("`%s owner/repo issues` or `%s owner/repo pulls`: its ten most recently updated open issues or pull requests.", trigger, trigger),
		fmt.Sprintf("`%s owner/repo issue <title>`: open an issue as you; lines below the first become its body.", trigger),
		fmt.Sprintf("`%s search <query>`: issues and pull requests matching GitHub's search syntax, top ten.", trigger),
		fmt.Sprintf("`%s share <command>`: post the answer in this room instead of privately (public repositories only).", trigger),
	}
}

// chatReasonText words the reasons added after chatErrorText (a shared
// search that could escape is:public, an issue GitHub never confirmed, an
// issue asked for without a message id), then everything else as
// chatErrorText does.
func chatReasonText(err error, trigger string, repo chatops.Repo) string {
	var unshareable *chatops.UnshareableQueryError
	switch {
	case errors.As(err, &unshareable):
		return fmt.Sprintf("This search cannot be shared into a room (%s): balance its parentheses and quotes, leave out backslashes and is:private or is:internal, or run it without `share` to see it privately.",
			unshareable.Problem)
	case errors.Is(err, chatops.ErrNotConfirmed), errors.Is(err, chatops.ErrBeingCreated):
		// Being created: its first delivery is still waiting for GitHub, or
		// GitHub never confirmed it, or its answer never reached Rocket.Chat
		// (which re-delivers then): either way, look before trying again.
		return notConfirmedText(repo)
	case errors.Is(err, chatops.ErrNoMessageID):
		return noMessageIDText
	}
	return chatErrorText(err, trigger, repo)
}

// noMessageIDText answers an issue asked for by a message without message_id.
const noMessageIDText = "This message has no message_id, which an issue needs to be created only once: send it from Rocket.Chat's outgoing webhook, which always includes one."
