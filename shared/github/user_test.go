package github

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/session"
)

func TestUser(t *testing.T) {
	const userJSON = `{"login":"octocat","id":583231,"name":"The Octocat"}`
	tests := []struct {
		name       string
		status     int
		scopes     *string // X-OAuth-Scopes; nil: no header
		body       string
		want       session.User
		wantDead   bool
		wantErr    string // part of the error message
		wantScopes []string
	}{
		{
			name: "scopes listed", status: 200, scopes: ptr("repo, read:org"), body: userJSON,
			want: session.User{Login: "octocat", ID: 583231, Scopes: []string{"repo", "read:org"}},
		},
		{
			name: "scopes header empty", status: 200, scopes: ptr(""), body: userJSON,
			want: session.User{Login: "octocat", ID: 583231, Scopes: []string{}},
		},
		{
			name: "no scopes header (GitHub App token)", status: 200, body: userJSON,
			want: session.User{Login: "octocat", ID: 583231},
		},
		{name: "401", status: 401, body: `{"message":"Bad credentials"}`, wantDead: true},
		{name: "403", status: 403, body: `{"message":"rate limit"}`, wantErr: "403"},
		{name: "500", status: 500, body: `{}`, wantErr: "500"},
		{name: "not JSON", status: 200, body: `<html>`, wantErr: "decoding"},
		{name: "no id", status: 200, body: `{"login":"octocat"}`, wantErr: "login or id"},
		{name: "answer over maxBody", status: 200, body: `{"login":"octocat","id":583231,"bio":"` + strings.Repeat("x", maxBody) + `"}`, wantErr: "decoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
				checkAPIHeaders(t, r, http.MethodGet, "/user")
				if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
					t.Errorf("Authorization = %q, want the bearer token", got)
				}
				if tt.scopes != nil {
					w.Header().Set("X-OAuth-Scopes", *tt.scopes)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})

			got, err := newTestClient(gh.url, 0).User(context.Background(), testToken)

			assertNoSecrets(t, err)
			switch {
			case tt.wantDead:
				if !errors.Is(err, session.ErrTokenDead) {
					t.Fatalf("err = %v, want ErrTokenDead", err)
				}
			case tt.wantErr != "":
				if err == nil || errors.Is(err, session.ErrTokenDead) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want an error mentioning %q that is not ErrTokenDead", err, tt.wantErr)
				}
			default:
				if err != nil {
					t.Fatalf("User: %v", err)
				}
				if got.Login != tt.want.Login || got.ID != tt.want.ID {
					t.Errorf("user = %+v, want %+v", got, tt.want)
				}
				if (got.Scopes == nil) != (tt.want.Scopes == nil) || !slices.Equal(got.Scopes, tt.want.Scopes) {
					t.Errorf("scopes = %#v, want %#v", got.Scopes, tt.want.Scopes)
				}
			}
		})
	}
}

func TestUserTimeout(t *testing.T) {
	gh := newRawGitHub(t, nil)

	_, err := newTestClient(gh.url, 50*time.Millisecond).User(context.Background(), testToken)

	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() || errors.Is(err, session.ErrTokenDead) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	assertNoSecrets(t, err)
}

// checkAPIHeaders checks what every REST API request carries.
func checkAPIHeaders(t *testing.T, r *http.Request, method, path string) {
	t.Helper()
	if r.Method != method || r.URL.Path != path {
		t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, method, path)
	}
	if got := r.Header.Get("Accept"); got != "application/vnd.github+json" {
		t.Errorf("Accept = %q", got)
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		t.Errorf("X-GitHub-Api-Version = %q", got)
	}
}

func ptr(s string) *string { return &s }
