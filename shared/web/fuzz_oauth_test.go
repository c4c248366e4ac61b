package web_test

import (
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
// user's session is stored. No input touches the victim's session.
func FuzzOAuthCallback(f *testing.F) {
	fx := newFixture(f)
	victim := fx.loginVictim(f)
	f.Add("code={code}&state={state}", fixtureCookie+"={secret}")
	f.Add("code=abc&state=forged", "")
	f.Fuzz(func(t *testing.T, query, cookie string) {
		var fl flow
		if strings.Contains(query+cookie, "{") {
			fl = fx.newFlow(t)
			r := strings.NewReplacer(placeholderState, fl.state, placeholderCode, fl.code, placeholderSecret, fl.secret)
			query, cookie = r.Replace(query), r.Replace(cookie)
		}
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
// it answers 200 only for a real link, 400 otherwise, never another 5xx than 503.
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
		case http.StatusBadRequest, http.StatusServiceUnavailable:
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
// anything else gets 400 (or 503) and stores nothing. No session is ever
// stored by this route.
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
