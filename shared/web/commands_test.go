package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/chatops"
	"rcgithub/shared/memstore"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/session"
)

const (
	chatSite  = "https://chat.example.com"
	chatToken = "chat-webhook-token"
)

var chatNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// chatGitHub is GitHub as the chat commands see it: answers from fields,
// errors by call name, and, while block is open, calls that wait for their
// context (a GitHub that does not answer).
type chatGitHub struct {
	mu      sync.Mutex
	errs    map[string]error
	vis     chatops.Visibility
	items   []chatops.Item
	block   chan struct{} // non-nil: every call waits for ctx or its closing
	created int           // issues actually created
	// onCreate, when set, is called on every CreateIssue, failed or not.
	onCreate func()
	bodies   []string
}

func (g *chatGitHub) wait(ctx context.Context, name string) error {
	g.mu.Lock()
	block, err := g.block, g.errs[name]
	g.mu.Unlock()
	if block != nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-block:
		}
	}
	return err
}

func (g *chatGitHub) Profile(ctx context.Context, publicOnly bool) (chatops.Profile, error) {
	if err := g.wait(ctx, "Profile"); err != nil {
		return chatops.Profile{}, err
	}
	work := chatops.WorkList{Total: len(g.items), Items: g.items}
	return chatops.Profile{Login: "octocat", Name: "The Octocat", HTMLURL: "https://github.com/octocat",
		PullRequests: work, ReviewRequests: chatops.WorkList{}, AssignedIssues: work}, nil
}

func (g *chatGitHub) Repo(ctx context.Context, r chatops.Repo) (chatops.RepoCard, error) {
	if err := g.wait(ctx, "Repo"); err != nil {
		return chatops.RepoCard{}, err
	}
	return chatops.RepoCard{Repo: r, Description: "My first repository", Visibility: g.vis, Stars: 80, Forks: 9,
		OpenIssues: 2, OpenPulls: 1, DefaultBranch: "main", HTMLURL: "https://github.com/" + r.String(),
		LatestRelease: &chatops.Release{Tag: "v1.0", HTMLURL: "https://github.com/" + r.String() + "/releases/v1.0", Published: chatNow}}, nil
}

func (g *chatGitHub) Issues(ctx context.Context, _ chatops.Repo, n int) ([]chatops.Item, error) {
	if err := g.wait(ctx, "Issues"); err != nil {
		return nil, err
	}
	return g.items[:min(n, len(g.items))], nil
}

func (g *chatGitHub) Pulls(ctx context.Context, r chatops.Repo, n int) ([]chatops.Item, error) {
	if err := g.wait(ctx, "Pulls"); err != nil {
		return nil, err
	}
	return nil, nil
}

