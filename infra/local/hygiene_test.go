package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/githubtest"
	"rcgithub/shared/rocketchattest"
)

// secretSet is every secret value a test handled, by what it is, so that a
// failure can say which kind leaked without printing the value.
type secretSet struct {
	kinds  []string
	values []string
	// challenges are the PKCE challenges sent to GitHub, to recognise their
	// verifiers in any form (see hasVerifierPreimage).
	challenges []string
}

func (s *secretSet) add(kind string, values ...string) {
	for _, v := range values {
		if v != "" {
			s.kinds = append(s.kinds, kind)
			s.values = append(s.values, v)
		}
	}
}

// signIn is one browser's sign-in with every secret it handled on the way.
type signIn struct {
	browser   browser
	authURL   string
	state     string
	challenge string // PKCE code_challenge, sent to GitHub
	verifier  string // PKCE code_verifier, which must stay on the server
	linkID    string
	cookie    string // the binding cookie's value
	callback  string // where GitHub sends the browser back
	code      string
}

// startSignIn asks for a login link as u and presses the button on its page.
// The verifier is not in any URL: it is read honestly from the store by
// taking the pending authorization and putting it back unchanged.
func (e *env) startSignIn(t *testing.T, u rocketchattest.User, secrets *secretSet) *signIn {
	t.Helper()
	link := e.loginLink(t, u)
	s := &signIn{browser: newBrowser(t), linkID: link[strings.Index(link, "link=")+5:]}
	s.authURL = e.pressContinue(t, s.browser, link)
	au, err := url.Parse(s.authURL)
	if err != nil {
		t.Fatal(err)
	}
	s.state, s.challenge = au.Query().Get("state"), au.Query().Get("code_challenge")
	base, _ := url.Parse(e.url)
	for _, c := range s.browser.Jar.Cookies(base) {
		if c.Name == "rcgh_login" {
			s.cookie = c.Value
		}
	}
	ctx := context.Background()
	p, err := e.app.Service.Store.TakePending(ctx, s.state)
	if err != nil {
		t.Fatalf("pending authorization: %v", err)
	}
	if err := e.app.Service.Store.PutPending(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.verifier = p.Verifier
	if s.state == "" || s.cookie == "" || s.verifier == "" || pkceChallenge(s.verifier) != s.challenge {
		t.Fatalf("sign-in secrets not all captured (state %t, cookie %t, verifier matches challenge %t)",
			s.state != "", s.cookie != "", pkceChallenge(s.verifier) == s.challenge)
	}
	secrets.add("login link id", s.linkID)
	secrets.add("binding cookie", s.cookie)
	secrets.add("OAuth state", s.state)
	secrets.add("PKCE verifier", s.verifier)
	secrets.challenges = append(secrets.challenges, s.challenge)
	return s
}

// consent plays the person pressing Authorize at GitHub as ghLogin.
func (s *signIn) consent(t *testing.T, e *env, ghLogin string, secrets *secretSet) {
	t.Helper()
	cb, err := e.gh.Authorize(s.authURL, ghLogin)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	s.callback, s.code = cb, u.Query().Get("code")
	secrets.add("OAuth code", s.code)
}

// finish opens the callback in the browser that started the sign-in.
func (s *signIn) finish(t *testing.T) (int, string) {
	t.Helper()
	resp, page := s.browser.get(t, s.callback)
	return resp.StatusCode, page
}

func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestNoSecretInLogsOrStoreFile walks every flow of the local server, the
// failure paths included, capturing every log line, then asserts that no
// token, OAuth code, state, PKCE verifier, login link id, binding cookie,
// client secret, webhook token, incoming-webhook URL or token-sealing key
// appears in the logs, and that the bbolt file holds no token in plaintext.
func TestNoSecretInLogsOrStoreFile(t *testing.T) {
	var dataDir string
	e := newEnv(t, func(v map[string]string) { dataDir = v["DATA_DIR"] })
	ctx := context.Background()
	secrets := &secretSet{}
	expectStatus := func(what string, got, want int, page string) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: status %d, want %d: %s", what, got, want, page)
		}
	}
	runDue := func() {
		t.Helper()
		if _, err := e.app.Scheduler.RunDue(ctx, e.app.Service.Expire); err != nil {
			t.Fatal(err)
		}
	}
	login := func(u rocketchattest.User, ghLogin string) string {
		t.Helper()
		s := e.startSignIn(t, u, secrets)
		s.consent(t, e, ghLogin, secrets)
		status, page := s.finish(t)
		expectStatus("login of "+u.Name, status, 200, page)
		_, tok := e.liveToken(t, u)
		secrets.add("access token", tok)
		return tok
	}

	// Login, status, logout.
	tok := login(alice, "octocat")
	if st := dm(t, e.say(t, alice, "/github status"), alice); !strings.Contains(st, "@octocat") {
		t.Fatalf("status: %q", st)
	}
	assertStoreFileHoldsNoToken(t, dataDir, tok)
	if out := dm(t, e.say(t, alice, "/github logout"), alice); !strings.Contains(out, "revoked") {
		t.Fatalf("logout: %q", out)
	}

	// Login, re-login replacing it, then the automatic logout 7 days later.
	first := login(alice, "octocat")
	second := login(alice, "octocat")
	assertStoreFileHoldsNoToken(t, dataDir, first, second)
	e.clock.Advance(7 * 24 * time.Hour)
	runDue()
	if e.gh.TokenAlive(first) || e.gh.TokenAlive(second) {
		t.Fatal("a token is alive at GitHub after re-login and the automatic logout")
	}

	// A wrong webhook token (a stale or mistyped real one, say) is not logged either.
	wrong := e.rc.Message(alice, "/github status")
	wrong.Token = "stale-webhook-token-0123456789"
	secrets.add("wrong webhook token", wrong.Token)
	if d, err := e.rc.Send(ctx, wrong); err != nil || d.Status != 401 {
		t.Fatalf("wrong token: %+v %v", d, err)
	}

	// Denied at GitHub.
	s := e.startSignIn(t, bob, secrets)
	cb, err := e.gh.Deny(s.authURL)
	if err != nil {
		t.Fatal(err)
	}
	s.callback = cb
	status, page := s.finish(t)
	expectStatus("denied", status, 403, page)

	// A forged state and code, with a forged cookie.
	forged, _ := http.NewRequest(http.MethodGet, e.url+"/oauth/callback?code=forged-code-7f3a9c1e&state=forged-state-2b8d4e6f", nil)
	forged.Header.Set("Cookie", "rcgh_login=forged-cookie-5c1a7e3b")
	secrets.add("forged secret", "forged-code-7f3a9c1e", "forged-state-2b8d4e6f", "forged-cookie-5c1a7e3b")
	resp, err := http.DefaultClient.Do(forged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	expectStatus("forged state", resp.StatusCode, 400, "")

	// The callback opened in another browser, then in the right one, which
	// still completes: another browser cannot use up a sign-in.
	s = e.startSignIn(t, bob, secrets)
	s.consent(t, e, "bob-gh", secrets)
	other, page := newBrowser(t).get(t, s.callback)
	expectStatus("other browser", other.StatusCode, 400, page)
	status, page = s.finish(t)
	expectStatus("after the other browser tried the state", status, 200, page)

	// A completed callback replayed.
	s = e.startSignIn(t, bob, secrets)
	s.consent(t, e, "bob-gh", secrets)
	status, page = s.finish(t)
	expectStatus("bob's login", status, 200, page)
	_, bobTok := e.liveToken(t, bob)
	secrets.add("access token", bobTok)
	status, page = s.finish(t)
	expectStatus("replayed callback", status, 400, page)

	// GitHub failing at the token exchange, then at /user (the token it just
	// issued is revoked, untracked).
	carol := rocketchattest.User{ID: "Cx7mQ2pR9tLw4ZkNb", Name: "carol"}
	for _, route := range []githubtest.Route{githubtest.RouteToken, githubtest.RouteUser} {
		s = e.startSignIn(t, carol, secrets)
		s.consent(t, e, "carol-gh", secrets)
		e.gh.FailNext(route, http.StatusBadGateway)
		status, page = s.finish(t)
		expectStatus("GitHub 502 at "+string(route), status, 503, page)
	}

	// Status while GitHub's /user fails: the check is skipped and logged.
	e.gh.FailNext(githubtest.RouteUser, http.StatusInternalServerError)
	if st := dm(t, e.say(t, bob, "/github status"), bob); !strings.Contains(st, "could not be reached") {
		t.Fatalf("status with GitHub down: %q", st)
	}

	// Logout while revocation fails twice: retried by the scheduler until GitHub confirms.
	e.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: http.StatusServiceUnavailable, Times: 2})
	if out := dm(t, e.say(t, bob, "/github logout"), bob); !strings.Contains(out, "did not confirm") {
		t.Fatalf("logout with revocation failing: %q", out)
	}
	assertStoreFileHoldsNoToken(t, dataDir, bobTok) // sealed in the retired session, kept for the retry
	for i := 0; i < 3 && e.gh.TokenAlive(bobTok); i++ {
		e.clock.Advance(10 * time.Minute)
		runDue()
	}
	if e.gh.TokenAlive(bobTok) {
		t.Fatal("bob's token still alive after the revocation retries")
	}

	// A login while Rocket.Chat's incoming webhook is down.
	e.chat.SetDown(true)
	carolTok := login(carol, "carol-gh")
	e.chat.SetDown(false)

	// Everything the stand-in ever issued is a token that must not be logged.
	secrets.add("access token", e.gh.RevokedTokens()...)
	secrets.add("access token", e.gh.LiveTokens("carol-gh")...)
	assertStoreFileHoldsNoToken(t, dataDir, append(e.gh.RevokedTokens(), carolTok)...)

	// Configuration secrets.
	secrets.add("client secret", "local-secret")
	secrets.add("webhook token", webhookToken)
	hook, _ := url.Parse(e.chat.URL())
	secrets.add("incoming webhook URL", e.chat.URL(), hook.Path)
	key, err := os.ReadFile(filepath.Join(dataDir, "token.key"))
	if err != nil {
		t.Fatal(err)
	}
	secrets.add("token-sealing key", hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key), string(key))

	logs := e.logs.String()
	if n := strings.Count(logs, "\n"); n < 50 || !strings.Contains(logs, `"msg":"login"`) ||
		!strings.Contains(logs, `"reason":"automatic"`) || !strings.Contains(logs, "will retry") {
		t.Fatalf("the capture missed the flows (%d lines)", n)
	}
	for i, v := range secrets.values {
		if strings.Contains(logs, v) {
			t.Errorf("a %s appears in the logs", secrets.kinds[i])
		}
	}
	if hasVerifierPreimage(logs, secrets.challenges) {
		t.Error("a PKCE verifier appears in the logs")
	}
}

