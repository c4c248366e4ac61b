package githubtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAuthorizePageRefuses(t *testing.T) {
	tests := []struct {
		name       string
		params     url.Values
		wantStatus int
	}{
		{"unknown client_id", with(authorizeParams(), "client_id", "Iv1.other"), http.StatusNotFound},
		{"no client_id", with(authorizeParams(), "client_id", ""), http.StatusNotFound},
		{"plain PKCE", with(authorizeParams(), "code_challenge_method", "plain"), http.StatusBadRequest},
		{"challenge without method", with(authorizeParams(), "code_challenge_method", ""), http.StatusBadRequest},
		{"method without challenge", with(authorizeParams(), "code_challenge", ""), http.StatusBadRequest},
		{"challenge of the wrong length", with(authorizeParams(), "code_challenge", "abc"), http.StatusBadRequest},
		{"no state", with(authorizeParams(), "state", ""), http.StatusBadRequest},
		{"redirect_uri not a URL", with(authorizeParams(), "redirect_uri", "callback"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			resp, body := e.get(t, authorizePath+"?"+tt.params.Encode(), nil)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("GET status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if !strings.Contains(string(body), `name="viewport"`) {
				t.Error("error page is not a phone-sized HTML page")
			}
			if _, err := e.s.Authorize(e.authorizeURL(tt.params), "octocat"); err == nil {
				t.Error("Authorize succeeded")
			}
		})
	}
}

func TestAuthorizeRedirectMismatch(t *testing.T) {
	e := newEnv(t, Options{})
	params := with(authorizeParams(), "redirect_uri", "https://evil.example.com/cb")

	resp, _ := e.get(t, authorizePath+"?"+params.Encode(), nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want a redirect", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, testCallback+"?") {
		t.Errorf("redirected to %s, want the registered callback", loc)
	}
	q := query(t, loc)
	if q.Get("error") != "redirect_uri_mismatch" || q.Get("state") != "state-1" || q.Get("error_uri") == "" || q.Get("error_description") == "" {
		t.Errorf("redirect query = %v", q)
	}

	cb, err := e.s.Authorize(e.authorizeURL(params), "octocat")
	if err != nil || query(t, cb).Get("error") != "redirect_uri_mismatch" {
		t.Errorf("Authorize = %s, %v; want the mismatch redirect", cb, err)
	}
}

func TestAuthorizeRedirectURI(t *testing.T) {
	tests := []struct {
		name       string
		registered []string
		given      string
		want       string // prefix of the callback; "" means refused
	}{
		{"registered one given", []string{testCallback}, testCallback, testCallback + "?"},
		{"none given: the first registered", []string{testCallback, "https://b.example.com/cb"}, "", testCallback + "?"},
		{"second registered", []string{testCallback, "https://b.example.com/cb"}, "https://b.example.com/cb", "https://b.example.com/cb?"},
		{"any allowed", []string{}, "http://localhost:8080/cb?keep=1", "http://localhost:8080/cb?"},
		{"any allowed but none given", []string{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{RedirectURLs: tt.registered})
			cb, err := e.s.Authorize(e.authorizeURL(with(authorizeParams(), "redirect_uri", tt.given)), "octocat")
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Authorize = %s, want refused", cb)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(cb, tt.want) || query(t, cb).Get("code") == "" {
				t.Errorf("callback = %s, want %s...code=", cb, tt.want)
			}
			if strings.Contains(tt.given, "keep=1") && query(t, cb).Get("keep") != "1" {
				t.Errorf("callback %s lost the redirect_uri's own query", cb)
			}
		})
	}
}

