package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/chatops"
)

// mentionLike finds what Rocket.Chat would take for a mention or room link
// outside code spans and link texts: "@" or "#" right before a name character
// (message-parser's UTF8NamesValidation: letters, digits, '-', '_', '.').
var mentionLike = regexp.MustCompile(`[@#][\p{L}\p{N}_.-]`)

// codeAndLinkText removes code spans and the text of [text](url) links,
// which the parser reads as plain text.
var codeAndLinkText = regexp.MustCompile("`[^`\n]*`|\\[[^\\]\n]*\\]\\(")

func TestOthersTextMentionsNobody(t *testing.T) {
	hostile := "@all look at #general, ping @here and @alice.smith"
	repo := chatops.Repo{Owner: "octocat", Name: "hello"}
	item := chatops.Item{Repo: repo, Number: 3, Title: hostile, Author: "hubot", Labels: []string{"@all"},
		HTMLURL: "https://github.example.com/octocat/hello/issues/3"}
	answers := map[string]string{
		"issues": itemsText(repo, "issues", []chatops.Item{item}),
		"search": searchText("x", chatops.SearchResult{Total: 1, Items: []chatops.Item{item}}, false),
		"me": profileText(chatops.Profile{Login: "octocat", Name: hostile,
			AssignedIssues: chatops.WorkList{Total: 1, Items: []chatops.Item{item}}}, false),
		"card": repoCardText(chatops.RepoCard{Repo: repo, Description: hostile,
			LatestRelease: &chatops.Release{Tag: "v1", Name: hostile, HTMLURL: "https://github.com/r", Published: time.Now()}}),
		"created":   createdText(chatops.Created{Repo: repo, Number: 4, HTMLURL: "https://github.com/x"}, hostile),
		"forbidden": chatErrorText(&chatops.ForbiddenError{Message: hostile}, "/github", repo),
	}
	for name, text := range answers {
		// Our own "[#3](url)" and "[@octocat](url)" are link texts: drop them
		// with the code spans, then nothing may look like a mention.
		rest := codeAndLinkText.ReplaceAllString(text, "")
		if m := mentionLike.FindAllString(rest, -1); m != nil {
			t.Errorf("%s: %q would mention %q in Rocket.Chat", name, text, m)
		}
		if name != "forbidden" && name != "created" && !strings.Contains(text, "look at") {
			t.Errorf("%s: %q lost the text", name, text)
		}
	}
	// Link texts are plain to the parser, but the server's mention regexp
	// looks after whitespace: third-party link text is broken too.
	if got := answers["card"]; strings.Contains(got, " @all") || strings.Contains(got, "[@all") {
		t.Errorf("release name link text mentions: %q", got)
	}
	// Without a URL the reference is bare text: " #3" would link a room.
	bare := itemsText(repo, "issues", []chatops.Item{{Repo: repo, Number: 3, Title: "t", Author: "hubot"}})
	if m := mentionLike.FindAllString(codeAndLinkText.ReplaceAllString(bare, ""), -1); m != nil {
		t.Errorf("item without URL: %q would mention %q", bare, m)
	}
	if want := "· by [hubot](https://github.example.com/hubot)"; !strings.Contains(answers["issues"], want) {
		t.Errorf("issues: %q, want the author as %q", answers["issues"], want)
	}
}
