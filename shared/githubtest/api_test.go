package githubtest

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestUserEndpoint(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.token(t, "mona")
	noScopes := e.s.IssueToken("mona")
	revoked := e.s.IssueToken("hubot", "repo")
	e.s.RevokeAll("hubot")

	tests := []struct {
		name        string
		path        string
		auth        string
		wantStatus  int
		wantMessage string
		wantScopes  *string
	}{
		{"bearer", "/user", "Bearer " + token, 200, "", ptr("read:org, repo")},
		{"token scheme", "/user", "token " + token, 200, "", ptr("read:org, repo")},
		{"enterprise path", "/api/v3/user", "Bearer " + token, 200, "", ptr("read:org, repo")},
		{"no scopes", "/user", "Bearer " + noScopes, 200, "", ptr("")},
		{"no credentials", "/user", "", 401, "Requires authentication", nil},
		{"unknown token", "/user", "Bearer gho_unknown", 401, "Bad credentials", nil},
		{"revoked token", "/user", "Bearer " + revoked, 401, "Bad credentials", nil},
		{"other scheme", "/user", "Basic " + token, 401, "Requires authentication", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			if tt.auth != "" {
				header.Set("Authorization", tt.auth)
			}
			resp, body := e.get(t, tt.path, header)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus != 200 {
				var apiErr struct{ Message, DocumentationURL string }
				if err := json.Unmarshal(body, &apiErr); err != nil || apiErr.Message != tt.wantMessage {
					t.Errorf("body = %s, want message %q", body, tt.wantMessage)
				}
				return
			}
			var user apiUser
			if err := json.Unmarshal(body, &user); err != nil {
				t.Fatal(err)
			}
			if user.Login != "mona" || user.ID != userID("mona") || user.HTMLURL == "" || user.AvatarURL == "" {
				t.Errorf("user = %+v", user)
			}
			values := resp.Header.Values("X-OAuth-Scopes")
			if len(values) != 1 || values[0] != *tt.wantScopes {
				t.Errorf("X-OAuth-Scopes = %q, want [%q]", values, *tt.wantScopes)
			}
		})
	}
}

func TestUserIDsAreStable(t *testing.T) {
	if userID("octocat") != userID("Octocat") {
		t.Error("the id depends on the login's case")
	}
	if userID("octocat") == userID("mona") {
		t.Error("two logins share an id")
	}
	a, b := newEnv(t, Options{}), newEnv(t, Options{})
	ids := make([]int64, 0, 2)
	for _, e := range []*env{a, b} {
		_, body := e.get(t, "/user", http.Header{"Authorization": {"Bearer " + e.s.IssueToken("octocat")}})
		var user apiUser
		if err := json.Unmarshal(body, &user); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, user.ID)
	}
	if ids[0] != ids[1] || ids[0] <= 0 {
		t.Errorf("ids = %v, want the same positive id from both servers", ids)
	}
}

func TestRevokeEndpoints(t *testing.T) {
	const tokenPath = "/applications/" + testClientID + "/token"
	const grantPath = "/applications/" + testClientID + "/grant"
	tests := []struct {
		name       string
		path       string
		user, pass string
		body       func(live string) string
		wantStatus int
		wantAlive  bool
	}{
		{"revoked", tokenPath, testClientID, testSecret, tokenBody, 204, false},
		{"enterprise path", "/api/v3" + tokenPath, testClientID, testSecret, tokenBody, 204, false},
		{"grant", grantPath, testClientID, testSecret, tokenBody, 204, false},
		{"no credentials", tokenPath, "", "", tokenBody, 401, true},
		{"wrong secret", tokenPath, testClientID, "wrong", tokenBody, 401, true},
		{"other app in the path", "/applications/Iv1.other/token", testClientID, testSecret, tokenBody, 404, true},
		{"no body", tokenPath, testClientID, testSecret, func(string) string { return "" }, 422, true},
		{"no access_token", tokenPath, testClientID, testSecret, func(string) string { return `{}` }, 422, true},
		{"unknown token", tokenPath, testClientID, testSecret, func(string) string { return tokenBody("gho_unknown") }, 422, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			live := e.s.IssueToken("mona", "repo")
			if got := e.revoke(t, tt.path, tt.user, tt.pass, tt.body(live)); got != tt.wantStatus {
				t.Errorf("status = %d, want %d", got, tt.wantStatus)
			}
			if e.s.TokenAlive(live) != tt.wantAlive {
				t.Errorf("token alive = %v, want %v", e.s.TokenAlive(live), tt.wantAlive)
			}
		})
	}
}

func TestRevokeTwice(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.s.IssueToken("mona", "repo")
	path := "/applications/" + testClientID + "/token"
	if got := e.revoke(t, path, testClientID, testSecret, tokenBody(token)); got != 204 {
		t.Fatalf("first: %d", got)
	}
	// 422: the one refusal GitHub's REST description lists for this operation.
	if got := e.revoke(t, path, testClientID, testSecret, tokenBody(token)); got != 422 {
		t.Errorf("second: %d, want 422 for a token already revoked", got)
	}
}

func TestRevokeGrantEndsAllTokensOfTheUser(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.s.IssueToken("mona", "repo")
	b := e.s.IssueToken("mona", "read:org")
	other := e.s.IssueToken("hubot", "repo")
	if got := e.revoke(t, "/applications/"+testClientID+"/grant", testClientID, testSecret, tokenBody(a)); got != 204 {
		t.Fatalf("status = %d", got)
	}
	if e.s.TokenAlive(a) || e.s.TokenAlive(b) {
		t.Error("a token of mona survived the grant's deletion")
	}
	if !e.s.TokenAlive(other) {
		t.Error("hubot's token died with mona's grant")
	}
}

func ptr(s string) *string { return &s }
