package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/memapp"
	"rcgithub/shared/memstore"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

// wordsWorld is the fixture with the trigger words of a deployment that
// leaves /github to Rocket.Chat's GitHub App, the direct messages the service
// sends, and a store that can be made to fail.
type wordsWorld struct {
	*fixture
	chat  *rocketchattest.Incoming
	store *failingStore
	seq   atomic.Int64
}

func newWordsWorld(t *testing.T, triggerWords []string) *wordsWorld {
	t.Helper()
	chat := rocketchattest.NewIncoming()
	t.Cleanup(chat.Close)
	store := &failingStore{Store: memstore.NewStore()}
	fx := newFixtureWith(t, map[string]string{"ROCKETCHAT_INCOMING_WEBHOOK_URL": chat.URL(),
		"ROCKETCHAT_TRIGGER_WORDS": strings.Join(triggerWords, ",")}, memapp.Options{Store: store})
	return &wordsWorld{fixture: fx, chat: chat, store: store}
}

// runDue runs the automatic logouts that are due.
func (w *wordsWorld) runDue(t *testing.T) {
	t.Helper()
	if _, err := w.sched.RunDue(context.Background(), w.service.Expire); err != nil {
		t.Fatal(err)
	}
}

// failingStore fails the link calls while down is set, and stores sessions
// as a binary from before the trigger word was kept while old is set.
type failingStore struct {
	session.Store
	down, old atomic.Bool
}

func (s *failingStore) PutSession(ctx context.Context, sess session.Session, prev int64) error {
	if s.old.Load() {
		sess.Trigger = ""
	}
	return s.Store.PutSession(ctx, sess, prev)
}

var errStoreDown = errors.New("store down")

func (s *failingStore) GetLink(ctx context.Context, id string) (session.Link, error) {
	if s.down.Load() {
		return session.Link{}, errStoreDown
	}
	return s.Store.GetLink(ctx, id)
}

func (s *failingStore) CreateLink(ctx context.Context, l session.Link, q session.LinkQuota) (session.Link, error) {
	if s.down.Load() {
		return session.Link{}, errStoreDown
	}
	return s.Store.CreateLink(ctx, l, q)
}

// say posts text to the webhook as user and returns the reply's text.
func (w *wordsWorld) say(t *testing.T, user, text string) string {
	t.Helper()
	body, _ := json.Marshal(rocketchat.Message{Token: fixtureToken, UserID: user + "-id-0000001", UserName: user,
		Text: text, SiteURL: "https://chat.example.com", MessageID: "msg-" + strconv.FormatInt(w.seq.Add(1), 10)})
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rocketchat/webhook", strings.NewReader(string(body))))
	var reply rocketchat.Reply
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &reply) != nil {
		t.Fatalf("%q: %d %s", text, rec.Code, rec.Body)
	}
	return reply.Text
}

// visit sends a browser request and returns the response.
func (w *wordsWorld) visit(t *testing.T, method, target string, form url.Values, cookies []*http.Cookie) *http.Response {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec.Result()
}

