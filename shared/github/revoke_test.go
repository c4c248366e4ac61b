package github

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

func TestRevoke(t *testing.T) {
	tests := []struct {
		name         string
		revokeStatus int
		userStatus   int // GET /user, asked only to confirm a failed revocation
		wantErr      bool
		wantUserHits int32
	}{
		{name: "revoked", revokeStatus: 204, wantUserHits: 0},
		{name: "404, token dead", revokeStatus: 404, userStatus: 401, wantUserHits: 1},
		{name: "422, token dead", revokeStatus: 422, userStatus: 401, wantUserHits: 1},
		{name: "404, token still works", revokeStatus: 404, userStatus: 200, wantErr: true, wantUserHits: 1},
		{name: "401 wrong app credentials, token works", revokeStatus: 401, userStatus: 200, wantErr: true, wantUserHits: 1},
		{name: "404, check fails", revokeStatus: 404, userStatus: 502, wantErr: true, wantUserHits: 1},
		{name: "500", revokeStatus: 500, wantErr: true, wantUserHits: 0},
		{name: "503", revokeStatus: 503, wantErr: true, wantUserHits: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var userHits atomic.Int32
			gh := newRawGitHub(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/user" {
					userHits.Add(1)
					w.WriteHeader(tt.userStatus)
					_, _ = w.Write([]byte(`{"login":"octocat","id":1}`))
					return
				}
				checkRevokeRequest(t, r)
				w.WriteHeader(tt.revokeStatus)
			})

			err := newTestClient(gh.url, 0).Revoke(context.Background(), testToken)

			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if got := userHits.Load(); got != tt.wantUserHits {
				t.Errorf("GET /user asked %d times, want %d", got, tt.wantUserHits)
			}
			assertNoSecrets(t, err)
		})
	}
}

// checkRevokeRequest checks the wire format of DELETE /applications/{id}/token.
func checkRevokeRequest(t *testing.T, r *http.Request) {
	t.Helper()
	checkAPIHeaders(t, r, http.MethodDelete, "/applications/"+testClientID+"/token")
	if id, secret, ok := r.BasicAuth(); !ok || id != testClientID || secret != testSecret {
		t.Errorf("basic auth = %q, %q, %v; want the client id and secret", id, secret, ok)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	var body map[string]string
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Fatalf("body: %v", err)
	}
	if len(body) != 1 || body["access_token"] != testToken {
		t.Errorf("body = %v, want only the access_token", body)
	}
}

func TestRevokeTimeout(t *testing.T) {
	gh := newRawGitHub(t, nil)

	err := newTestClient(gh.url, 50*time.Millisecond).Revoke(context.Background(), testToken)

	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if n := gh.requests.Load(); n != 1 {
		t.Errorf("got %d requests, want only the revocation", n)
	}
	assertNoSecrets(t, err)
}