func (g *chatGitHub) CreateIssue(ctx context.Context, r chatops.Repo, title, body string) (chatops.Created, error) {
	if g.onCreate != nil {
		g.onCreate()
	}
	if err := g.wait(ctx, "CreateIssue"); err != nil {
		return chatops.Created{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.created++
	g.bodies = append(g.bodies, body)
	return chatops.Created{Repo: r, Number: 41 + g.created, HTMLURL: fmt.Sprintf("https://github.com/%s/issues/%d", r, 41+g.created)}, nil
}

func (g *chatGitHub) Search(ctx context.Context, query string, n int, publicOnly bool) (chatops.SearchResult, error) {
	if err := g.wait(ctx, "Search"); err != nil {
		return chatops.SearchResult{}, err
	}
	return chatops.SearchResult{Total: 123, Items: g.items[:min(n, len(g.items))]}, nil
}

// chatSessions: alice is logged in (with scopes), nobody else.
type chatSessions struct {
	scopes   []string
	rejected int
}

func (s *chatSessions) UserToken(_ context.Context, k session.Key) (session.UserToken, error) {
	if k.UserID != "alice-id" {
		return session.UserToken{}, session.ErrNotFound
	}
	return session.UserToken{Session: session.Session{Key: k, Generation: 1, Scopes: s.scopes}, Token: "gho_t"}, nil
}

func (s *chatSessions) TokenRejected(context.Context, session.Key, int64) error {
	s.rejected++
	return session.ErrEndedAtGitHub
}

// chatMessenger records what is sent later.
type chatMessenger struct {
	mu      sync.Mutex
	noHook  bool
	roomErr error
	dms     []string
	rooms   []string
}

func (m *chatMessenger) HasIncomingWebhook(context.Context, string) bool { return !m.noHook }

func (m *chatMessenger) Send(_ context.Context, _ session.Key, text string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dms = append(m.dms, text)
	return nil
}

func (m *chatMessenger) SendRoom(_ context.Context, _, roomID, threadID, text string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.roomErr != nil {
		return m.roomErr
	}
	if threadID != "" {
		roomID += "/" + threadID
	}
	m.rooms = append(m.rooms, roomID+": "+text)
	return nil
}

// chatDeferrer keeps what it is handed.
type chatDeferrer struct {
	deferred []chatops.Deferred
	err      error
}

func (d *chatDeferrer) Defer(_ context.Context, x chatops.Deferred) error {
	d.deferred = append(d.deferred, x)
	return d.err
}

type chatSites struct{}

func (chatSites) WebhookTokens(_ context.Context, site string) ([]string, bool) {
	return []string{chatToken}, site == chatSite
}

type chatWorld struct {
	h         *Handler
	gh        *chatGitHub
	sessions  *chatSessions
	messenger *chatMessenger
	deferrer  *chatDeferrer
}

func newChatWorld(t testing.TB, scopes []string) *chatWorld {
	t.Helper()
	h, err := New(noService{}, Config{PublicURL: "https://rcgithub.example.com", TriggerWords: []string{"/github", "!gh"},
		SessionTTL: 8 * time.Hour, Sites: chatSites{}, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return chatNow }})
	if err != nil {
		t.Fatal(err)
	}
	w := &chatWorld{h: h, gh: &chatGitHub{vis: chatops.Public}, sessions: &chatSessions{scopes: scopes},
		messenger: &chatMessenger{}, deferrer: &chatDeferrer{}}
	for i := 1; i <= 12; i++ {
		w.gh.items = append(w.gh.items, chatops.Item{Repo: chatops.Repo{Owner: "octocat", Name: "hello"}, Number: i,
			Title: fmt.Sprintf("Issue %d [x]", i), Author: "hubot", Labels: []string{"bug"},
			HTMLURL: fmt.Sprintf("https://github.com/octocat/hello/issues/%d", i)})
	}
	svc := &chatops.Service{Sessions: w.sessions, Claims: memstore.NewClaims(func() time.Time { return chatNow }),
		Connect: func(string) chatops.GitHub { return w.gh }, Now: func() time.Time { return chatNow }}
	if err := h.EnableChatOps(ChatOps{Service: svc, Deferrer: w.deferrer, Messenger: w.messenger, Budget: time.Hour}); err != nil {
		t.Fatal(err)
	}
	return w
}

// say posts a message of alice's to the webhook and returns Rocket.Chat's
// answer.
func (w *chatWorld) say(t *testing.T, messageID, text string) rocketchat.Reply {
	t.Helper()
	body, _ := json.Marshal(rocketchat.Message{Token: chatToken, ChannelID: "ROOM1", ChannelName: "general", MessageID: messageID,
		UserID: "alice-id", UserName: "alice", Text: text, SiteURL: chatSite})
	rec := httptest.NewRecorder()
	w.h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("%q: status %d %s", text, rec.Code, rec.Body)
	}
	var r rocketchat.Reply
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseChat(t *testing.T) {
	hello := chatops.Repo{Owner: "Octo-Cat", Name: "Hello.World"}
	tests := []struct {
		line, body string
		want       chatCommand
		isChat     bool
		err        bool
	}{
		{"me", "", chatCommand{kind: kindMe}, true, false},
		{"ME please", "", chatCommand{kind: kindMe}, true, false},
		{"share me", "", chatCommand{kind: kindMe, share: true}, true, false},
		{"search  is:open  label:bug", "", chatCommand{kind: kindSearch, query: "is:open  label:bug"}, true, false},
		{"search", "", chatCommand{kind: kindSearch}, true, false},
		{"Octo-Cat/Hello.World", "", chatCommand{kind: kindRepo, repo: hello}, true, false},
		{"Octo-Cat/Hello.World Issues", "", chatCommand{kind: kindIssues, repo: hello}, true, false},
		{"Octo-Cat/Hello.World pulls", "", chatCommand{kind: kindPulls, repo: hello}, true, false},
		{"Octo-Cat/Hello.World prs", "", chatCommand{kind: kindPulls, repo: hello}, true, false},
		{"Octo-Cat/Hello.World issue  Crash  on start", "Steps:\n  1. run\n",
			chatCommand{kind: kindIssue, repo: hello, title: "Crash  on start", body: "Steps:\n  1. run\n"}, true, false},
		{"share Octo-Cat/Hello.World issue T", "b", chatCommand{kind: kindIssue, repo: hello, title: "T", body: "b", share: true}, true, false},
		{"Octo-Cat/Hello.World issue", "", chatCommand{kind: kindIssue, repo: hello}, true, false},
		{"octo--cat/x", "", chatCommand{}, true, true},
		{"a/b/c issues", "", chatCommand{}, true, true},
		{"o/r frobnicate", "", chatCommand{}, true, true},
		{"share", "", chatCommand{}, true, true},
		{"share login", "", chatCommand{}, true, true},
		{"share share me", "", chatCommand{}, true, true},
		{"login", "", chatCommand{}, false, false},
		{"status", "", chatCommand{}, false, false},
		{"whoami", "", chatCommand{}, false, false},
		{"", "", chatCommand{}, false, false},
	}
	for _, tt := range tests {
		got, isChat, err := parseChat(tt.line, tt.body)
		if isChat != tt.isChat || (err != nil) != tt.err || (err == nil && got != tt.want) {
			t.Errorf("parseChat(%q, %q) = %+v, %v, %v; want %+v, %v, error %v", tt.line, tt.body, got, isChat, err, tt.want, tt.isChat, tt.err)
		}
	}
}

// TestChatAnswers runs every command through the webhook, its answers and
// its failures, each one sentence naming what to do.
func TestChatAnswers(t *testing.T) {
	limited := &chatops.RateLimitedError{Until: time.Date(2030, 1, 2, 4, 5, 0, 0, time.UTC)}
	tests := []struct {
		name   string
		text   string
		user   string // "" is alice
		scopes []string
		vis    chatops.Visibility
		errs   map[string]error
		room   bool     // answered in the room
		want   []string // in the answer
	}{
		{name: "me", text: "/github me", want: []string{"**[@octocat](https://github.com/octocat)** (The Octocat)",
			"**Open pull requests: 12**", "- [octocat/hello#1](https://github.com/octocat/hello/issues/1) Issue 1 (x) · by [hubot](https://github.com/hubot) `bug`", "**Review requests: 0**"}},
		{name: "status is no longer me", text: "/github me", want: []string{"Assigned issues"}},
		{name: "repo card", text: "!gh octocat/hello", vis: chatops.Private, want: []string{"**[octocat/hello](https://github.com/octocat/hello)** · private",
			"My first repository", "80 stars · 9 forks · 2 open issues · 1 open pull request · default branch `main`",
			"Latest release: [v1.0](https://github.com/octocat/hello/releases/v1.0) (2030-01-02)"}},
		{name: "issues", text: "/github octocat/hello issues", want: []string{"Open issues of **octocat/hello**, most recently updated first:",
			"- [#10](https://github.com/octocat/hello/issues/10) Issue 10 (x) · by [hubot](https://github.com/hubot) `bug`"}},
		{name: "no pulls", text: "/github octocat/hello pulls", want: []string{"octocat/hello has no open pull requests."}},
		{name: "search", text: "/github search is:open label:bug", want: []string{"123 issues and pull requests on GitHub match `is:open label:bug`; the first 10:",
			"- [octocat/hello#3](https://github.com/octocat/hello/issues/3)"}},
		{name: "create issue", text: "/github octocat/hello issue Crash\nbody", scopes: []string{"public_repo"},
			want: []string{"Created [octocat/hello#42](https://github.com/octocat/hello/issues/42): Crash"}},
		{name: "share repo", text: "/github share octocat/hello", room: true, want: []string{"**[octocat/hello](https://github.com/octocat/hello)** · public"}},
		{name: "share search", text: "/github share search bug", room: true, want: []string{"in public repositories"}},
		{name: "share me", text: "/github share me", room: true, want: []string{"public repositories only"}},
		{name: "share search escaping is:public", text: "/github share search repo:acme/secret) OR (repo:acme/secret",
			want: []string{"This search cannot be shared into a room (a parenthesis closes a group it did not open): balance its parentheses and quotes"}},
		{name: "share private refused", text: "/github share octocat/hello issues", vis: chatops.Private,
			want: []string{"octocat/hello is private, so its details are not shared into a room (this service cannot see who is in it): run the command without `share`"}},
		{name: "share internal refused", text: "/github share octocat/hello", vis: chatops.Internal, want: []string{"is internal, so"}},
		{name: "malformed name", text: "/github octo--cat/hello", want: []string{"`octo--cat/hello` is not a GitHub repository name (the owner cannot hold two hyphens in a row): write it as owner/name"}},
		{name: "unknown repo", text: "/github octocat/nope", errs: map[string]error{"Repo": chatops.ErrNotFound},
			want: []string{"GitHub has no repository octocat/nope that your account can see"}},
		{name: "no permission", text: "/github octocat/hello issue T", errs: map[string]error{"CreateIssue": &chatops.ForbiddenError{Message: "Issues are disabled for this repo"}},
			want: []string{"GitHub does not let your account do this (Issues are disabled for this repo): ask the repository's owners"}},
		{name: "empty title", text: "/github octocat/hello issue   \nbody only", want: []string{"Give the issue a title: `/github owner/repo issue <title>`"}},
		{name: "empty search", text: "!gh search", want: []string{"Say what to search for: `!gh search <query>`"}},
		{name: "needs public_repo", text: "/github octocat/hello issue T", scopes: []string{"read:user"},
			want: []string{"log in again with `/github login public_repo`."}},
		{name: "needs repo", text: "/github octocat/hello issue T", scopes: []string{"public_repo"}, vis: chatops.Private,
			want: []string{"log in again with `/github login repo`."}},
		{name: "rate limited", text: "/github me", errs: map[string]error{"Profile": limited}, want: []string{"GitHub limits you until 04:05 UTC"}},
		{name: "search rate limited", text: "/github search x", errs: map[string]error{"Search": &chatops.RateLimitedError{Until: limited.Until, Search: true}},
			want: []string{"GitHub limits your searches until 04:05 UTC"}},
		{name: "not accessible", text: "/github octocat/hello issue T",
			errs: map[string]error{"CreateIssue": &chatops.NotAccessibleError{Permission: "issues=write"}},
			want: []string{"This service's GitHub App lacks the permission issues=write"}},
		{name: "not logged in", text: "/github me", user: "bob-id", want: []string{"You are not logged in to GitHub. Type `/github login` to connect."}},
		{name: "token revoked", text: "/github me", errs: map[string]error{"Profile": chatops.ErrUnauthorized},
			want: []string{"GitHub no longer accepts your token"}},
		{name: "github unreachable", text: "/github octocat/hello issues", errs: map[string]error{"Issues": errors.New("dial tcp: connection refused")},
			want: []string{"GitHub could not be reached or failed just now; try again in a minute."}},
		{name: "repo typo", text: "/github octocat/hello isues", want: []string{"`isues` is not something a repository answers"}},
		{name: "share nothing", text: "/github share", want: []string{"Say what to share: `/github share <command>`"}},
		{name: "share login", text: "/github share login", want: []string{"Only `me`, a repository"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newChatWorld(t, tt.scopes)
			if tt.vis != "" {
				w.gh.vis = tt.vis
			}
			w.gh.errs = tt.errs
			body, _ := json.Marshal(rocketchat.Message{Token: chatToken, ChannelID: "ROOM1", MessageID: "m-" + tt.name,
				UserID: map[bool]string{true: "alice-id", false: tt.user}[tt.user == ""], UserName: "alice", Text: tt.text, SiteURL: chatSite, ThreadID: "T1"})
			rec := httptest.NewRecorder()
			w.h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body)))
			var r rocketchat.Reply
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || rec.Code != http.StatusOK {
				t.Fatalf("status %d %s", rec.Code, rec.Body)
			}
			if tt.room && (r.Channel != "" || r.ThreadID != "T1") {
				t.Errorf("shared answer to channel %q thread %q, want the room (no channel) and the message's thread", r.Channel, r.ThreadID)
			}
			if !tt.room && r.Channel != "@alice" {
				t.Errorf("answer to %q, want @alice privately", r.Channel)
			}
			if r.ParseURLs == nil || *r.ParseURLs {
				t.Error("link previews are on")
			}
			for _, want := range tt.want {
				if !strings.Contains(r.Text, want) {
					t.Errorf("answer %q\nlacks %q", r.Text, want)
				}
			}
			if answerLen(r.Text) > maxAnswer {
				t.Errorf("answer of %d characters", answerLen(r.Text))
			}
		})
	}
}

