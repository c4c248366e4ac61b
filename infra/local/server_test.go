package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/localapp"
	"rcgithub/shared/logtest"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
	"rcgithub/shared/session/sessiontest"
	"rcgithub/shared/web"
)

const webhookToken = "test-webhook-token-0123456789"

// env is the local server running for real on a loopback port, wired as
// `make run` wires it, with a GitHub stand-in, a Rocket.Chat stand-in and a
// clock the test controls.
type env struct {
	url   string
	app   *localapp.App
	gh    *githubtest.Server
	chat  *rocketchattest.Incoming
	rc    *rocketchattest.Outgoing
	clock *sessiontest.Clock
	logs  *logtest.Buffer
}

var (
	alice = rocketchattest.User{ID: "rbAXPnMktTFbNpwtJ", Name: "alice"}
	bob   = rocketchattest.User{ID: "Bq3xkPd8sW2mYzLhE", Name: "bob"}
)

const site = "https://chat.example.com"

// newEnv starts the server; edits change its environment before it starts.
func newEnv(t *testing.T, edits ...func(vars map[string]string)) *env {
	t.Helper()
	e, ln := prepareEnv(t, localapp.Options{}, edits...)
	srv := newServer(e.app.Handler, serverLimits)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return e
}

// prepareEnv is newEnv's server not yet serving on ln; o's clock and logger
// are the env's.
func prepareEnv(t *testing.T, o localapp.Options, edits ...func(vars map[string]string)) (*env, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	publicURL := "http://" + ln.Addr().String()
	c := sessiontest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	gh := githubtest.New(githubtest.Options{ClientID: "Iv1.local", ClientSecret: "local-secret",
		RedirectURLs: []string{publicURL + "/oauth/callback"}, Now: c.Now})
	ghURL, stopGH := gh.Start()
	t.Cleanup(stopGH)
	chat := rocketchattest.NewIncoming()
	t.Cleanup(chat.Close)

	vars := map[string]string{
		"PUBLIC_URL": publicURL, "GITHUB_CLIENT_ID": "Iv1.local", "GITHUB_CLIENT_SECRET": "local-secret",
		"GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL, "ROCKETCHAT_WEBHOOK_TOKEN": webhookToken,
		"ROCKETCHAT_INCOMING_WEBHOOK_URL": chat.URL(), "DATA_DIR": privateDir(t),
	}
	for _, edit := range edits {
		edit(vars)
	}
	cfg, err := config.LoadLocal(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	o.Now, o.Logger = c.Now, slog.New(web.LogHandler(slog.NewJSONHandler(logs, nil)))
	a, err := localapp.New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); a.Close() })
	return &env{url: publicURL, app: a, gh: gh, chat: chat, clock: c, logs: logs,
		rc: &rocketchattest.Outgoing{URL: publicURL + "/rocketchat/webhook", Token: webhookToken, SiteURL: site + "/"}}, ln
}

