package github

import (
	"context"
	"net/http"
	"testing"
	"time"

	"rcgithub/shared/session"
)

const testRefresh = "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498"

func TestRefresh(t *testing.T) {
	const formType = "application/x-www-form-urlencoded; charset=utf-8"
	const jsonType = "application/json; charset=utf-8"
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	appToken := session.Token{AccessToken: "ghu_new", Scopes: []string{}, RefreshToken: "ghr_new",
		ExpiresAt: now.Add(28800 * time.Second), RefreshExpiresAt: now.Add(15811200 * time.Second)}
	tests := []tokenAnswerTest{
		{
			name: "form answer", status: 200, contentType: formType,
			body: "access_token=ghu_new&expires_in=28800&refresh_token=ghr_new&refresh_token_expires_in=15811200&scope=&token_type=bearer",
			want: appToken,
		},
		{
			name: "JSON answer", status: 200, contentType: jsonType,
			body: `{"access_token":"ghu_new","expires_in":28800,"refresh_token":"ghr_new","refresh_token_expires_in":15811200,"scope":"","token_type":"bearer"}`,
			want: appToken,
		},
		{
			name: "bad refresh token with HTTP 200", status: 200, contentType: jsonType,
			body:      `{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired."}`,
			wantOAuth: &session.OAuthError{Code: "bad_refresh_token", Description: "The refresh token passed is incorrect or expired."},
		},
		{
			name: "502 page", status: 502, contentType: "text/html",
			body: "<html>Bad gateway " + testSecret + "</html>", wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseForm(); err != nil {
					t.Fatal(err)
				}
				want := map[string]string{"grant_type": "refresh_token", "refresh_token": testRefresh,
					"client_id": testClientID, "client_secret": testSecret}
				for k, v := range want {
					if got := r.PostForm.Get(k); got != v {
						t.Errorf("form %s = %q, want %q", k, got, v)
					}
				}
				tt.write(w)
			})
			c := newTestClient(gh.url, 0)
			c.now = func() time.Time { return now }
			got, err := c.Refresh(context.Background(), testRefresh)

			assertNoSecrets(t, err)
			if tt.wantsToken(t, "Refresh", err) &&
				(got.AccessToken != tt.want.AccessToken || got.RefreshToken != tt.want.RefreshToken ||
					!got.ExpiresAt.Equal(tt.want.ExpiresAt) || !got.RefreshExpiresAt.Equal(tt.want.RefreshExpiresAt)) {
				t.Errorf("token = %+v, want %+v", got, tt.want)
			}
		})
	}
}
