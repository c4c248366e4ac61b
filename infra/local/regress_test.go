package main

// Regression tests for what the security review found holding: slow clients
// are cut off, cross-site posts refused, the binding cookie's attributes over
// https, hostile user names and site URLs escaped on every page; and for what
// it found missing: bounded log lines, request ids, header sizes. Black-box,
// against the server as `make run` builds it.

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/rocketchattest"
)

// startWithLimits serves e's handler on a second loopback listener with lim,
// so that timeouts can be watched without waiting for the real ones.
func startWithLimits(t *testing.T, e *env, lim limits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(e.app.Handler, lim)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// cutOff reports whether the server closes conn, reading whatever it sends
// first. The deadline only keeps a broken server from hanging the test.
func cutOff(t *testing.T, conn net.Conn) (closed bool, got string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false, string(b)
	}
	return true, string(b)
}

func TestSlowClientsAreCutOff(t *testing.T) {
	if serverLimits.ReadHeader <= 0 || serverLimits.Read <= 0 || serverLimits.Write <= 0 || serverLimits.Idle <= 0 ||
		serverLimits.MaxHeaderBytes <= 0 || serverLimits.MaxHeaderBytes > 64<<10 {
		t.Fatalf("server limits %+v: every timeout and the header size must be bounded", serverLimits)
	}
	e := newEnv(t)
	addr := startWithLimits(t, e, limits{ReadHeader: 200 * time.Millisecond, Read: 500 * time.Millisecond,
		Write: 5 * time.Second, Idle: time.Second, MaxHeaderBytes: serverLimits.MaxHeaderBytes})

	t.Run("headers never finished", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "POST /rocketchat/webhook HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
			t.Fatal(err)
		}
		if closed, got := cutOff(t, conn); !closed {
			t.Fatalf("a client that never finishes its headers keeps its connection (got %q)", got)
		}
	})
	t.Run("body never finished", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "POST /rocketchat/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
			"Content-Length: 1000\r\n\r\n{\"token\":\""); err != nil {
			t.Fatal(err)
		}
		closed, got := cutOff(t, conn)
		if !closed {
			t.Fatalf("a client that never finishes its body keeps its connection (got %q)", got)
		}
		if strings.HasPrefix(got, "HTTP/1.1 200") {
			t.Fatalf("a cut-off body was answered 200: %q", got)
		}
	})
	t.Run("oversized headers", func(t *testing.T) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/oauth/start?link=x", nil)
		req.Header.Set("X-Big", strings.Repeat("a", serverLimits.MaxHeaderBytes+8<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("oversized headers: %d", resp.StatusCode)
		}
	})
}

