package e2e

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rcgithub/infra/test/e2e/apigw"
	"rcgithub/shared/rocketchattest"
)

// Each way the OAuth pages refuse a sign-in: the status, what the page says,
// the binding cookie cleared, and nothing connected.
func TestCallbackFailurePages(t *testing.T) {
	f := deployment(t)

	// started opens a fresh login link of u in a new browser, presses
	// Continue and returns the browser and GitHub's authorize URL.
	started := func(t *testing.T, u rocketchattest.User) (*apigw.Browser, string) {
		b := apigw.NewBrowser(f.api)
		return b, f.authorizeURL(t, b, u, f.loginLink(t, u))
	}
	// approved is started, then approval at GitHub as gh: it returns the
	// browser and the callback URL GitHub sends it to, not yet opened.
	approved := func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string) {
		b, authorize := started(t, u)
		callback, err := f.github.Authorize(authorize, gh)
		if err != nil {
			t.Fatal(err)
		}
		return b, callback
	}

	tests := []struct {
		name string
		// open returns the browser that opens the page and its URL.
		open      func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string)
		status    int
		text      string
		stillInAs bool // the user stays logged in (replay after a good login)
	}{{
		name: "denied at GitHub",
		open: func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string) {
			b, authorize := started(t, u)
			callback, err := f.github.Deny(authorize)
			if err != nil {
				t.Fatal(err)
			}
			return b, callback
		},
		status: http.StatusForbidden,
		text:   "You declined the authorization at GitHub, so nothing was connected.",
	}, {
		name: "forged state",
		open: func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string) {
			b, callback := approved(t, u, gh)
			return b, withParam(t, callback, "state", rand.Text())
		},
		status: http.StatusBadRequest,
		text:   "This GitHub sign-in is unknown, was already used, or has expired.",
	}, {
		name: "replayed callback",
		open: func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string) {
			in := f.login(t, u, gh)
			return in.browser, in.callbackURL // reload, or back then forward
		},
		status:    http.StatusBadRequest,
		text:      "This GitHub sign-in is unknown, was already used, or has expired.",
		stillInAs: true,
	}, {
		name: "missing cookie (another browser)",
		open: func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string) {
			_, callback := approved(t, u, gh)
			return apigw.NewBrowser(f.api), callback
		},
		status: http.StatusBadRequest,
		text:   "This GitHub sign-in was started in another browser, so it cannot finish here.",
	}, {
		name: "used login link",
		open: func(t *testing.T, u rocketchattest.User, gh string) (*apigw.Browser, string) {
			link := f.loginLink(t, u)
			f.authorizeURL(t, apigw.NewBrowser(f.api), u, link)
			return apigw.NewBrowser(f.api), link
		},
		status: http.StatusBadRequest,
		text:   "This login link is unknown, was already used, or has expired.",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUser("frank")
			gh := newGitHubLogin("frank")
			b, pageURL := tt.open(t, u, gh)
			tokensBefore := len(f.github.LiveTokens(gh))

			page := expectPage(t, "GET "+strings.SplitN(pageURL, "?", 2)[0], b, pageURL, tt.status)
			if text := pageText(page); !strings.HasPrefix(text, tt.text) {
				t.Errorf("page says %q, want %q", text, tt.text)
			}
			if strings.HasSuffix(strings.SplitN(pageURL, "?", 2)[0], "/oauth/callback") && !clearsCookie(page) {
				t.Errorf("the callback page does not clear the binding cookie: Set-Cookie %q", page.Header.Values("Set-Cookie"))
			}
			if got := len(f.github.LiveTokens(gh)); got != tokensBefore {
				t.Errorf("GitHub tokens of %s went from %d to %d: the refused page exchanged a code", gh, tokensBefore, got)
			}
			status := f.reply(t, u, "/github status")
			if loggedIn := strings.HasPrefix(status, "You are logged in to GitHub as @"+gh); loggedIn != tt.stillInAs {
				t.Errorf("status after the page: %q", status)
			}
			if !tt.stillInAs && len(f.schedulesOf(t, u)) != 0 {
				t.Error("a refused sign-in left a logout schedule")
			}
		})
	}
}

// clearsCookie reports whether a response deletes the login binding cookie.
func clearsCookie(resp apigw.Response) bool {
	for _, line := range resp.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && strings.HasSuffix(c.Name, "rcgh_login") && c.MaxAge < 0 && c.Value == "" {
			return true
		}
	}
	return false
}

func withParam(t *testing.T, rawURL, name, value string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}