// TestIssueBodyKeptOncePerMessage: the body goes to GitHub with its lines and
// spacing; Rocket.Chat's re-delivery of the message gets the same issue.
func TestIssueBodyKeptOncePerMessage(t *testing.T) {
	w := newChatWorld(t, []string{"repo"})
	text := "/github octocat/hello issue Crash on start\nSteps:\n  1. run `make`\n\n    indented\n- [ ] check"
	first := w.say(t, "MSG1", text)
	again := w.say(t, "MSG1", text)
	if first.Text != again.Text || !strings.Contains(first.Text, "octocat/hello#42") {
		t.Fatalf("answers %q and %q, want the same issue twice", first.Text, again.Text)
	}
	if w.gh.created != 1 || w.gh.bodies[0] != "Steps:\n  1. run `make`\n\n    indented\n- [ ] check" {
		t.Fatalf("created %d issues, bodies %q", w.gh.created, w.gh.bodies)
	}
	if other := w.say(t, "MSG2", text); !strings.Contains(other.Text, "octocat/hello#43") {
		t.Fatalf("another message: %q, want a second issue", other.Text)
	}
}

// TestAnswersFitRocketChat: lists of long titles are cut to 5000 characters
// (UTF-16 units, as Rocket.Chat counts), saying so.
func TestAnswersFitRocketChat(t *testing.T) {
	var items []chatops.Item
	for i := range 10 {
		items = append(items, chatops.Item{Repo: chatops.Repo{Owner: strings.Repeat("o", 39), Name: strings.Repeat("r", 100)}, Number: 100000 + i,
			Title: strings.Repeat("😀", 300), Author: strings.Repeat("a", 39), Labels: []string{strings.Repeat("l", 50), strings.Repeat("m", 50), "x", "y", "z"},
			HTMLURL: "https://github.com/" + strings.Repeat("o", 39) + "/" + strings.Repeat("r", 100) + "/issues/100000"})
	}
	work := chatops.WorkList{Total: 500, Items: items}
	for name, text := range map[string]string{
		"me":     profileText(chatops.Profile{Login: "octocat", Name: strings.Repeat("N", 300), PullRequests: work, ReviewRequests: work, AssignedIssues: work}, false),
		"search": searchText(strings.Repeat("q", 300), chatops.SearchResult{Total: 1000, Items: items, Incomplete: true}, false),
		"issues": itemsText(chatops.Repo{Owner: "o", Name: "r"}, "issues", items),
		"card":   repoCardText(chatops.RepoCard{Repo: chatops.Repo{Owner: "o", Name: "r"}, Description: strings.Repeat("d", 5000)}),
	} {
		if n := answerLen(text); n > maxAnswer {
			t.Errorf("%s: %d characters", name, n)
		}
		if name == "me" && !strings.Contains(text, "more not shown") {
			t.Errorf("%s: cut without saying so: %q", name, text[len(text)-200:])
		}
	}
	if answerLen("😀a") != 3 {
		t.Error("an emoji is two UTF-16 units")
	}
}

