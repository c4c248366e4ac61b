package apigw

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Browser sends requests to an API the way a browser does: with the cookies
// earlier responses set for the URL (Secure, Path, Max-Age honoured), and it
// stores the cookies each response sets.
type Browser struct {
	API *API
	jar *cookiejar.Jar
}

// UserAgent is what the browser says it is.
const UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

// NewBrowser returns a browser with no cookies.
func NewBrowser(api *API) *Browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &Browser{API: api, jar: jar}
}

// Get opens rawURL as a top-level navigation.
func (b *Browser) Get(ctx context.Context, rawURL string) (Response, error) {
	return b.do(ctx, http.MethodGet, rawURL, "", nil)
}

// PostForm submits a form to rawURL.
func (b *Browser) PostForm(ctx context.Context, rawURL string, form url.Values) (Response, error) {
	return b.do(ctx, http.MethodPost, rawURL, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// Cookies returns the cookies the browser would send to rawURL.
func (b *Browser) Cookies(rawURL string) []*http.Cookie {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	return b.jar.Cookies(u)
}

func (b *Browser) do(ctx context.Context, method, rawURL, contentType string, body []byte) (Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Response{}, fmt.Errorf("browser: %w", err)
	}
	h := http.Header{
		"User-Agent":      {UserAgent},
		"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Accept-Language": {"en-US,en;q=0.9"},
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
		h.Set("Origin", u.Scheme+"://"+u.Host)
	}
	var pairs []string
	for _, c := range b.jar.Cookies(u) {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	if len(pairs) > 0 {
		h.Set("Cookie", strings.Join(pairs, "; "))
	}
	resp, err := b.API.Do(ctx, Request{Method: method, URL: rawURL, Header: h, Body: body})
	if err != nil {
		return Response{}, err
	}
	var set []*http.Cookie
	for _, line := range resp.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			return Response{}, fmt.Errorf("browser: response sets a malformed cookie: %w", err)
		}
		set = append(set, c)
	}
	b.jar.SetCookies(u, set)
	return resp, nil
}
