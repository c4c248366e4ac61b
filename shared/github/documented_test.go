package github

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"rcgithub/shared/session"
)

// extractFile is the extract of GitHub's REST description and OAuth docs
// that the stand-in is held to; the client must handle every answer in it.
const extractFile = "../githubtest/testdata/github-rest-extract.json"

type documentedStatus struct {
	ContentType string   `json:"content_type"`
	Fields      []string `json:"fields"`
	Errors      map[string]struct {
		ErrorDescription string `json:"error_description"`
	} `json:"errors"`
}

type documentedOperation struct {
	Operation     string                      `json:"operation"`
	Statuses      map[string]documentedStatus `json:"statuses"`
	OtherStatuses map[string]documentedStatus `json:"other_statuses"`
}

// documented returns every status the extract lists for the operation, with
// what it says of each.
func documented(t *testing.T, operation string) map[int]documentedStatus {
	t.Helper()
	raw, err := os.ReadFile(extractFile)
	if err != nil {
		t.Fatal(err)
	}
	var x struct {
		Operations []documentedOperation `json:"operations"`
	}
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatal(err)
	}
	for _, op := range x.Operations {
		if op.Operation != operation {
			continue
		}
		out := map[int]documentedStatus{}
		for _, m := range []map[string]documentedStatus{op.Statuses, op.OtherStatuses} {
			for k, v := range m {
				code, err := strconv.Atoi(k)
				if err != nil {
					t.Fatalf("%s: status %q", operation, k)
				}
				out[code] = v
			}
		}
		return out
	}
	t.Fatalf("%s lacks %s", extractFile, operation)
	return nil
}

// errorBody is a GitHub error body for status, with the documented fields.
func errorBody(status int) string {
	b, _ := json.Marshal(map[string]string{"message": http.StatusText(status),
		"documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)})
	return string(b)
}

// TestUserHandlesEveryDocumentedAnswer: only 200 is a user, only 401 a dead
// token; anything else (304, 403, a refused API version) is an error that
// leaves the token alone.
func TestUserHandlesEveryDocumentedAnswer(t *testing.T) {
	for status := range documented(t, "users/get-authenticated") {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			gh := newRawGitHub(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				if status == http.StatusOK {
					w.Header().Set("X-OAuth-Scopes", "read:org, repo")
					w.WriteHeader(status)
					_, _ = w.Write([]byte(`{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","type":"User","site_admin":false}`))
					return
				}
				w.WriteHeader(status)
				if status != http.StatusNotModified {
					_, _ = w.Write([]byte(errorBody(status)))
				}
			})
			user, err := newTestClient(gh.url, 0).User(context.Background(), testToken)
			assertNoSecrets(t, err)
			switch status {
			case http.StatusOK:
				if err != nil || user.Login != "octocat" || len(user.Scopes) != 2 {
					t.Errorf("User = %+v, %v", user, err)
				}
			case http.StatusUnauthorized:
				if !errors.Is(err, session.ErrTokenDead) {
					t.Errorf("err = %v, want ErrTokenDead", err)
				}
			default:
				if err == nil || errors.Is(err, session.ErrTokenDead) {
					t.Errorf("err = %v, want an error that is not ErrTokenDead", err)
				}
			}
		})
	}
}

