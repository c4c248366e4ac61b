package githubtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func refreshForm(refreshToken string) url.Values {
	return url.Values{
		"client_id":     {testClientID},
		"client_secret": {testSecret},
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
	}
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func TestGitHubAppTokensExpireAndRefreshOnce(t *testing.T) {
	e := newEnv(t, Options{GitHubApp: true})
	_, _, first := e.postToken(t, exchangeForm(e.code(t, authorizeParams(), "mona")), "application/json")
	access, refresh := first["access_token"], first["refresh_token"]
	if !strings.HasPrefix(access, "ghu_") || !strings.HasPrefix(refresh, "ghr_") {
		t.Fatalf("answer = %v, want a ghu_ token and a ghr_ refresh token", first)
	}
	if first["expires_in"] != "28800" || first["refresh_token_expires_in"] != "15811200" {
		t.Fatalf("lifetimes = %s, %s; want 28800, 15811200", first["expires_in"], first["refresh_token_expires_in"])
	}
	resp, _ := e.get(t, "/user", bearer(access))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /user = %d, want 200", resp.StatusCode)
	}
	if _, ok := resp.Header["X-Oauth-Scopes"]; ok {
		t.Errorf("X-OAuth-Scopes present for a GitHub App token")
	}

	e.clock.Advance(8 * time.Hour)
	if resp, _ := e.get(t, "/user", bearer(access)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /user with an expired token = %d, want 401", resp.StatusCode)
	}

	_, _, second := e.postToken(t, refreshForm(refresh), "")
	if !strings.HasPrefix(second["access_token"], "ghu_") || second["refresh_token"] == refresh || second["refresh_token"] == "" {
		t.Fatalf("refresh answer = %v, want a new pair", second)
	}
	if resp, _ := e.get(t, "/user", bearer(second["access_token"])); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /user with the refreshed token = %d, want 200", resp.StatusCode)
	}
	_, _, again := e.postToken(t, refreshForm(refresh), "application/json")
	if again["error"] != "bad_refresh_token" || again["access_token"] != "" {
		t.Fatalf("second use of a refresh token = %v, want bad_refresh_token", again)
	}
	if e.s.RefreshAlive(refresh) || !e.s.RefreshAlive(second["refresh_token"]) {
		t.Errorf("RefreshAlive: the used one must be dead, the new one alive")
	}
}

func TestGitHubAppRefreshRefusals(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(e *env, refresh string) url.Values
	}{
		{"unknown", func(*env, string) url.Values { return refreshForm("ghr_unknown") }},
		{"expired", func(e *env, refresh string) url.Values {
			e.clock.Advance(15811200 * time.Second)
			return refreshForm(refresh)
		}},
		{"app revoked by the user", func(e *env, refresh string) url.Values {
			e.clock.Advance(9 * time.Hour) // an expired token's refresh token dies too
			e.s.RevokeAll("mona")
			return refreshForm(refresh)
		}},
		{"other client", func(_ *env, refresh string) url.Values {
			return with(refreshForm(refresh), "client_id", "Iv1.other")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{GitHubApp: true})
			_, _, first := e.postToken(t, exchangeForm(e.code(t, authorizeParams(), "mona")), "")
			_, _, got := e.postToken(t, tt.prepare(e, first["refresh_token"]), "")
			if got["access_token"] != "" || (got["error"] != "bad_refresh_token" && got["error"] != "incorrect_client_credentials") {
				t.Fatalf("answer = %v, want an error", got)
			}
		})
	}
}

func TestOAuthAppTokensDoNotExpire(t *testing.T) {
	e := newEnv(t, Options{})
	_, _, fields := e.postToken(t, exchangeForm(e.code(t, authorizeParams(), "mona")), "")
	if fields["refresh_token"] != "" || fields["expires_in"] != "" || !strings.HasPrefix(fields["access_token"], "gho_") {
		t.Fatalf("answer = %v, want a gho_ token without refresh", fields)
	}
	e.clock.Advance(365 * 24 * time.Hour)
	if !e.s.TokenAlive(fields["access_token"]) {
		t.Fatal("an OAuth App token expired")
	}
}
