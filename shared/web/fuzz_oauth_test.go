package web_test

import (
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Placeholders a fuzz input may hold. The fuzz function replaces them with the
// values of a real sign-in made just before the request, so that the fuzzer
// can explore around a flow that really completes; without them it could never
// guess a 43-character random state.
const (
	placeholderLink   = "{link}"   // a fresh login link id
	placeholderState  = "{state}"  // the OAuth state GitHub sends back
	placeholderCode   = "{code}"   // the authorization code GitHub sends back
	placeholderSecret = "{secret}" // the binding cookie's value
)

// FuzzOAuthCallback sends GET /oauth/callback with an arbitrary query string
// and Cookie header. Whatever they hold: no panic, no 5xx but 503, an HTML
// page, and no session stored for anyone unless the request carried the real
// state, code and binding cookie of a sign-in, in which case exactly that
// user's session is stored. A request without that sign-in's cookie makes no
// store call at all, so it uses up no one's sign-in. No input touches the
// victim's session.
func FuzzOAuthCallback(f *testing.F) {
	fx := newFixture(f)
	victim := fx.loginVictim(f)
	f.Add("code={code}&state={state}", fixtureCookie+"={secret}")
	f.Add("code=abc&state=forged", "")
	f.Add("code={code}&state={state}", "")
	f.Add("code={code}&state={state}", fixtureCookie+"=another-browser")
	f.Add("error=access_denied&state={state}", "")
	f.Add("error=access_denied&state={state}", fixtureCookie+"={secret}")
	f.Fuzz(func(t *testing.T, query, cookie string) {
		var fl flow
		if strings.Contains(query+cookie, "{") {
			fl = fx.newFlow(t)
			r := strings.NewReplacer(placeholderState, fl.state, placeholderCode, fl.code, placeholderSecret, fl.secret)
			query, cookie = r.Replace(query), r.Replace(cookie)
		}
		fx.calls.Reset()
		req := httptest.NewRequest(http.MethodGet, "/oauth/callback", nil)
		req.URL.RawQuery = query
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		status := rec.Code
		switch status {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusServiceUnavailable:
		default:
			t.Fatalf("callback status %d (want 200, 400, 403 or 503)", status)
		}
		checkPage(t, rec)
		if fl.secret == "" || sentCookie(req, fixtureCookie) != fl.secret {
			if calls := fx.calls.Calls(); len(calls) != 0 {
				t.Fatalf("a callback without the sign-in's cookie made store calls %v", calls)
			}
		}
		sessions, _ := fx.store.takeWrites()
		if status != http.StatusOK {
			if len(sessions) != 0 {
				t.Fatalf("callback answered %d but stored a session for %v", status, sessions)
			}
		} else {
			q, _ := url.ParseQuery(query)
			completed := fl.state != "" && q.Get("state") == fl.state && q.Get("code") == fl.code &&
				sentCookie(req, fixtureCookie) == fl.secret
			if !completed {
				t.Fatalf("callback answered 200 to a request that did not complete a sign-in")
			}
			if len(sessions) != 1 || sessions[0] != fl.key {
				t.Fatalf("a completed sign-in stored sessions %v, want exactly %v", sessions, fl.key)
			}
			if !strings.Contains(rec.Body.String(), "Connected to GitHub as @fuzz-gh-") {
				t.Fatal("200 page does not say who is connected")
			}
		}
		fx.checkVictim(t, victim)
	})
}

// FuzzOAuthStartPage sends GET /oauth/start with an arbitrary query string
// ({link} stands for a real link). The page uses nothing up and stores nothing;
// it answers 200 only for a real link, 400 otherwise, without a store call,
// never another 5xx than 503.
func FuzzOAuthStartPage(f *testing.F) {
	fx := newFixture(f)
	victim := fx.loginVictim(f)
	f.Add("link={link}")
	f.Add("link=nope")
	f.Fuzz(func(t *testing.T, query string) {
		var fl flow
		if strings.Contains(query, placeholderLink) {
			fl = fx.newLink(t)
			query = strings.ReplaceAll(query, placeholderLink, fl.link)
		}
		fx.calls.Reset()
		req := httptest.NewRequest(http.MethodGet, "/oauth/start", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if q, _ := url.ParseQuery(query); fl.link == "" || q.Get("link") != fl.link {
				t.Fatal("link page shown for a link that does not exist")
			}
			if !strings.Contains(rec.Body.String(), `method="post"`) {
				t.Fatal("200 link page without its form")
			}
		case http.StatusBadRequest:
			if calls := fx.calls.Calls(); len(calls) != 0 {
				t.Fatalf("GET /oauth/start answered 400 after store calls %v", calls)
			}
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("GET /oauth/start status %d (want 200, 400 or 503)", rec.Code)
		}
		checkPage(t, rec)
		if sessions, pendings := fx.store.takeWrites(); len(sessions)+len(pendings) != 0 {
			t.Fatalf("GET /oauth/start stored sessions %v, authorizations %v", sessions, pendings)
		}
		if fl.link != "" {
			if _, err := fx.service.OpenLink(t.Context(), fl.link); err != nil {
				t.Fatalf("GET /oauth/start used up the link: %v", err)
			}
		}
		fx.checkVictim(t, victim)
	})
}

// FuzzOAuthStartForm sends POST /oauth/start with an arbitrary content type
// and body ({link} stands for a real link). Only a real link gets the 303 to
// GitHub with the binding cookie and one stored authorization for its user;
// anything else gets 400 (or 503) and stores nothing, a 400 without a store
// call. No session is ever stored by this route.
func FuzzOAuthStartForm(f *testing.F) {
	fx := newFixture(f)
	victim := fx.loginVictim(f)
	f.Add("application/x-www-form-urlencoded", "link={link}")
	f.Add("application/x-www-form-urlencoded", "link=nope")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		var fl flow
		if strings.Contains(body, placeholderLink) {
			fl = fx.newLink(t)
			body = strings.ReplaceAll(body, placeholderLink, fl.link)
		}
		fx.calls.Reset()
		req := httptest.NewRequest(http.MethodPost, "/oauth/start", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		sessions, pendings := fx.store.takeWrites()
		if len(sessions) != 0 {
			t.Fatalf("POST /oauth/start stored sessions %v", sessions)
		}
		switch rec.Code {
		case http.StatusSeeOther:
			if fl.link == "" || !strings.Contains(body, fl.link) {
				t.Fatal("303 to GitHub for a link that does not exist")
			}
			if len(pendings) != 1 || pendings[0] != fl.key {
				t.Fatalf("303 stored authorizations %v, want exactly one for %v", pendings, fl.key)
			}
			if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, fx.ghURL+"/login/oauth/authorize?") {
				t.Fatalf("303 to %q, not GitHub's authorize page", loc)
			}
			if c := setCookie(rec, fixtureCookie); c == nil || c.Value == "" || !c.HttpOnly || !c.Secure {
				t.Fatalf("303 without the binding cookie: %v", c)
			}
		case http.StatusBadRequest, http.StatusServiceUnavailable:
			checkPage(t, rec)
			if len(pendings) != 0 {
				t.Fatalf("POST /oauth/start answered %d but stored authorizations %v", rec.Code, pendings)
			}
			if calls := fx.calls.Calls(); rec.Code == http.StatusBadRequest && len(calls) != 0 {
				t.Fatalf("POST /oauth/start answered 400 after store calls %v", calls)
			}
		default:
			t.Fatalf("POST /oauth/start status %d (want 303, 400 or 503)", rec.Code)
		}
		fx.checkVictim(t, victim)
	})
}