// TestHelpListsTheCommands: help names every command with the trigger word.
func TestHelpListsTheCommands(t *testing.T) {
	text := helpText("!gh", time.Hour, nil)
	for _, cmd := range []string{"`!gh login`", "`!gh status`", "`!gh logout`", "`!gh me`", "`!gh owner/repo`", "`!gh owner/repo issues`",
		"`!gh owner/repo pulls`", "`!gh owner/repo issue <title>`", "`!gh search <query>`", "`!gh share <command>`", "`!gh help`"} {
		if !strings.Contains(text, cmd) {
			t.Errorf("help lacks %s:\n%s", cmd, text)
		}
	}
	if n := answerLen(text); n > maxAnswer {
		t.Errorf("help of %d characters", n)
	}
}

// lateWorld is a chat world whose GitHub does not answer until unblocked, and
// whose budget is short, so every command outruns it.
func lateWorld(t *testing.T, scopes []string) *chatWorld {
	w := newChatWorld(t, scopes)
	w.h.chat.Budget = 10 * time.Millisecond
	w.gh.block = make(chan struct{}) // never closed: calls wait for their context
	return w
}

// unblock makes GitHub answer again, the calls waiting too.
func (w *chatWorld) unblock() {
	w.gh.mu.Lock()
	close(w.gh.block)
	w.gh.block = nil
	w.gh.mu.Unlock()
}

