package githubapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/chatops"
)

const secretToken = "gho_SECRETtokenVALUE0123456789"

var testNow = time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)

// answer is one canned refusal from GitHub.
type answer struct {
	status int
	header map[string]string
	body   string
}

func serve(t *testing.T, a answer) *API {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(ts.Close)
	return New(Config{APIURL: ts.URL, Now: func() time.Time { return testNow }})
}

func TestRefusalsBecomeReasons(t *testing.T) {
	reset := testNow.Add(17 * time.Minute).Truncate(time.Second)
	resetHeader := strconv.FormatInt(reset.Unix(), 10)
	cases := []struct {
		name  string
		a     answer
		check func(t *testing.T, err error)
	}{
		{"401 bad credentials", answer{status: 401, body: `{"message":"Bad credentials","status":"401"}`},
			is(chatops.ErrUnauthorized)},
		{"404", answer{status: 404, body: `{"message":"Not Found","status":"404"}`}, is(chatops.ErrNotFound)},
		{"403 primary limit", answer{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetHeader, "X-RateLimit-Resource": "core"},
			body: `{"message":"API rate limit exceeded for user ID 1."}`}, limited(reset, false)},
		{"429 primary limit", answer{status: 429, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetHeader},
			body: `{"message":"API rate limit exceeded"}`}, limited(reset, false)},
		{"403 search limit", answer{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetHeader, "X-RateLimit-Resource": "search"},
			body: `{"message":"API rate limit exceeded for user ID 1."}`}, limited(reset, true)},
		{"403 secondary limit with Retry-After", answer{status: 403, header: map[string]string{"Retry-After": "90", "X-RateLimit-Remaining": "4000"},
			body: `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`},
			limited(testNow.Add(90*time.Second), false)},
		{"429 Retry-After without documentation_url", answer{status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"message":"Too many requests"}`},
			limited(testNow.Add(30*time.Second), false)},
		{"403 secondary limit naming no time", answer{status: 403,
			body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`},
			limited(testNow.Add(time.Minute), false)},
		{"403 not accessible by integration", answer{status: 403, header: map[string]string{"X-Accepted-GitHub-Permissions": "issues=write"},
			body: `{"message":"Resource not accessible by integration","status":"403"}`},
			func(t *testing.T, err error) {
				var na *chatops.NotAccessibleError
				if !errors.As(err, &na) || na.Permission != "issues=write" {
					t.Errorf("err = %#v, want NotAccessibleError{issues=write}", err)
				}
			}},
		{"403 other", answer{status: 403, body: `{"message":"Repository access blocked"}`},
			func(t *testing.T, err error) {
				var fe *chatops.ForbiddenError
				if !errors.As(err, &fe) || fe.Message != "Repository access blocked" {
					t.Errorf("err = %#v, want ForbiddenError", err)
				}
			}},
		{"410 issues disabled", answer{status: 410, body: `{"message":"Issues are disabled for this repo"}`},
			func(t *testing.T, err error) {
				var fe *chatops.ForbiddenError
				if !errors.As(err, &fe) || fe.Message != "Issues are disabled for this repo" {
					t.Errorf("err = %#v, want ForbiddenError", err)
				}
			}},
		{"422 with errors", answer{status: 422, body: `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}]}`},
			invalid("Validation Failed: title missing_field")},
		{"422 search with messages", answer{status: 422, body: `{"message":"Validation Failed","errors":[{"message":"The listed users cannot be searched.","resource":"Search","field":"q","code":"invalid"}]}`},
			invalid("Validation Failed: The listed users cannot be searched.")},
		{"500", answer{status: 500, body: `{"message":"Server Error"}`},
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "500") || !strings.HasPrefix(err.Error(), "github get repository") {
					t.Errorf("err = %v, want the 500 wrapped with the operation", err)
				}
				assertNoReason(t, err)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := serve(t, tc.a).For(secretToken).Repo(context.Background(), chatops.Repo{Owner: "o", Name: "r"})
			tc.check(t, err)
			if err != nil && strings.Contains(err.Error(), secretToken) {
				t.Errorf("error carries the token: %v", err)
			}
		})
	}
}

func is(want error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("err = %v, want %v", err, want)
		}
	}
}

func limited(until time.Time, search bool) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var rl *chatops.RateLimitedError
		if !errors.As(err, &rl) {
			t.Fatalf("err = %#v, want RateLimitedError", err)
		}
		if !rl.Until.Equal(until) || rl.Search != search {
			t.Errorf("RateLimitedError = {%v, search %v}, want {%v, search %v}", rl.Until, rl.Search, until, search)
		}
	}
}

func invalid(msg string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ie *chatops.InvalidError
		if !errors.As(err, &ie) || ie.Message != msg {
			t.Errorf("err = %#v, want InvalidError{%q}", err, msg)
		}
	}
}

// assertNoReason fails when err is one of chatops' reasons.
func assertNoReason(t *testing.T, err error) {
	t.Helper()
	var (
		rl *chatops.RateLimitedError
		na *chatops.NotAccessibleError
		fe *chatops.ForbiddenError
		ie *chatops.InvalidError
	)
	if errors.Is(err, chatops.ErrUnauthorized) || errors.Is(err, chatops.ErrNotFound) ||
		errors.As(err, &rl) || errors.As(err, &na) || errors.As(err, &fe) || errors.As(err, &ie) {
		t.Errorf("err = %v is a reason, want a plain failure", err)
	}
}

// After a primary limit, go-github answers the next call itself without
// asking GitHub; that answer is the same reason.
func TestAnEarlierLimitIsStillALimit(t *testing.T) {
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	var calls int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		w.Header().Set("X-RateLimit-Resource", "core")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"API rate limit exceeded"}`))
	}))
	defer ts.Close()
	gh := New(Config{APIURL: ts.URL}).For(secretToken)
	for range 2 {
		_, err := gh.Pulls(context.Background(), chatops.Repo{Owner: "o", Name: "r"}, 10)
		limited(reset, false)(t, err)
	}
	if calls != 1 {
		t.Errorf("GitHub was asked %d times, want 1", calls)
	}
}

func TestUnreachableGitHubIsAPlainFailure(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL
	ts.Close()
	_, err := New(Config{APIURL: url}).For(secretToken).Issues(context.Background(), chatops.Repo{Owner: "o", Name: "r"}, 10)
	if err == nil || strings.Contains(err.Error(), secretToken) {
		t.Fatalf("err = %v", err)
	}
	assertNoReason(t, err)
}

func TestTheCallersDeadlineEndsTheCall(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Config{APIURL: ts.URL}).For(secretToken).Profile(ctx, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