// checkPage checks that an answer is one of the service's HTML pages, with the
// headers every page carries.
func checkPage(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type")); mt != "text/html" {
		t.Fatalf("status %d with content type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("status %d page without its security headers", rec.Code)
	}
	if !strings.HasPrefix(rec.Body.String(), "<!doctype html>") {
		t.Fatalf("status %d body is not a page", rec.Code)
	}
}

// sentCookie is the value of the named cookie as the handler reads it.
func sentCookie(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func setCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestOAuthRoutesRefuseUnissuedValuesWithoutAStoreCall: through the pages,
// link ids and states the service never issued (junk, oversized, forged with
// the right length), a real state from another browser or without the cookie,
// and GitHub's error redirect without the cookie are refused with the usual
// page and no store call; the victim's link still opens and the victim's
// sign-in still completes afterwards.
func TestOAuthRoutesRefuseUnissuedValuesWithoutAStoreCall(t *testing.T) {
	fx := newFixture(t)
	victimLink := fx.newLink(t)
	victim := fx.newFlow(t) // waiting for GitHub's redirect back
	const (
		linkGone  = "This login link is unknown, was already used, or has expired."
		stateGone = "This GitHub sign-in is unknown, was already used, or has expired."
		otherOne  = "This GitHub sign-in was started in another browser"
		declined  = "You declined the authorization at GitHub"
	)
	// Right length and alphabet, wrong MAC: random, or a real value with one
	// character of its MAC changed.
	forged := func(n int) string { return (randomCookie(t) + randomCookie(t))[:n] }
	tamper := func(s string) string { // character 30 is within the MAC of both
		c := "A"
		if s[30] == 'A' {
			c = "B"
		}
		return s[:30] + c + s[31:]
	}
	junk := []string{"", "nope", strings.Repeat("x", 1<<20), strings.Repeat("x", 3<<10), forged(48), forged(72),
		tamper(victimLink.link), tamper(victim.state), victim.state, victimLink.link + "A"}
	attacker := fixtureCookie + "=" + randomCookie(t)
	type request struct {
		name, method, target, body, cookie string
		status                             int
		text                               string
	}
	var requests []request
	for i, v := range junk {
		if v != victim.state { // a real state is no link id, but a link page refusal all the same
			requests = append(requests, request{fmt.Sprintf("GET start, junk %d", i), http.MethodGet,
				"/oauth/start?" + url.Values{"link": {v}}.Encode(), "", "", 400, linkGone})
		}
		if len(v) < 4<<10 { // a larger form is refused as unreadable
			requests = append(requests, request{fmt.Sprintf("POST start, junk %d", i), http.MethodPost,
				"/oauth/start", url.Values{"link": {v}}.Encode(), "", 400, linkGone})
		}
		if v != victim.state {
			requests = append(requests, request{fmt.Sprintf("callback, junk state %d", i), http.MethodGet,
				"/oauth/callback?" + url.Values{"code": {victim.code}, "state": {v}}.Encode(), "",
				fixtureCookie + "=" + victim.secret, 400, stateGone})
		}
	}
	requests = append(requests,
		request{"POST start, oversized form", http.MethodPost, "/oauth/start", "link=" + strings.Repeat("x", 1<<20), "", 400,
			"The form could not be read."},
		request{"callback, victim's state, no cookie", http.MethodGet,
			"/oauth/callback?" + url.Values{"code": {victim.code}, "state": {victim.state}}.Encode(), "", "", 400, otherOne},
		request{"callback, victim's state, another browser", http.MethodGet,
			"/oauth/callback?" + url.Values{"code": {victim.code}, "state": {victim.state}}.Encode(), "", attacker, 400, otherOne},
		request{"error callback, victim's state, no cookie", http.MethodGet,
			"/oauth/callback?" + url.Values{"error": {"access_denied"}, "state": {victim.state}}.Encode(), "", "", 403, declined},
		request{"error callback, victim's state, another browser", http.MethodGet,
			"/oauth/callback?" + url.Values{"error": {"access_denied"}, "state": {victim.state}}.Encode(), "", attacker, 403, declined},
	)
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			fx.calls.Reset()
			req := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
			if r.method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if r.cookie != "" {
				req.Header.Set("Cookie", r.cookie)
			}
			rec := httptest.NewRecorder()
			fx.handler.ServeHTTP(rec, req)
			if rec.Code != r.status || !strings.Contains(rec.Body.String(), r.text) {
				t.Fatalf("status %d, want %d with %q; body:\n%.600s", rec.Code, r.status, r.text, rec.Body.String())
			}
			checkPage(t, rec)
			if calls := fx.calls.Calls(); len(calls) != 0 {
				t.Fatalf("store calls %v, want none", calls)
			}
			if c := setCookie(rec, fixtureCookie); strings.HasPrefix(r.target, "/oauth/callback") && (c == nil || c.MaxAge >= 0) {
				t.Fatalf("a refused callback does not clear the binding cookie: %v", c)
			}
		})
	}

	// The victim's link still opens, and the victim's sign-in completes.
	rec := httptest.NewRecorder()
	fx.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/oauth/start?link="+victimLink.link, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("the victim's link after the attacks: status %d", rec.Code)
	}
	rec = fx.callback(url.Values{"code": {victim.code}, "state": {victim.state}}, victim.secret)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Connected to GitHub as @") {
		t.Fatalf("the victim's sign-in after the attacks: status %d", rec.Code)
	}
}