// TestLateCommandIsFinishedByDirectMessage: a command GitHub does not answer
// within the budget is answered "later", handed to the Deferrer with what the
// user typed, and RunDeferred delivers its answer by direct message.
func TestLateCommandIsFinishedByDirectMessage(t *testing.T) {
	w := lateWorld(t, nil)
	r := w.say(t, "LATE1", "!gh octocat/hello issues")
	if r.Text != deferredText || r.Channel != "@alice" {
		t.Fatalf("answer %+v, want the private promise of a direct message", r)
	}
	if len(w.deferrer.deferred) != 1 {
		t.Fatalf("deferred %d commands, want 1", len(w.deferrer.deferred))
	}
	d := w.deferrer.deferred[0]
	want := chatops.Deferred{Key: session.Key{Site: chatSite, UserID: "alice-id"}, UserName: "alice", MessageID: "LATE1",
		Trigger: "!gh", Text: "!gh octocat/hello issues", RoomID: "ROOM1"}
	if d != want {
		t.Fatalf("deferred %+v, want %+v", d, want)
	}
	w.unblock()
	if err := w.h.RunDeferred(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(w.messenger.dms) != 1 || !strings.Contains(w.messenger.dms[0], "Open issues of **octocat/hello**") || len(w.messenger.rooms) != 0 {
		t.Fatalf("direct messages %q, room posts %q; want the list by direct message", w.messenger.dms, w.messenger.rooms)
	}
}

// TestLateShareIsPostedInTheRoom: a late share goes to the room it was typed
// in; when the room refuses the post, the user gets the answer by direct
// message, saying so.
func TestLateShareIsPostedInTheRoom(t *testing.T) {
	w := lateWorld(t, nil)
	if r := w.say(t, "LATE2", "/github share octocat/hello"); r.Text != deferredSharedText || r.Channel != "@alice" {
		t.Fatalf("answer %+v, want the private promise of a post in the room", r)
	}
	w.unblock()
	d := w.deferrer.deferred[0]
	if err := w.h.RunDeferred(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(w.messenger.rooms) != 1 || !strings.HasPrefix(w.messenger.rooms[0], "ROOM1: **[octocat/hello]") || len(w.messenger.dms) != 0 {
		t.Fatalf("room posts %q, direct messages %q", w.messenger.rooms, w.messenger.dms)
	}
	w.messenger.roomErr = errors.New("refused")
	if err := w.h.RunDeferred(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(w.messenger.dms) != 1 || !strings.Contains(w.messenger.dms[0], "could not be posted in the room") ||
		!strings.Contains(w.messenger.dms[0], "**[octocat/hello]") {
		t.Fatalf("direct messages %q, want the answer and why", w.messenger.dms)
	}
	// A late share of a private repository is refused by direct message.
	w.gh.vis = chatops.Private
	w.messenger.dms = nil
	if err := w.h.RunDeferred(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(w.messenger.dms) != 1 || !strings.Contains(w.messenger.dms[0], "not shared into a room") || len(w.messenger.rooms) != 1 {
		t.Fatalf("direct messages %q, room posts %q", w.messenger.dms, w.messenger.rooms)
	}
}

// TestLateCommandNotDeferred: without an incoming webhook to answer by, or
// when the Deferrer refuses, the user is told it could not finish.
func TestLateCommandNotDeferred(t *testing.T) {
	w := lateWorld(t, nil)
	w.messenger.noHook = true
	if r := w.say(t, "LATE3", "/github me"); r.Text != notFinishedText {
		t.Fatalf("answer %q, want %q", r.Text, notFinishedText)
	}
	if len(w.deferrer.deferred) != 0 {
		t.Fatal("deferred without an incoming webhook to answer by")
	}
	w = lateWorld(t, nil)
	w.deferrer.err = errors.New("queue down")
	if r := w.say(t, "LATE4", "/github me"); r.Text != notFinishedText {
		t.Fatalf("answer %q, want %q", r.Text, notFinishedText)
	}
	w = lateWorld(t, nil)
	w.h.chat.Deferrer = nil
	if r := w.say(t, "LATE5", "/github me"); r.Text != notFinishedText {
		t.Fatalf("answer %q, want %q", r.Text, notFinishedText)
	}
}

// TestRunDeferredRefusesGarbage: a deferred command that is not one (a queue
// message tampered with or from an older version) is an error, not a run.
func TestRunDeferredRefusesGarbage(t *testing.T) {
	w := newChatWorld(t, nil)
	k := session.Key{Site: chatSite, UserID: "alice-id"}
	for _, d := range []chatops.Deferred{
		{Key: k, Text: "/github login"},
		{Key: k, Text: "hello"},
		{Key: session.Key{Site: "not a site", UserID: "u"}, Text: "/github me"},
	} {
		if err := w.h.RunDeferred(context.Background(), d); !errors.Is(err, ErrBadDeferred) {
			t.Errorf("RunDeferred(%+v) = %v, want ErrBadDeferred", d, err)
		}
	}
	if len(w.messenger.dms)+len(w.messenger.rooms) != 0 {
		t.Fatal("garbage was answered")
	}
}

// FuzzChatAnswer: any text of alice's gets one private answer (or, for a
// successful share, one in the room) within Rocket.Chat's size, and parsing
// agrees with itself.
func FuzzChatAnswer(f *testing.F) {
	for _, s := range []string{"/github me", "/github share o/r issues", "/github o/r issue t\n b", "/github search  x", "/github o--/r", "!gh share share"} {
		f.Add(s)
	}
	w := newChatWorld(f, []string{"repo"})
	n := 0
	f.Fuzz(func(t *testing.T, text string) {
		if raw, ok := rocketchat.ParseRawCommand(text, w.h.cfg.TriggerWords); ok {
			cc, isChat, err := parseChat(raw.Line, raw.Body)
			if isChat && err == nil && cc.kind == 0 {
				t.Fatalf("%q: a chat command of no kind", text)
			}
		}
		n++
		body, _ := json.Marshal(rocketchat.Message{Token: chatToken, ChannelID: "ROOM1", MessageID: fmt.Sprintf("F%d", n),
			UserID: "alice-id", UserName: "alice", Text: text, SiteURL: chatSite})
		rec := httptest.NewRecorder()
		w.h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body)))
		var r rocketchat.Reply
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &r) != nil {
			t.Fatalf("%q: %d %s", text, rec.Code, rec.Body)
		}
		if r.Text != "" && r.Channel != "@alice" && !strings.Contains(strings.ToLower(text), "share") {
			t.Fatalf("%q: answered to %q", text, r.Channel)
		}
		if answerLen(r.Text) > maxAnswer {
			t.Fatalf("%q: answer of %d characters", text, answerLen(r.Text))
		}
	})
}

