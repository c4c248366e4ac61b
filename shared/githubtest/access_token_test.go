package githubtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenAnswerFormats(t *testing.T) {
	tests := []struct {
		name     string
		accept   string
		wantType string
	}{
		{"form by default", "", "application/x-www-form-urlencoded"},
		{"JSON when asked", "application/json", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			status, ctype, fields := e.postToken(t, exchangeForm(e.code(t, authorizeParams(), "mona")), tt.accept)
			if status != http.StatusOK || !strings.HasPrefix(ctype, tt.wantType) {
				t.Fatalf("answer %d %s, want 200 %s", status, ctype, tt.wantType)
			}
			if !strings.HasPrefix(fields["access_token"], "gho_") || fields["token_type"] != "bearer" || fields["scope"] != "read:org,repo" {
				t.Errorf("fields = %v", fields)
			}

			// Errors come with 200 in the same format.
			status, ctype, fields = e.postToken(t, exchangeForm("nope"), tt.accept)
			if status != http.StatusOK || !strings.HasPrefix(ctype, tt.wantType) {
				t.Fatalf("error answer %d %s, want 200 %s", status, ctype, tt.wantType)
			}
			if fields["error"] != "bad_verification_code" || fields["error_description"] == "" || fields["error_uri"] == "" {
				t.Errorf("error fields = %v", fields)
			}
		})
	}
}

func TestTokenErrors(t *testing.T) {
	otherVerifier := strings.Repeat("v", 43)
	noPKCE := with(with(authorizeParams(), "code_challenge", ""), "code_challenge_method", "")
	// Each case has mona consent on a fresh env, then changes one thing
	// about the code exchange that follows.
	tests := []struct {
		name      string
		authorize url.Values    // the authorize request's parameters, if not authorizeParams()
		reuse     bool          // exchange the code once before
		wait      time.Duration // time between the redirect and the exchange
		code      string        // sent instead of the code GitHub gave
		field     []string      // a key and value set in the form ("" deletes it)
		want      string        // error code; "" means a token
	}{
		{name: "valid"},
		{name: "9 minutes 59 old", wait: 10*time.Minute - time.Second},
		{name: "10 minutes 1 old", wait: 10*time.Minute + time.Second, want: "bad_verification_code"},
		{name: "reused", reuse: true, want: "bad_verification_code"},
		{name: "unknown code", code: "0123456789abcdef0123", want: "bad_verification_code"},
		{name: "wrong verifier", field: []string{"code_verifier", otherVerifier}, want: "bad_verification_code"},
		{name: "no verifier for a PKCE code", field: []string{"code_verifier", ""}, want: "bad_verification_code"},
		{name: "verifier for a code without PKCE", authorize: noPKCE, want: "bad_verification_code"},
		{name: "no PKCE at all", authorize: noPKCE, field: []string{"code_verifier", ""}},
		{name: "wrong secret", field: []string{"client_secret", "wrong"}, want: "incorrect_client_credentials"},
		{name: "unknown client", field: []string{"client_id", "Iv1.other"}, want: "incorrect_client_credentials"},
		{name: "other redirect_uri", field: []string{"redirect_uri", "https://chat.example.com/other"}, want: "redirect_uri_mismatch"},
		{name: "no redirect_uri", field: []string{"redirect_uri", ""}},
		{name: "refresh grant", code: "x", field: []string{"grant_type", "refresh_token"}, want: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			params := authorizeParams()
			if tt.authorize != nil {
				params = tt.authorize
			}
			form := exchangeForm(e.code(t, params, "mona"))
			if tt.reuse {
				if _, _, f := e.postToken(t, form, ""); f["access_token"] == "" {
					t.Fatalf("first exchange: %v", f)
				}
			}
			e.clock.Advance(tt.wait)
			if tt.code != "" {
				form.Set("code", tt.code)
			}
			if tt.field != nil {
				form = with(form, tt.field[0], tt.field[1])
			}
			status, _, fields := e.postToken(t, form, "application/json")
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200 even for errors", status)
			}
			if tt.want == "" {
				if fields["access_token"] == "" || fields["error"] != "" {
					t.Fatalf("answer = %v, want a token", fields)
				}
				return
			}
			if fields["error"] != tt.want || fields["access_token"] != "" {
				t.Errorf("answer = %v, want error %s", fields, tt.want)
			}
		})
	}
}

func TestTokenWithBasicAuth(t *testing.T) {
	e := newEnv(t, Options{})
	form := exchangeForm(e.code(t, authorizeParams(), "mona"))
	form.Del("client_id")
	form.Del("client_secret")
	req, _ := http.NewRequest(http.MethodPost, e.url+accessTokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testClientID, testSecret)
	_, body := e.do(t, req)
	if !strings.Contains(string(body), "access_token=gho_") {
		t.Errorf("answer = %s, want a token", body)
	}
}

func TestTokenCap(t *testing.T) {
	e := newEnv(t, Options{})
	var tokens []string
	for range 11 {
		tokens = append(tokens, e.s.IssueToken("mona", "repo"))
	}
	other := e.s.IssueToken("mona", "read:org")

	if e.s.TokenAlive(tokens[0]) {
		t.Error("the oldest token survived an 11th")
	}
	live := e.s.LiveTokens("mona")
	if len(live) != 11 || live[0] != tokens[1] || live[9] != tokens[10] || live[10] != other {
		t.Errorf("live tokens = %v, want the 10 newest repo ones and the read:org one", live)
	}
	if revoked := e.s.RevokedTokens(); len(revoked) != 1 || revoked[0] != tokens[0] {
		t.Errorf("revoked = %v, want only the oldest", revoked)
	}
	if got := e.s.RevokeAll("mona"); got != 11 || len(e.s.LiveTokens("mona")) != 0 {
		t.Errorf("RevokeAll = %d, live after = %v", got, e.s.LiveTokens("mona"))
	}
}