// TestErrorCallbackCancelsOnlyWithItsCookie: GitHub's error redirect, with
// the cookie of the browser that started the sign-in, cancels it.
func TestErrorCallbackCancelsOnlyWithItsCookie(t *testing.T) {
	fx := newFixture(t)
	fl := fx.newFlow(t)
	rec := fx.callback(url.Values{"error": {"access_denied"}, "state": {fl.state}}, fl.secret)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("error callback: status %d, want 403", rec.Code)
	}
	rec = fx.callback(url.Values{"code": {fl.code}, "state": {fl.state}}, fl.secret)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "already used") {
		t.Fatalf("callback after its own cancel: status %d, want 400 already used", rec.Code)
	}
}

// TestCallbackReloadedAfterSuccess: reloading the callback page in the
// browser that just signed in says the sign-in was already used (the cookie
// stays after a success), not that it came from another browser, and
// clears the cookie then.
func TestCallbackReloadedAfterSuccess(t *testing.T) {
	fx := newFixture(t)
	fl := fx.newFlow(t)
	get := func() *httptest.ResponseRecorder {
		return fx.callback(url.Values{"code": {fl.code}, "state": {fl.state}}, fl.secret)
	}
	if rec := get(); rec.Code != http.StatusOK || setCookie(rec, fixtureCookie) != nil {
		t.Fatalf("first callback: status %d, Set-Cookie %v; want 200 leaving the cookie", rec.Code, setCookie(rec, fixtureCookie))
	}
	rec := get()
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "already used") {
		t.Fatalf("reloaded callback: status %d, want 400 already used; body:\n%.600s", rec.Code, rec.Body.String())
	}
	if c := setCookie(rec, fixtureCookie); c == nil || c.MaxAge >= 0 {
		t.Fatalf("the reloaded callback does not clear the cookie: %v", c)
	}
}

// callback serves GitHub's redirect back to /oauth/callback with query, from
// the browser that holds the sign-in cookie secret.
func (fx *fixture) callback(query url.Values, secret string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/oauth/callback?"+query.Encode(), nil)
	req.Header.Set("Cookie", fixtureCookie+"="+secret)
	rec := httptest.NewRecorder()
	fx.handler.ServeHTTP(rec, req)
	return rec
}