// TestIssueNotConfirmedIsNotCreatedTwice: when GitHub's answer to the
// creation never says how it ended (a 502, a timeout), the user is told to
// look before trying again, and Rocket.Chat's re-delivery of the message does
// not ask GitHub again.
func TestIssueNotConfirmedIsNotCreatedTwice(t *testing.T) {
	for _, failure := range []error{errors.New("github create issue: 502 Bad Gateway"),
		fmt.Errorf("github create issue: %w", context.DeadlineExceeded)} {
		w := newChatWorld(t, []string{"repo"})
		var calls int
		w.gh.errs = map[string]error{"CreateIssue": failure}
		w.gh.onCreate = func() { calls++ }
		text := "/github octocat/hello issue Maybe"
		want := notConfirmedText(chatops.Repo{Owner: "octocat", Name: "hello"})
		if r := w.say(t, "UNSURE1", text); r.Text != want {
			t.Fatalf("%v: answer %q, want %q", failure, r.Text, want)
		}
		w.gh.errs = nil
		w.say(t, "UNSURE1", text)
		if calls != 1 || w.gh.created != 0 {
			t.Fatalf("%v: GitHub asked %d times (%d created), want once", failure, calls, w.gh.created)
		}
	}
}

// sayWithin is say with the request's context: a deadline shorter than the
// webhook's stands for it running out.
func (w *chatWorld) sayWithin(ctx context.Context, messageID, text string) (rocketchat.Reply, error) {
	body, _ := json.Marshal(rocketchat.Message{Token: chatToken, ChannelID: "ROOM1", ChannelName: "general", MessageID: messageID,
		UserID: "alice-id", UserName: "alice", Text: text, SiteURL: chatSite})
	rec := httptest.NewRecorder()
	w.h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body)).WithContext(ctx))
	var r rocketchat.Reply
	if rec.Code != http.StatusOK {
		return r, fmt.Errorf("status %d %s", rec.Code, rec.Body)
	}
	return r, json.Unmarshal(rec.Body.Bytes(), &r)
}