// hasVerifierPreimage looks at every run of base64url characters in the logs,
// and at every 43 to 128 character window of it (PKCE's verifier lengths),
// for one whose S256 challenge is one the sign-ins sent to GitHub: a verifier
// logged in a form the other checks would not recognise.
func hasVerifierPreimage(logs string, challenges []string) bool {
	want := map[string]bool{}
	for _, c := range challenges {
		want[c] = true
	}
	for _, run := range regexp.MustCompile(`[A-Za-z0-9._~-]{43,}`).FindAllString(logs, -1) {
		for n := 43; n <= 128 && n <= len(run); n++ {
			for i := 0; i+n <= len(run); i++ {
				if want[pkceChallenge(run[i:i+n])] {
					return true
				}
			}
		}
	}
	return false
}

// assertStoreFileHoldsNoToken reads the raw bytes of the bbolt file while the
// server has it open, and fails if any token is there in plaintext.
func assertStoreFileHoldsNoToken(t *testing.T, dataDir string, tokens ...string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dataDir, "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		t.Fatal("empty store file")
	}
	if containsToken(raw, tokens) {
		t.Fatal("an access token is in the store file in plaintext")
	}
}

// containsToken reports whether raw holds a token as is, or base64-encoded as
// a JSON []byte field would hold it.
func containsToken(raw []byte, tokens []string) bool {
	for _, tok := range tokens {
		for _, form := range []string{tok, base64.StdEncoding.EncodeToString([]byte(tok))} {
			if bytes.Contains(raw, []byte(form)) {
				return true
			}
		}
	}
	return false
}

// The checks above are only worth something if they can fail.
func TestSecretChecksCatchLeaks(t *testing.T) {
	verifier := strings.Repeat("v", 20) + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
	if !hasVerifierPreimage(`{"msg":"oops","detail":"x`+verifier+`y"}`, []string{pkceChallenge(verifier)}) {
		t.Error("a verifier inside a longer run of characters was not found")
	}
	if hasVerifierPreimage(`{"msg":"fine","id":"`+verifier[1:]+`"}`, []string{pkceChallenge(verifier)}) {
		t.Error("a string that is not the verifier was taken for it")
	}
	tok := "gho_" + strings.Repeat("T", 36)
	if !containsToken([]byte("\x00\x01"+tok+"\x02"), []string{tok}) {
		t.Error("a plaintext token was not found")
	}
	if !containsToken([]byte(`{"t":"`+base64.StdEncoding.EncodeToString([]byte(tok))+`"}`), []string{tok}) {
		t.Error("a base64 token was not found")
	}
}