// A megabyte in the error parameter of the callback, or in a header, never
// makes a megabyte of log; a client's request id is taken only in a strict form.
func TestLogLinesStayBounded(t *testing.T) {
	e := newEnv(t)
	get := func(path string, header http.Header) int {
		t.Helper()
		req, _ := http.NewRequest("GET", e.url+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := newBrowser(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Over MaxHeaderBytes: refused before any handler, so nothing is logged.
	if status := get("/oauth/callback?error="+strings.Repeat("x", 1<<20), nil); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("1 MB request line: status %d", status)
	}
	// Under it: logged, cut.
	get("/oauth/callback?error="+strings.Repeat("e", 12<<10), nil)
	get("/"+strings.Repeat("p", 12<<10), nil)
	get("/", http.Header{"X-Request-Id": {`forged","status":200,"x":"`}})
	get("/", http.Header{"X-Request-Id": {"4f6c2a1b9d8e7f60a1b2c3d4e5f60718"}})

	logs := e.logs.String()
	longest := 0
	for _, line := range strings.Split(logs, "\n") {
		longest = max(longest, len(line))
	}
	t.Logf("longest log line: %d bytes", longest)
	if longest > 6<<10 {
		t.Fatalf("a log line of %d bytes", longest)
	}
	if strings.Contains(logs, "forged") {
		t.Fatal("a malformed client request id reached the log")
	}
	if !strings.Contains(logs, `"request_id":"4f6c2a1b9d8e7f60a1b2c3d4e5f60718"`) {
		t.Fatal("a well-formed request id from a proxy in front was not kept")
	}
}

// Cross-site posts of someone's link (login CSRF) are refused however the browser says so,
// and leave the link usable by its owner, whom GitHub asks to pick the account.
func TestCrossSiteStartPostsAreRefused(t *testing.T) {
	e := newEnv(t)
	link := e.loginLink(t, alice)
	id := link[strings.Index(link, "link=")+5:]
	for _, header := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"}, // a sibling subdomain
		{"Origin": "https://evil.example"},
		{"Origin": "null"}, // a sandboxed iframe or a data: page
		{"Sec-Fetch-Site": "cross-site", "Origin": e.url},
	} {
		req, _ := http.NewRequest("POST", e.url+"/oauth/start", strings.NewReader(url.Values{"link": {id}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := newBrowser(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" || len(resp.Cookies()) != 0 {
			t.Errorf("POST with %v: status %d, location %q, cookies %v", header, resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
		}
	}
	authURL := e.pressContinue(t, newBrowser(t), link)
	if !strings.Contains(authURL, "prompt=select_account") || !strings.Contains(authURL, "code_challenge_method=S256") {
		t.Fatalf("the owner's authorize URL after the refused posts: %q", authURL)
	}
}

// Over https the binding cookie is __Host-, Secure, HttpOnly, SameSite=Lax,
// Path=/ and has no Domain, when set and when cleared; pages send HSTS.
func TestCookieAttributesOverHTTPS(t *testing.T) {
	e := newEnv(t, func(vars map[string]string) { vars["PUBLIC_URL"] = "https://rcgithub.example.com" })
	link := e.loginLink(t, alice)
	if !strings.HasPrefix(link, "https://rcgithub.example.com/oauth/start?link=") {
		t.Fatalf("link %s", link)
	}
	id := link[strings.Index(link, "link=")+5:]
	b := newBrowser(t)
	resp, page := b.get(t, e.url+"/oauth/start?link="+id)
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Fatalf("link page %d, HSTS %q: %s", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"), page)
	}
	resp = e.postStart(t, b, id)
	checkCookie := func(what string, setCookie []string) {
		t.Helper()
		if len(setCookie) != 1 {
			t.Fatalf("%s: Set-Cookie %q, want one", what, setCookie)
		}
		attrs := map[string]bool{}
		parts := strings.Split(setCookie[0], ";")
		for _, p := range parts[1:] {
			attrs[strings.ToLower(strings.TrimSpace(p))] = true
		}
		if !strings.HasPrefix(parts[0], "__Host-rcgh_login=") || !attrs["secure"] || !attrs["httponly"] ||
			!attrs["samesite=lax"] || !attrs["path=/"] || strings.Contains(strings.ToLower(setCookie[0]), "domain=") {
			t.Fatalf("%s: Set-Cookie %q", what, setCookie[0])
		}
	}
	checkCookie("sign-in", resp.Header.Values("Set-Cookie"))
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("the redirect to GitHub has no HSTS")
	}
	resp, _ = b.get(t, e.url+"/oauth/callback?error=access_denied")
	checkCookie("cleared", resp.Header.Values("Set-Cookie"))
	if !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("the callback does not clear the cookie: %q", resp.Header.Get("Set-Cookie"))
	}
}

// hostile strings that would run or break out of an attribute if a page
// printed them as they are.
const (
	hostileScript = `<script>alert(1)</script>`
	hostileAttr   = `"onmouseover="alert(2)`
)

// assertEscaped fails when page prints a hostile string as it is.
func assertEscaped(t *testing.T, what, page string) {
	t.Helper()
	for _, s := range []string{"<script>", hostileAttr, "'onfocus='", "<img"} {
		if strings.Contains(page, s) {
			t.Errorf("%s prints %q unescaped:\n%s", what, s, page)
		}
	}
}

func TestHostileNamesAreEscapedOnEveryPage(t *testing.T) {
	t.Run("service pages", func(t *testing.T) {
		e := newEnv(t)
		users := []rocketchattest.User{
			{ID: "hostileUser00001", Name: hostileScript},
			{ID: "hostileUser00002", Name: "a" + hostileAttr},
			{ID: "hostileUser00003", Name: `x'onfocus='alert(3)<img/src=x>`},
		}
		sites := []string{site, "https://chat.example.com/" + hostileScript, "https://chat.example.com/x" + hostileAttr}
		for _, u := range users {
			for _, s := range sites {
				rc := &rocketchattest.Outgoing{URL: e.rc.URL, Token: webhookToken, SiteURL: s}
				d, err := rc.Send(context.Background(), rc.Message(u, "/github login"))
				if err != nil {
					t.Fatal(err)
				}
				if d.Posted == nil {
					t.Fatalf("no answer for %q on %q: %d %s", u.Name, s, d.Status, d.Body)
				}
				link := linkPattern.FindString(d.Posted.Text)
				if link == "" {
					t.Fatalf("no link for %q on %q: %s", u.Name, s, d.Posted.Text)
				}
				resp, page := newBrowser(t).get(t, link)
				if resp.StatusCode != 200 {
					t.Fatalf("link page %d: %s", resp.StatusCode, page)
				}
				assertEscaped(t, "link page", page)
				if strings.Contains(u.Name, "<script>") && !strings.Contains(page, "&lt;script&gt;") {
					t.Errorf("link page does not show the user name, escaped:\n%s", page)
				}
			}
		}
		for _, path := range []string{
			"/oauth/callback?error=" + url.QueryEscape(hostileScript) + "&error_description=" + url.QueryEscape(hostileAttr) + "&state=" + url.QueryEscape(hostileScript),
			"/oauth/callback?code=" + url.QueryEscape(hostileScript) + "&state=" + url.QueryEscape(hostileAttr),
			"/oauth/start?link=" + url.QueryEscape(hostileScript),
			"/" + url.PathEscape(hostileScript),
		} {
			_, page := newBrowser(t).get(t, e.url+path)
			assertEscaped(t, "page "+path, page)
		}
	})
	t.Run("sandbox pages", func(t *testing.T) {
		e := newEnv(t, sandbox)
		authorize := e.url + "/sandbox/github/login/oauth/authorize"
		q := url.Values{"client_id": {"sandbox-client-id"}, "redirect_uri": {e.url + "/oauth/callback"},
			"state": {hostileScript}, "scope": {hostileScript + " " + hostileAttr}, "login": {hostileAttr},
			"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
		pages := map[string]func() (*http.Response, error){
			"consent": func() (*http.Response, error) { return http.Get(authorize + "?" + q.Encode()) },
			"consent with a bad login": func() (*http.Response, error) {
				form := url.Values{}
				for k, v := range q {
					form[k] = v
				}
				form.Set("decision", "authorize")
				form.Set("login", hostileScript)
				return http.PostForm(authorize, form)
			},
			"unknown client": func() (*http.Response, error) {
				return http.Get(authorize + "?client_id=" + url.QueryEscape(hostileScript))
			},
			"bad redirect": func() (*http.Response, error) {
				return http.Get(authorize + "?client_id=sandbox-client-id&redirect_uri=" + url.QueryEscape("javascript:"+hostileScript))
			},
		}
		for name, get := range pages {
			resp, err := get()
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(bufio.NewReader(resp.Body))
			resp.Body.Close()
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
			}
			assertEscaped(t, "sandbox "+name+" page", string(body))
			if name == "consent" && (resp.StatusCode != 200 || !strings.Contains(string(body), "&lt;script&gt;")) {
				t.Fatalf("consent page %d does not show the hostile values, escaped:\n%s", resp.StatusCode, body)
			}
		}
	})
}