// TestIssueIsNeverDeferred: an issue creation that outruns the budget is not
// handed to the Deferrer (on AWS the webhook's Lambda is frozen once it
// answers, and the creation would never settle): the webhook waits for it and
// answers with its issue.
func TestIssueIsNeverDeferred(t *testing.T) {
	w := lateWorld(t, []string{"repo"})
	w.h.chat.Budget = time.Nanosecond // spent before GitHub is even asked
	asked := make(chan struct{}, 1)
	w.gh.onCreate = func() { asked <- struct{}{} }
	type answer struct {
		r   rocketchat.Reply
		err error
	}
	done := make(chan answer, 1)
	go func() {
		r, err := w.sayWithin(context.Background(), "SLOW1", "/github octocat/hello issue Slow\nwith a body")
		done <- answer{r, err}
	}()
	<-asked // GitHub is asked; it answers only once unblocked, past the budget
	w.unblock()
	a := <-done
	if a.err != nil || !strings.Contains(a.r.Text, "Created [octocat/hello#42]") || a.r.Channel != "@alice" {
		t.Fatalf("answer %+v, %v; want the issue, privately", a.r, a.err)
	}
	if len(w.deferrer.deferred) != 0 || w.gh.created != 1 || w.gh.bodies[0] != "with a body" {
		t.Fatalf("deferred %d; created %d with bodies %q", len(w.deferrer.deferred), w.gh.created, w.gh.bodies)
	}
	// Rocket.Chat's re-delivery gets the same issue.
	if again := w.say(t, "SLOW1", "/github octocat/hello issue Slow\nwith a body"); again.Text != a.r.Text || w.gh.created != 1 {
		t.Fatalf("re-delivery %q after %d creations", again.Text, w.gh.created)
	}
}

