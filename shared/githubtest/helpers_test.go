package githubtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"rcgithub/shared/session/sessiontest"
	"strings"
	"testing"
	"time"
)

const (
	testClientID = "Iv1.standin"
	testSecret   = "standin-secret"
	testCallback = "https://chat.example.com/github/callback"
	// A valid PKCE verifier and its S256 challenge.
	testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

var testChallenge = s256(testVerifier)

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type env struct {
	s     *Server
	url   string
	clock *sessiontest.Clock
	http  *http.Client // does not follow redirects
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = testClientID, testSecret
	}
	if opts.RedirectURLs == nil {
		opts.RedirectURLs = []string{testCallback}
	}
	clk := sessiontest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	s := New(opts)
	u, stop := s.Start()
	t.Cleanup(stop)
	return &env{s: s, url: u, clock: clk, http: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// authorizeParams are valid authorize parameters with PKCE.
func authorizeParams() url.Values {
	return url.Values{
		"client_id":             {testClientID},
		"redirect_uri":          {testCallback},
		"scope":                 {"repo read:org"},
		"state":                 {"state-1"},
		"response_type":         {"code"},
		"code_challenge":        {testChallenge},
		"code_challenge_method": {"S256"},
	}
}

func (e *env) authorizeURL(params url.Values) string {
	return e.url + authorizePath + "?" + params.Encode()
}

// code runs Authorize as login with params and returns the code.
func (e *env) code(t *testing.T, params url.Values, login string) string {
	t.Helper()
	cb, err := e.s.Authorize(e.authorizeURL(params), login)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	code := query(t, cb).Get("code")
	if code == "" {
		t.Fatalf("callback %s has no code", cb)
	}
	return code
}

// exchangeForm is a valid token request for code.
func exchangeForm(code string) url.Values {
	return url.Values{
		"client_id":     {testClientID},
		"client_secret": {testSecret},
		"code":          {code},
		"redirect_uri":  {testCallback},
		"code_verifier": {testVerifier},
		"grant_type":    {"authorization_code"},
	}
}

// postToken posts form to the token endpoint and returns the status,
// Content-Type and the answer's fields, whatever its format.
func (e *env) postToken(t *testing.T, form url.Values, accept string) (int, string, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+accessTokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, body := e.do(t, req)
	fields := map[string]string{}
	ctype := resp.Header.Get("Content-Type")
	if strings.HasPrefix(ctype, "application/json") {
		if err := json.Unmarshal(body, &fields); err != nil {
			t.Fatalf("JSON answer %q: %v", body, err)
		}
	} else {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatalf("form answer %q: %v", body, err)
		}
		for k := range vals {
			fields[k] = vals.Get(k)
		}
	}
	return resp.StatusCode, ctype, fields
}

// token runs the flow as login and returns a token.
func (e *env) token(t *testing.T, login string) string {
	t.Helper()
	_, _, fields := e.postToken(t, exchangeForm(e.code(t, authorizeParams(), login)), "")
	if fields["access_token"] == "" {
		t.Fatalf("no token: %v", fields)
	}
	return fields["access_token"]
}

func (e *env) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (e *env) get(t *testing.T, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return e.do(t, req)
}

// revoke sends DELETE path with the app's (or given) basic credentials and
// the JSON body.
func (e *env) revoke(t *testing.T, path, user, pass, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, e.url+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, _ := e.do(t, req)
	return resp.StatusCode
}

func tokenBody(token string) string {
	b, _ := json.Marshal(map[string]string{"access_token": token})
	return string(b)
}

func query(t *testing.T, rawURL string) url.Values {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func with(params url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, v := range params {
		out[k] = append([]string(nil), v...)
	}
	if value == "" {
		out.Del(key)
	} else {
		out.Set(key, value)
	}
	return out
}