// TestRevokeHandlesEveryDocumentedAnswer: 204 is done; any documented 4xx is
// settled by asking GET /user whether the token still works.
func TestRevokeHandlesEveryDocumentedAnswer(t *testing.T) {
	for _, op := range []string{"apps/delete-token"} {
		for status := range documented(t, op) {
			for _, alive := range []bool{false, true} {
				t.Run(op+"/"+strconv.Itoa(status)+"/alive="+strconv.FormatBool(alive), func(t *testing.T) {
					var userHits int
					gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Content-Type", "application/json; charset=utf-8")
						if r.Method == http.MethodGet {
							userHits++
							if alive {
								_, _ = w.Write([]byte(`{"login":"octocat","id":1}`))
								return
							}
							w.WriteHeader(http.StatusUnauthorized)
							_, _ = w.Write([]byte(errorBody(http.StatusUnauthorized)))
							return
						}
						w.WriteHeader(status)
						if status != http.StatusNoContent {
							_, _ = w.Write([]byte(errorBody(status)))
						}
					})
					err := newTestClient(gh.url, 0).Revoke(context.Background(), testToken)
					assertNoSecrets(t, err)
					switch {
					case status == http.StatusNoContent:
						if err != nil || userHits != 0 {
							t.Errorf("err = %v, %d GET /user; want nil and none", err, userHits)
						}
					case alive:
						if err == nil {
							t.Error("Revoke = nil, but the token still works")
						}
					default:
						if err != nil || userHits != 1 {
							t.Errorf("err = %v, %d GET /user; want nil after one check that finds the token dead", err, userHits)
						}
					}
				})
			}
		}
	}
}

// TestTokenEndpointDocumentedErrors: every documented error, answered with
// HTTP 200 in either format, is GitHub's final word (OAuthError), for the
// code exchange and for a refresh.
func TestTokenEndpointDocumentedErrors(t *testing.T) {
	ok := documented(t, "oauth/access_token")[http.StatusOK]
	if len(ok.Errors) == 0 {
		t.Fatal("the extract lists no token endpoint errors")
	}
	for code, doc := range ok.Errors {
		for _, asJSON := range []bool{false, true} {
			t.Run(code+"/json="+strconv.FormatBool(asJSON), func(t *testing.T) {
				gh := newRawGitHub(t, func(w http.ResponseWriter, _ *http.Request) {
					fields := map[string]string{"error": code, "error_description": doc.ErrorDescription,
						"error_uri": "https://docs.github.com/apps"}
					if asJSON {
						w.Header().Set("Content-Type", "application/json; charset=utf-8")
						b, _ := json.Marshal(fields)
						_, _ = w.Write(b)
						return
					}
					v := url.Values{}
					for k, f := range fields {
						v.Set(k, f)
					}
					w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
					_, _ = w.Write([]byte(v.Encode()))
				})
				c := newTestClient(gh.url, 0)
				_, exchangeErr := c.Exchange(context.Background(), testCode, testVerifier)
				_, refreshErr := c.Refresh(context.Background(), "ghr_refresh")
				for what, err := range map[string]error{"exchange": exchangeErr, "refresh": refreshErr} {
					var oauthErr *session.OAuthError
					if !errors.As(err, &oauthErr) || oauthErr.Code != code {
						t.Errorf("%s: err = %v, want OAuthError %s", what, err, code)
					}
					assertNoSecrets(t, err)
				}
			})
		}
	}
}

// TestTokenEndpointGitHubAppAnswer reads the documented GitHub App answer in
// both formats: lifetimes count from the client's clock.
func TestTokenEndpointGitHubAppAnswer(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, asJSON := range []bool{false, true} {
		t.Run("json="+strconv.FormatBool(asJSON), func(t *testing.T) {
			gh := newRawGitHub(t, func(w http.ResponseWriter, _ *http.Request) {
				if asJSON {
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
					_, _ = w.Write([]byte(`{"access_token":"ghu_x","expires_in":28800,"refresh_token":"ghr_y","refresh_token_expires_in":15811200,"scope":"","token_type":"bearer"}`))
					return
				}
				w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
				_, _ = w.Write([]byte("access_token=ghu_x&expires_in=28800&refresh_token=ghr_y&refresh_token_expires_in=15811200&scope=&token_type=bearer"))
			})
			c := newTestClient(gh.url, 0)
			c.now = func() time.Time { return now }
			tok, err := c.Refresh(context.Background(), "ghr_old")
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "ghu_x" || tok.RefreshToken != "ghr_y" ||
				!tok.ExpiresAt.Equal(now.Add(8*time.Hour)) || !tok.RefreshExpiresAt.Equal(now.Add(15811200*time.Second)) {
				t.Errorf("token = %+v", tok)
			}
		})
	}
}