// TestIssueUnconfirmedAtTheDeadline: an issue creation GitHub has not
// answered when the webhook's deadline comes is answered "not confirmed",
// never deferred, and keeps its claim: neither a re-delivery nor a deferred
// run of the message (queued by an earlier version) asks GitHub again.
func TestIssueUnconfirmedAtTheDeadline(t *testing.T) {
	saved := claimWaits
	claimWaits = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(func() { claimWaits = saved })
	w := lateWorld(t, []string{"repo"})
	var calls int
	w.gh.onCreate = func() { calls++ }
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond) // the webhook's deadline, sooner
	defer cancel()
	text := "/github octocat/hello issue Frozen"
	r, err := w.sayWithin(ctx, "FROZEN1", text)
	want := notConfirmedText(chatops.Repo{Owner: "octocat", Name: "hello"})
	if err != nil || r.Text != want {
		t.Fatalf("answer %q, %v; want %q", r.Text, err, want)
	}
	if len(w.deferrer.deferred) != 0 {
		t.Fatal("an issue creation was deferred")
	}
	w.unblock()
	// The first answer may never have reached Rocket.Chat (its re-delivery
	// says so): the re-delivery says to look, too.
	if again := w.say(t, "FROZEN1", text); again.Text != want {
		t.Fatalf("re-delivery answered %q, want %q", again.Text, want)
	}
	d := chatops.Deferred{Key: session.Key{Site: chatSite, UserID: "alice-id"}, UserName: "alice", MessageID: "FROZEN1",
		Trigger: "/github", Text: text, RoomID: "ROOM1"}
	if err := w.h.RunDeferred(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || w.gh.created != 0 || len(w.messenger.dms) != 1 || w.messenger.dms[0] != want {
		t.Fatalf("GitHub asked %d times, %d created; direct messages %q", calls, w.gh.created, w.messenger.dms)
	}
}

// TestWaitCommands: a read that outran the budget is cancelled, and
// WaitCommands returns once it has stopped.
func TestWaitCommands(t *testing.T) {
	w := lateWorld(t, nil)
	if r := w.say(t, "LATE8", "/github me"); r.Text != deferredText {
		t.Fatalf("answer %q", r.Text)
	}
	w.h.WaitCommands() // GitHub never answers: returns only because the read was cancelled
}

// TestLateShareKeepsItsThread: a share typed in a thread and deferred is
// posted in that thread, as an answer in time would be.
func TestLateShareKeepsItsThread(t *testing.T) {
	w := lateWorld(t, nil)
	body, _ := json.Marshal(rocketchat.Message{Token: chatToken, ChannelID: "ROOM1", MessageID: "LATE10", UserID: "alice-id",
		UserName: "alice", Text: "/github share octocat/hello", SiteURL: chatSite, ThreadID: "THREAD1"})
	rec := httptest.NewRecorder()
	w.h.Routes().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", bytes.NewReader(body)))
	if len(w.deferrer.deferred) != 1 || w.deferrer.deferred[0].ThreadID != "THREAD1" {
		t.Fatalf("deferred %+v, want the message's thread", w.deferrer.deferred)
	}
	w.unblock()
	if err := w.h.RunDeferred(context.Background(), w.deferrer.deferred[0]); err != nil {
		t.Fatal(err)
	}
	if len(w.messenger.rooms) != 1 || !strings.HasPrefix(w.messenger.rooms[0], "ROOM1/THREAD1: **[octocat/hello]") {
		t.Fatalf("room posts %q, want one in the thread", w.messenger.rooms)
	}
}

// TestIssueWithoutMessageIDIsRefused: a webhook message without message_id
// gets one sentence for an issue creation, which needs it to happen once;
// reads go on without it.
func TestIssueWithoutMessageIDIsRefused(t *testing.T) {
	w := newChatWorld(t, []string{"repo"})
	if r := w.say(t, "", "/github octocat/hello issue Crash"); r.Text != noMessageIDText || r.Channel != "@alice" {
		t.Fatalf("answer %+v, want %q privately", r, noMessageIDText)
	}
	if w.gh.created != 0 {
		t.Fatalf("created %d issues without a message id", w.gh.created)
	}
	if r := w.say(t, "", "/github octocat/hello"); !strings.Contains(r.Text, "**[octocat/hello]") {
		t.Fatalf("read without a message id: %q", r.Text)
	}
}