func bodyOf(t *testing.T, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// linkID is the id in a login link reply.
func linkID(t *testing.T, reply string) string {
	t.Helper()
	i := strings.Index(reply, "link=")
	if i < 0 {
		t.Fatalf("no login link in %q", reply)
	}
	return strings.Fields(reply[i+len("link="):])[0]
}

// signIn presses the link page's button and has GitHub approve as login: it
// returns the callback's URL and the browser's cookies.
func (w *wordsWorld) signIn(t *testing.T, link, login string) (string, []*http.Cookie) {
	t.Helper()
	resp := w.visit(t, http.MethodPost, "/oauth/start", url.Values{"link": {link}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /oauth/start: %d %s", resp.StatusCode, bodyOf(t, resp))
	}
	cb, err := w.gh.Authorize(resp.Header.Get("Location"), login)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	return u.RequestURI(), resp.Cookies()
}

// TestWordsNameTheTriggerWord: with ROCKETCHAT_TRIGGER_WORDS=!github, no
// reply, page or direct message says /github, and each hint names !github.
func TestWordsNameTheTriggerWord(t *testing.T) {
	w := newWordsWorld(t, []string{"!github"})
	var texts []string // every text a user reads
	hint := func(what, text string) {
		t.Helper()
		texts = append(texts, text)
		if !strings.Contains(text, "!github") {
			t.Errorf("%s: %q does not name !github", what, text)
		}
	}
	page := func(what string, resp *http.Response, status int) string {
		t.Helper()
		body := bodyOf(t, resp)
		if resp.StatusCode != status {
			t.Errorf("%s: status %d, want %d", what, resp.StatusCode, status)
		}
		texts = append(texts, body)
		return body
	}

	hint("help", w.say(t, "alice", "!github help"))
	hint("unknown command", w.say(t, "alice", "!github frobnicate"))
	hint("status, not logged in", w.say(t, "alice", "!github status"))
	hint("logout, not logged in", w.say(t, "alice", "!github logout"))

	link := linkID(t, w.say(t, "alice", "!github login"))
	page("link page", w.visit(t, http.MethodGet, "/oauth/start?link="+link, nil, nil), http.StatusOK)
	callback, cookies := w.signIn(t, link, "octocat")
	hint("reused link", page("reused link", w.visit(t, http.MethodPost, "/oauth/start", url.Values{"link": {link}}, nil), http.StatusBadRequest))
	if body := page("connected", w.visit(t, http.MethodGet, callback, nil, cookies), http.StatusOK); !strings.Contains(body, "@octocat") || !strings.Contains(body, "try !github me") {
		t.Errorf("connected page: %s", body)
	}
	texts = append(texts, w.say(t, "alice", "!github status"))
	hint("used sign-in", page("used sign-in", w.visit(t, http.MethodGet, callback, nil, cookies), http.StatusBadRequest))

	// Another browser; GitHub's access_denied; an expired sign-in.
	link = linkID(t, w.say(t, "bob", "!github login"))
	callback, cookies = w.signIn(t, link, "bob-gh")
	hint("another browser", page("another browser", w.visit(t, http.MethodGet, callback, nil, nil), http.StatusBadRequest))
	u, _ := url.Parse(callback)
	denied := "/oauth/callback?error=access_denied&state=" + url.QueryEscape(u.Query().Get("state"))
	hint("access denied", page("access denied", w.visit(t, http.MethodGet, denied, nil, cookies), http.StatusForbidden))
	link = linkID(t, w.say(t, "bob", "!github login"))
	callback, cookies = w.signIn(t, link, "bob-gh")
	w.clock.Advance(session.LinkTTL)
	hint("expired sign-in", page("expired sign-in", w.visit(t, http.MethodGet, callback, nil, cookies), http.StatusBadRequest))

	// Too many links, then the store down.
	for i := 0; i < session.MaxLinksPerWindow; i++ {
		w.say(t, "carol", "!github login")
	}
	texts = append(texts, w.say(t, "carol", "!github login"))
	w.store.down.Store(true)
	texts = append(texts, w.say(t, "dave", "!github login"))
	hint("store down", page("store down", w.visit(t, http.MethodGet, "/oauth/start?link="+link, nil, nil), http.StatusServiceUnavailable))
	w.store.down.Store(false)

	hint("404", page("404", w.visit(t, http.MethodGet, "/nowhere", nil, nil), http.StatusNotFound))
	hint("405", page("405", w.visit(t, http.MethodPut, "/oauth/start", nil, nil), http.StatusMethodNotAllowed))
	hint("cross-origin", page("cross-origin", func() *http.Response {
		req := httptest.NewRequest(http.MethodPost, "/oauth/start", strings.NewReader("link=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		return rec.Result()
	}(), http.StatusForbidden))

	// The automatic logout, with its direct message.
	w.clock.Advance(w.service.TTL)
	w.runDue(t)
	dms := w.chat.MessagesTo("@alice-id-0000001")
	if len(dms) != 2 {
		t.Fatalf("DMs to alice: %+v, want the login's and the automatic logout's", dms)
	}
	texts = append(texts, dms[0].Text)
	hint("automatic logout DM", dms[1].Text)

	for _, text := range texts {
		if strings.Contains(text, "/github") {
			t.Errorf("a user reads /github: %q", text)
		}
	}
}

// TestWordsCarryTheTypedWord: where several words are configured, the pages
// of a link and a sign-in, and the direct message after the automatic
// logout, name the word the user typed, not the first configured one.
func TestWordsCarryTheTypedWord(t *testing.T) {
	w := newWordsWorld(t, []string{"/gh", "!github"})
	link := linkID(t, w.say(t, "alice", "!github login"))
	callback, cookies := w.signIn(t, link, "octocat")
	u, _ := url.Parse(callback)
	denied := "/oauth/callback?error=access_denied&state=" + url.QueryEscape(u.Query().Get("state"))
	if body := bodyOf(t, w.visit(t, http.MethodGet, denied, nil, cookies)); !strings.Contains(body, "Type !github login") {
		t.Errorf("access denied page does not name !github: %s", body)
	}
	login := func(user string) {
		t.Helper()
		link := linkID(t, w.say(t, user, "!github login"))
		callback, cookies := w.signIn(t, link, user+"-gh")
		if resp := w.visit(t, http.MethodGet, callback, nil, cookies); resp.StatusCode != http.StatusOK {
			t.Fatalf("callback: %d", resp.StatusCode)
		}
	}
	login("alice")
	w.store.old.Store(true) // bob's session is stored without its word, as by an older binary
	login("bob")
	w.clock.Advance(w.service.TTL + time.Minute)
	w.runDue(t)
	dms := w.chat.MessagesTo("@alice-id-0000001")
	if len(dms) != 2 || !strings.Contains(dms[1].Text, "`!github login`") {
		t.Fatalf("DMs %+v: want the automatic logout's hint with !github", dms)
	}
	dms = w.chat.MessagesTo("@bob-id-0000001")
	if len(dms) != 2 || !strings.Contains(dms[1].Text, "`/gh login`") {
		t.Fatalf("DMs %+v: want the automatic logout's hint with the first configured word", dms)
	}
	// A link made before words travelled (none stored): the first configured one.
	if body := bodyOf(t, w.visit(t, http.MethodGet, "/nowhere", nil, nil)); !strings.Contains(body, "Type /gh help") {
		t.Errorf("404 page does not name the first word: %s", body)
	}
}

// fakeService answers the OAuth routes' calls with what the test sets: the
// handlers need nothing of the service but the web.Service interface.
type fakeService struct {
	web.Service // the calls a test does not expect panic, failing it
	login       session.Login
	err         error
	trigger     string // what CancelLogin returns
}

func (f *fakeService) CompleteLogin(context.Context, string, string, string) (session.Login, error) {
	return f.login, f.err
}

func (f *fakeService) CancelLogin(context.Context, string, string) string { return f.trigger }

func fakeHandler(t *testing.T, f *fakeService) http.Handler {
	t.Helper()
	h, err := web.New(f, web.Config{PublicURL: "https://rcgithub.example.com", TriggerWords: []string{"/gh", "!github"},
		SessionTTL: time.Hour, Sites: config.FixedSites(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return h.OAuthRoutes()
}

func callbackPage(t *testing.T, h http.Handler, query string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/oauth/callback?"+query, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

// TestCallbackWordsWhatTheServiceReturns: the connected page shows the scope
// comparison the login returned (compared once, by the service), and a
// problem's page names the trigger word the problem carries, else the first
// configured one.
func TestCallbackWordsWhatTheServiceReturns(t *testing.T) {
	ends := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	f := &fakeService{login: session.Login{
		Session: session.Session{Key: session.Key{Site: "https://chat.example.com", UserID: "u1"}, GitHubLogin: "octocat", Ends: ends},
		Scopes:  session.ScopeDiff{Missing: []string{"read:org"}},
	}}
	h := fakeHandler(t, f)
	code, body := callbackPage(t, h, "state=s&code=c")
	if code != http.StatusOK || !strings.Contains(body, "@octocat until 2026-12-04 12:00 UTC") || !strings.Contains(body, "did not grant read:org") {
		t.Fatalf("connected page: %d %s", code, body)
	}

	for _, tt := range []struct {
		problem *session.Problem
		status  int
		want    string
	}{
		{&session.Problem{Kind: session.BadRequest, Reason: session.StateGone, Trigger: "!github"}, http.StatusBadRequest, "Type !github login"},
		{&session.Problem{Kind: session.BadRequest, Reason: session.OtherBrowser}, http.StatusBadRequest, "type /gh login"},
		{&session.Problem{Kind: session.Unavailable, Reason: session.SessionNotSaved, Trigger: "!github"}, http.StatusServiceUnavailable, "Type !github login"},
		{&session.Problem{Kind: session.BadRequest, Reason: session.GitHubRefused, GitHubCode: "bad_verification_code", Trigger: "!github"},
			http.StatusBadRequest, "invalid or has expired"},
	} {
		f.err = tt.problem
		if code, body := callbackPage(t, h, "state=s&code=c"); code != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%v: %d %s, want %d with %q", tt.problem.Reason, code, body, tt.status, tt.want)
		}
	}

	f.trigger = "!github"
	if code, body := callbackPage(t, h, "state=s&error=access_denied"); code != http.StatusForbidden || !strings.Contains(body, "Type !github login") {
		t.Errorf("access denied: %d %s", code, body)
	}
}