func TestConsentPage(t *testing.T) {
	e := newEnv(t, Options{AppName: "Chat GitHub"})
	resp, body := e.get(t, authorizePath+"?"+with(authorizeParams(), "login", "mona").Encode(), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	page := string(body)
	for _, want := range []string{
		"Authorize Chat GitHub",
		`name="viewport"`,
		`name="login" value="mona"`,
		`value="authorize"`,
		`value="deny"`,
		`method="post"`,
		"<code>read:org</code>",
		testCallback,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, external := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(page, external) {
			t.Errorf("page has %q: it must load nothing else", external)
		}
	}
	if strings.Index(page, `value="authorize"`) > strings.Index(page, `value="deny"`) {
		t.Error("Deny comes first: pressing Enter would deny")
	}

	_, body = e.get(t, authorizePath+"?"+authorizeParams().Encode(), nil)
	if !strings.Contains(string(body), `name="login" value="octocat"`) {
		t.Error("login does not default to octocat")
	}
}

func TestConsentForm(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantQuery  map[string]string // in the redirect; "*" means any non-empty value
	}{
		{
			name:       "authorize",
			form:       with(with(authorizeParams(), "decision", "authorize"), "login", "mona"),
			wantStatus: http.StatusFound,
			wantQuery:  map[string]string{"code": "*", "state": "state-1"},
		},
		{
			name:       "deny",
			form:       with(authorizeParams(), "decision", "deny"),
			wantStatus: http.StatusFound,
			wantQuery:  map[string]string{"error": "access_denied", "error_description": "*", "error_uri": "*", "state": "state-1"},
		},
		{
			name:       "not a login",
			form:       with(with(authorizeParams(), "decision", "authorize"), "login", "no spaces"),
			wantStatus: http.StatusBadRequest,
		},
		{
			name:       "no decision",
			form:       authorizeParams(),
			wantStatus: http.StatusBadRequest,
		},
		{
			name:       "tampered client_id",
			form:       with(with(authorizeParams(), "decision", "authorize"), "client_id", "Iv1.other"),
			wantStatus: http.StatusNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			req, _ := http.NewRequest(http.MethodPost, e.url+authorizePath, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, _ := e.do(t, req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantQuery == nil {
				return
			}
			loc := resp.Header.Get("Location")
			if !strings.HasPrefix(loc, testCallback+"?") {
				t.Fatalf("Location = %s", loc)
			}
			q := query(t, loc)
			for k, v := range tt.wantQuery {
				if got := q.Get(k); got == "" || (v != "*" && got != v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestAuthorizeAndDenyAPI(t *testing.T) {
	e := newEnv(t, Options{})
	if _, err := e.s.Authorize("https://github.com/somewhere/else?x=1", "octocat"); err == nil {
		t.Error("Authorize accepted a URL that is not the authorize page")
	}
	if _, err := e.s.Authorize(e.authorizeURL(authorizeParams()), "-bad-"); err == nil {
		t.Error("Authorize accepted an impossible login")
	}

	cb, err := e.s.Deny(e.authorizeURL(authorizeParams()))
	if err != nil {
		t.Fatal(err)
	}
	if q := query(t, cb); q.Get("error") != "access_denied" || q.Get("state") != "state-1" {
		t.Errorf("Deny = %s", cb)
	}

	// Authorize with no login signs in as octocat.
	code := e.code(t, authorizeParams(), "")
	_, _, fields := e.postToken(t, exchangeForm(code), "")
	resp, body := e.get(t, "/user", http.Header{"Authorization": {"Bearer " + fields["access_token"]}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"login":"octocat"`) {
		t.Errorf("/user = %d %s, want octocat", resp.StatusCode, body)
	}
}

func TestAskedScopesRecordsEachDecision(t *testing.T) {
	e := newEnv(t, Options{})
	if got := e.s.AskedScopes(); len(got) != 0 {
		t.Fatalf("AskedScopes before any request = %v", got)
	}
	steps := []struct {
		scope string
		deny  bool
		want  []string
	}{
		{scope: "read:user", want: []string{"read:user"}},
		{scope: "read:user public_repo repo", deny: true, want: []string{"public_repo", "read:user", "repo"}},
		{scope: "", want: []string{}},
	}
	for _, st := range steps {
		u := e.authorizeURL(with(authorizeParams(), "scope", st.scope))
		var err error
		if st.deny {
			_, err = e.s.Deny(u)
		} else {
			_, err = e.s.Authorize(u, "octocat")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// A refused request decides nothing.
	if _, err := e.s.Authorize(e.authorizeURL(with(authorizeParams(), "state", "")), "octocat"); err == nil {
		t.Fatal("Authorize without state succeeded")
	}
	got := e.s.AskedScopes()
	if len(got) != len(steps) {
		t.Fatalf("AskedScopes = %v, want %d lists", got, len(steps))
	}
	for i, st := range steps {
		if strings.Join(got[i], " ") != strings.Join(st.want, " ") {
			t.Errorf("AskedScopes()[%d] = %v, want %v", i, got[i], st.want)
		}
	}
	for range maxAsked + 5 {
		if _, err := e.s.Authorize(e.authorizeURL(authorizeParams()), "octocat"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.s.AskedScopes()); n != maxAsked {
		t.Fatalf("AskedScopes keeps %d lists, want at most %d", n, maxAsked)
	}
}
