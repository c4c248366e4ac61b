package github

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"rcgithub/shared/session"
)

func TestExchange(t *testing.T) {
	const formType = "application/x-www-form-urlencoded; charset=utf-8"
	const jsonType = "application/json; charset=utf-8"
	tests := []tokenAnswerTest{
		{
			name: "form success", status: 200, contentType: formType,
			body: "access_token=" + testToken + "&scope=read%3Aorg%2Crepo&token_type=bearer",
			want: session.Token{AccessToken: testToken, Scopes: []string{"read:org", "repo"}},
		},
		{
			name: "JSON success without scopes", status: 200, contentType: jsonType,
			body: `{"access_token":"` + testToken + `","token_type":"bearer","scope":""}`,
			want: session.Token{AccessToken: testToken, Scopes: []string{}},
		},
		{
			name: "form error with HTTP 200", status: 200, contentType: formType,
			body:      "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com",
			wantOAuth: &session.OAuthError{Code: "bad_verification_code", Description: "The code passed is incorrect or expired."},
		},
		{
			name: "JSON error with HTTP 200", status: 200, contentType: jsonType,
			body:      `{"error":"incorrect_client_credentials","error_description":"The client_id and/or client_secret passed are incorrect.","error_uri":"https://docs.github.com"}`,
			wantOAuth: &session.OAuthError{Code: "incorrect_client_credentials", Description: "The client_id and/or client_secret passed are incorrect."},
		},
		{
			name: "redirect_uri_mismatch", status: 200, contentType: formType,
			body:      "error=redirect_uri_mismatch&error_description=The+redirect_uri+MUST+match.",
			wantOAuth: &session.OAuthError{Code: "redirect_uri_mismatch", Description: "The redirect_uri MUST match."},
		},
		{
			name: "unverified_user_email", status: 200, contentType: jsonType,
			body:      `{"error":"unverified_user_email","error_description":"The user must have a verified primary email."}`,
			wantOAuth: &session.OAuthError{Code: "unverified_user_email", Description: "The user must have a verified primary email."},
		},
		{
			name: "4xx with an error code", status: 400, contentType: jsonType,
			body:      `{"error":"invalid_request"}`,
			wantOAuth: &session.OAuthError{Code: "invalid_request"},
		},
		{
			name: "502 page", status: 502, contentType: "text/html",
			body: "<html>Bad gateway " + testSecret + "</html>", wantErr: true,
		},
		{
			name: "500 even with an error code", status: 500, contentType: jsonType,
			body: `{"error":"server_error"}`, wantErr: true,
		},
		{
			name: "200 without a token", status: 200, contentType: jsonType,
			body: `{"token_type":"bearer"}`, wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
				checkTokenRequest(t, r)
				tt.write(w)
			})
			got, err := newTestClient(gh.url, 0).Exchange(context.Background(), testCode, testVerifier)

			if n := gh.requests.Load(); n != 1 {
				t.Errorf("token endpoint got %d requests, want exactly 1", n)
			}
			assertNoSecrets(t, err)
			if tt.wantsToken(t, "Exchange", err) &&
				(got.AccessToken != tt.want.AccessToken || got.Scopes == nil || !slices.Equal(got.Scopes, tt.want.Scopes)) {
				t.Errorf("token = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// tokenAnswerTest is one answer of GitHub's token endpoint (to a code
// exchange or a refresh) and what the client must make of it.
type tokenAnswerTest struct {
	name        string
	status      int
	contentType string
	body        string
	want        session.Token
	wantOAuth   *session.OAuthError // GitHub's verdict: final
	wantErr     bool                // any other error: transient
}

// write sends the answer.
func (tt tokenAnswerTest) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", tt.contentType)
	w.WriteHeader(tt.status)
	_, _ = w.Write([]byte(tt.body))
}

// wantsToken fails the test unless err is the error the answer must give,
// and reports whether the call must have returned a token (err is nil then),
// which the caller compares with want.
func (tt tokenAnswerTest) wantsToken(t *testing.T, call string, err error) bool {
	t.Helper()
	var oauthErr *session.OAuthError
	isOAuth := errors.As(err, &oauthErr)
	switch {
	case tt.wantOAuth != nil:
		if !isOAuth || *oauthErr != *tt.wantOAuth {
			t.Fatalf("err = %v, want OAuthError %+v", err, *tt.wantOAuth)
		}
		return false
	case tt.wantErr:
		if err == nil || isOAuth {
			t.Fatalf("err = %v, want a transient (non-OAuth) error", err)
		}
		return false
	}
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	return true
}

// checkTokenRequest checks the wire format of a code exchange: everything in
// the form body (AuthStyleInParams), nothing in an Authorization header.
func checkTokenRequest(t *testing.T, r *http.Request) {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != "/login/oauth/access_token" {
		t.Errorf("request %s %s, want POST /login/oauth/access_token", r.Method, r.URL.Path)
	}
	if r.Header.Get("Authorization") != "" {
		t.Error("token request has an Authorization header; GitHub takes the credentials as params")
	}
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"grant_type":    "authorization_code",
		"code":          testCode,
		"code_verifier": testVerifier,
		"client_id":     testClientID,
		"client_secret": testSecret,
		"redirect_uri":  testRedirect,
	}
	for k, v := range want {
		if got := r.PostForm.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
}

func TestExchangeTimeout(t *testing.T) {
	gh := newRawGitHub(t, nil)

	_, err := newTestClient(gh.url, 50*time.Millisecond).Exchange(context.Background(), testCode, testVerifier)

	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	var oauthErr *session.OAuthError
	if errors.As(err, &oauthErr) {
		t.Errorf("a timeout came back as OAuthError %v", oauthErr)
	}
	if n := gh.requests.Load(); n != 1 {
		t.Errorf("token endpoint got %d requests, want exactly 1", n)
	}
	assertNoSecrets(t, err)
}

func TestExchangeUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more

	_, err = newTestClient("http://"+addr, 0).Exchange(context.Background(), testCode, testVerifier)
	var oauthErr *session.OAuthError
	if err == nil || errors.As(err, &oauthErr) {
		t.Fatalf("err = %v, want a transient error", err)
	}
	assertNoSecrets(t, err)
}