// privateDir is a fresh data directory as the server makes one: t.TempDir
// follows the umask, which the server refuses for its data.
func privateDir(t testing.TB) string {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (e *env) say(t *testing.T, u rocketchattest.User, text string) rocketchattest.Delivery {
	t.Helper()
	d, err := e.rc.Send(context.Background(), e.rc.Message(u, text))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// dm asserts that Rocket.Chat posts the answer privately to u and returns its text.
func dm(t *testing.T, d rocketchattest.Delivery, u rocketchattest.User) string {
	t.Helper()
	if d.Status != 200 || d.Posted == nil {
		t.Fatalf("answer %d %s is not posted by Rocket.Chat", d.Status, d.Body)
	}
	if d.Posted.Channel != "@"+u.Name || d.Posted.ParseURLs == nil || *d.Posted.ParseURLs {
		t.Fatalf("answer not a private DM without previews: %+v", d.Posted)
	}
	return d.Posted.Text
}

var linkPattern = regexp.MustCompile(`https?://\S+/oauth/start\?link=[A-Za-z0-9_-]+`)

// browser is a person's browser: it keeps cookies and does not follow redirects.
type browser struct {
	*http.Client
}

func newBrowser(t *testing.T) browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return browser{&http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b browser) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// loginLink asks for a login link as u and returns it.
func (e *env) loginLink(t *testing.T, u rocketchattest.User) string {
	t.Helper()
	text := dm(t, e.say(t, u, "/github login"), u)
	link := linkPattern.FindString(text)
	if link == "" {
		t.Fatalf("no login link in %q", text)
	}
	return link
}

// pressContinue opens the link page and presses its button; it returns
// GitHub's authorize URL.
func (e *env) pressContinue(t *testing.T, b browser, link string) string {
	t.Helper()
	resp, page := b.get(t, link)
	if resp.StatusCode != 200 || !strings.Contains(page, "Continue to GitHub") {
		t.Fatalf("link page %d: %s", resp.StatusCode, page)
	}
	id := strings.TrimPrefix(link[strings.Index(link, "link=")+5:], "")
	return e.postStart(t, b, id).Header.Get("Location")
}

// postStart presses the link page's button for link id in browser b; it
// returns the redirect to GitHub (its body closed).
func (e *env) postStart(t *testing.T, b browser, id string) *http.Response {
	t.Helper()
	resp, err := b.PostForm(e.url+"/oauth/start", url.Values{"link": {id}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /oauth/start = %d", resp.StatusCode)
	}
	return resp
}

// authorize takes a fresh login link for u through browser b to GitHub and
// approves it there as GitHub user ghLogin; it returns the callback URL
// GitHub sends b back to, not yet opened.
func (e *env) authorize(t *testing.T, b browser, u rocketchattest.User, ghLogin string) string {
	t.Helper()
	cb, err := e.gh.Authorize(e.pressContinue(t, b, e.loginLink(t, u)), ghLogin)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

// login walks the whole browser flow for u as GitHub user ghLogin.
func (e *env) login(t *testing.T, u rocketchattest.User, ghLogin string) string {
	t.Helper()
	b := newBrowser(t)
	resp, page := b.get(t, e.authorize(t, b, u, ghLogin))
	if resp.StatusCode != 200 || !strings.Contains(page, "Connected to GitHub as @"+ghLogin+" until") || !strings.Contains(page, "You can close this tab.") {
		t.Fatalf("callback %d: %s", resp.StatusCode, page)
	}
	return page
}

func (e *env) liveToken(t *testing.T, u rocketchattest.User) (session.Session, string) {
	t.Helper()
	k := session.Key{Site: site, UserID: u.ID}
	s, err := e.app.Service.Store.GetSession(context.Background(), k)
	if err != nil {
		t.Fatalf("session of %s: %v", u.Name, err)
	}
	tok, err := e.app.Service.Sealer.Open(context.Background(), k, s.SealedToken)
	if err != nil {
		t.Fatal(err)
	}
	return s, string(tok)
}

func TestFlowLoginStatusLogout(t *testing.T) {
	e := newEnv(t)
	e.login(t, alice, "octocat")
	_, tok := e.liveToken(t, alice)
	if !e.gh.TokenAlive(tok) {
		t.Fatal("token not alive at GitHub after login")
	}
	if msgs := e.chat.MessagesTo("@" + alice.ID); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "connected to GitHub as @octocat") {
		t.Fatalf("login DM via incoming webhook: %+v", msgs)
	}
	status := dm(t, e.say(t, alice, "/github status"), alice)
	for _, want := range []string{"@octocat", "2026-11-27 09:00 UTC", "2026-12-04 09:00 UTC", "in 7 days"} {
		if !strings.Contains(status, want) {
			t.Errorf("status %q lacks %q", status, want)
		}
	}
	out := dm(t, e.say(t, alice, "/gh LOGOUT"), alice)
	if !strings.Contains(out, "logged out") || !strings.Contains(out, "revoked") {
		t.Fatalf("logout answer %q", out)
	}
	if e.gh.TokenAlive(tok) {
		t.Fatal("token alive at GitHub after logout")
	}
	if n, _ := e.app.Scheduler.Pending(context.Background()); n != 0 {
		t.Fatalf("%d automatic logouts pending after logout", n)
	}
	if st := dm(t, e.say(t, alice, "!github whoami"), alice); !strings.Contains(st, "not logged in") || !strings.Contains(st, "login") {
		t.Fatalf("status after logout %q", st)
	}
	if out := dm(t, e.say(t, alice, "/github logout"), alice); !strings.Contains(out, "not logged in") {
		t.Fatalf("second logout %q", out)
	}
	assertNoSecretsLogged(t, e, tok)
}

func TestFlowAutomaticLogoutAfterSevenDays(t *testing.T) {
	e := newEnv(t)
	e.login(t, alice, "octocat")
	_, tok := e.liveToken(t, alice)
	e.clock.Advance(7*24*time.Hour - time.Hour)
	if _, err := e.app.Scheduler.RunDue(context.Background(), e.app.Service.Expire); err != nil {
		t.Fatal(err)
	}
	if !e.gh.TokenAlive(tok) {
		t.Fatal("logged out before 7 days")
	}
	e.clock.Advance(time.Hour)
	if _, err := e.app.Scheduler.RunDue(context.Background(), e.app.Service.Expire); err != nil {
		t.Fatal(err)
	}
	if e.gh.TokenAlive(tok) {
		t.Fatal("token alive at GitHub after the automatic logout")
	}
	if _, err := e.app.Service.Store.GetSession(context.Background(), session.Key{Site: site, UserID: alice.ID}); err == nil {
		t.Fatal("session kept after the automatic logout")
	}
	msgs := e.chat.MessagesTo("@" + alice.ID)
	if len(msgs) != 2 || !strings.Contains(msgs[1].Text, "logged out automatically 7 days after login") {
		t.Fatalf("DMs: %+v", msgs)
	}
	if st := dm(t, e.say(t, alice, "/github status"), alice); !strings.Contains(st, "not logged in") {
		t.Fatalf("status after automatic logout %q", st)
	}
}

func TestFlowReloginThenStaleAutomaticLogout(t *testing.T) {
	e := newEnv(t)
	e.login(t, alice, "octocat")
	first, firstTok := e.liveToken(t, alice)
	e.clock.Advance(2 * 24 * time.Hour)
	e.login(t, alice, "octocat")
	second, secondTok := e.liveToken(t, alice)
	if e.gh.TokenAlive(firstTok) {
		t.Fatal("the replaced token is alive at GitHub")
	}
	// The first login's automatic logout fires (as a leftover would).
	if err := e.app.Service.Expire(context.Background(), session.Job{Site: site, UserID: alice.ID, Generation: first.Generation}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * 24 * time.Hour) // the first session's end
	if _, err := e.app.Scheduler.RunDue(context.Background(), e.app.Service.Expire); err != nil {
		t.Fatal(err)
	}
	now, tok := e.liveToken(t, alice)
	if now.Generation != second.Generation || tok != secondTok || !e.gh.TokenAlive(tok) {
		t.Fatal("the second session did not survive the first one's automatic logout")
	}
	if n, _ := e.app.Scheduler.Pending(context.Background()); n != 1 {
		t.Fatalf("pending automatic logouts = %d, want exactly 1", n)
	}
}

func TestWebhookRequests(t *testing.T) {
	e := newEnv(t)
	valid := func(mut func(m *rocketchat.Message)) []byte {
		m := e.rc.Message(alice, "/github help")
		mut(&m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name       string
		body       []byte
		wantStatus int
		wantPosted bool
		wantInBody string
	}{
		{"help", valid(func(m *rocketchat.Message) {}), 200, true, "/github login"},
		{"no subcommand", valid(func(m *rocketchat.Message) { m.Text = "/github" }), 200, true, "/github status"},
		{"unknown subcommand", valid(func(m *rocketchat.Message) { m.Text = "/gh frobnicate" }), 200, true, "/gh logout"},
		{"wrong token", valid(func(m *rocketchat.Message) { m.Token = "wrong-token-0123456789" }), 401, false, "token"},
		{"missing token", valid(func(m *rocketchat.Message) { m.Token = "" }), 401, false, "token"},
		{"bot message", valid(func(m *rocketchat.Message) { m.Bot = true }), 200, false, "{}"},
		{"edited message", valid(func(m *rocketchat.Message) { m.IsEdited = true }), 200, false, "{}"},
		{"no trigger word", valid(func(m *rocketchat.Message) { m.Text = "hello /github login" }), 200, false, "{}"},
		{"prefix-only trigger", valid(func(m *rocketchat.Message) { m.Text = "/githubx login" }), 200, false, "{}"},
		{"malformed json", []byte(`{"token":`), 400, false, "error"},
		{"not an object", []byte(`[1,2]`), 400, false, "error"},
		{"body over 64 KiB", valid(func(m *rocketchat.Message) { m.Text = "/github help " + strings.Repeat("x", 70<<10) }), 413, false, "64 KiB"},
		{"missing user", valid(func(m *rocketchat.Message) { m.UserID = "" }), 200, false, "user_id"}, // Rocket.Chat would retry a 400 six times
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.rc.SendRaw(context.Background(), tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tt.wantStatus || (d.Posted != nil) != tt.wantPosted || d.Disabled {
				t.Fatalf("status %d posted %v disabled %v; body %s", d.Status, d.Posted != nil, d.Disabled, d.Body)
			}
			if !strings.Contains(string(d.Body), tt.wantInBody) {
				t.Fatalf("body %s lacks %q", d.Body, tt.wantInBody)
			}
			if d.Posted != nil && !strings.HasPrefix(d.Posted.Channel, "@") {
				t.Fatalf("answer addressed to the room: %+v", d.Posted)
			}
		})
	}
	// A wrong token changed nothing.
	if _, err := e.app.Service.Store.GetSession(context.Background(), session.Key{Site: site, UserID: alice.ID}); err == nil {
		t.Fatal("session exists")
	}
	// Never 410, whatever the method.
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		req, _ := http.NewRequest(method, e.url+"/rocketchat/webhook", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusGone || resp.StatusCode < 400 {
			t.Fatalf("%s /rocketchat/webhook = %d", method, resp.StatusCode)
		}
	}
}

func TestWebhookRedeliveryGetsSameAnswer(t *testing.T) {
	e := newEnv(t)
	msg := e.rc.Message(alice, "/github login")
	first, err := e.rc.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.rc.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Body) != string(second.Body) {
		t.Fatalf("re-delivery answered differently:\n%s\n%s", first.Body, second.Body)
	}
	// The same message edited ("Run on edits") is ignored.
	msg.IsEdited = true
	if d, _ := e.rc.Send(context.Background(), msg); d.Posted != nil {
		t.Fatal("an edited message got an answer")
	}
}

func TestOAuthPages(t *testing.T) {
	e := newEnv(t)
	checkHeaders := func(t *testing.T, resp *http.Response) {
		t.Helper()
		h := resp.Header
		if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Fatalf("security headers missing: %v", h)
		}
	}
	t.Run("link page names user and site and uses nothing up", func(t *testing.T) {
		link := e.loginLink(t, alice)
		b := newBrowser(t)
		for i := 0; i < 2; i++ { // a link previewer's GET first, then the person's
			resp, page := b.get(t, link)
			checkHeaders(t, resp)
			if resp.StatusCode != 200 || !strings.Contains(page, "@alice") || !strings.Contains(page, site) || !strings.Contains(page, `method="post"`) {
				t.Fatalf("link page %d: %s", resp.StatusCode, page)
			}
		}
	})
	failures := []struct {
		name       string
		run        func(t *testing.T) (*http.Response, string)
		wantStatus int
		wantText   string
	}{
		{"denied at GitHub", func(t *testing.T) (*http.Response, string) {
			b := newBrowser(t)
			cb, err := e.gh.Deny(e.pressContinue(t, b, e.loginLink(t, alice)))
			if err != nil {
				t.Fatal(err)
			}
			return b.get(t, cb)
		}, 403, "declined"},
		{"forwarded authorize URL opened in another browser", func(t *testing.T) (*http.Response, string) {
			authURL := e.pressContinue(t, newBrowser(t), e.loginLink(t, alice))
			cb, err := e.gh.Authorize(authURL, "mallory")
			if err != nil {
				t.Fatal(err)
			}
			return newBrowser(t).get(t, cb)
		}, 400, "another browser"},
		{"replayed callback", func(t *testing.T) (*http.Response, string) {
			b := newBrowser(t)
			cb := e.authorize(t, b, bob, "bob-gh")
			if resp, _ := b.get(t, cb); resp.StatusCode != 200 {
				t.Fatalf("first callback %d", resp.StatusCode)
			}
			return b.get(t, cb)
		}, 400, "already used"},
		{"forged state", func(t *testing.T) (*http.Response, string) {
			return newBrowser(t).get(t, e.url+"/oauth/callback?code=abc&state=forged")
		}, 400, "unknown"},
		{"no state", func(t *testing.T) (*http.Response, string) {
			return newBrowser(t).get(t, e.url+"/oauth/callback?code=abc")
		}, 400, "unknown"},
		{"unknown link", func(t *testing.T) (*http.Response, string) {
			return newBrowser(t).get(t, e.url+"/oauth/start?link=nope")
		}, 400, "unknown"},
		{"expired link", func(t *testing.T) (*http.Response, string) {
			link := e.loginLink(t, alice)
			e.clock.Advance(11 * time.Minute)
			return newBrowser(t).get(t, link)
		}, 400, "expired"},
		{"github down at token exchange", func(t *testing.T) (*http.Response, string) {
			b := newBrowser(t)
			cb := e.authorize(t, b, alice, "octocat")
			e.gh.FailNext(githubtest.RouteToken, 503)
			return b.get(t, cb)
		}, 503, "GitHub did not answer"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := tt.run(t)
			checkHeaders(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, page)
			}
			if !strings.Contains(page, tt.wantText) || !strings.Contains(page, "/github login") {
				t.Fatalf("page lacks %q or the way to a fresh link: %s", tt.wantText, page)
			}
		})
	}
	if _, err := e.app.Service.Store.GetSession(context.Background(), session.Key{Site: site, UserID: alice.ID}); err == nil {
		t.Fatal("a failed sign-in stored a session for alice")
	}
}

func assertNoSecretsLogged(t *testing.T, e *env, secrets ...string) {
	t.Helper()
	logs := e.logs.String()
	for _, s := range append(secrets, "local-secret", webhookToken) {
		if s != "" && strings.Contains(logs, s) {
			t.Fatalf("a secret appears in the logs")
		}
	}
}

func TestWebhookLoginLinkQuota(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		e.loginLink(t, alice)
	}
	text := dm(t, e.say(t, alice, "/github login"), alice)
	if !strings.Contains(text, "too many login links") || !strings.Contains(text, "Try again in") || linkPattern.MatchString(text) {
		t.Fatalf("sixth login link: %q", text)
	}
	e.loginLink(t, bob) // bob is not limited by alice
}
