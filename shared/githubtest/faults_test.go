package githubtest

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.s.IssueToken("mona")
	auth := http.Header{"Authorization": {"Bearer " + token}}

	e.s.SetFault(RouteUser, Fault{Status: 503, Times: 2})
	var statuses []int
	for range 3 {
		resp, _ := e.get(t, "/user", auth)
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != 503 || statuses[1] != 503 || statuses[2] != 200 {
		t.Errorf("statuses = %v, want 503, 503, 200", statuses)
	}

	e.s.SetFault(RouteUser, Fault{Status: 500})
	for range 3 {
		if resp, _ := e.get(t, "/user", auth); resp.StatusCode != 500 {
			t.Fatalf("status = %d, want 500 until cleared", resp.StatusCode)
		}
	}
	e.s.ClearFault(RouteUser)
	if resp, _ := e.get(t, "/user", auth); resp.StatusCode != 200 {
		t.Errorf("status = %d after ClearFault", resp.StatusCode)
	}

	e.s.FailNext(RouteToken, 502)
	if status, _, _ := e.postToken(t, exchangeForm("x"), ""); status != 502 {
		t.Errorf("token status = %d, want 502", status)
	}
	if status, _, _ := e.postToken(t, exchangeForm("x"), ""); status != 200 {
		t.Errorf("token status = %d, want 200 after one failure", status)
	}

	if got := e.s.Requests(RouteUser); got != 7 {
		t.Errorf("user requests = %d, want 7", got)
	}
	if got := e.s.Requests(RouteToken); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestSlowFaultEndsWhenTheClientGivesUp(t *testing.T) {
	e := newEnv(t, Options{})
	e.s.SetFault(RouteUser, Fault{Delay: time.Hour})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest(http.MethodGet, e.url+"/user", nil)
	req.Header.Set("Authorization", "Bearer "+e.s.IssueToken("mona"))

	_, err := client.Do(req)
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	// The test's cleanup stops the server, which waits for the handler: it
	// returns promptly only if the delay ended with the client.
}

func TestLogsHoldNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	// The whole flow over HTTP, with every secret in a request.
	resp, _ := e.get(t, authorizePath+"?"+authorizeParams().Encode(), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("consent page: %d", resp.StatusCode)
	}
	form := with(with(authorizeParams(), "decision", "authorize"), "login", "mona")
	req, _ := http.NewRequest(http.MethodPost, e.url+authorizePath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ = e.do(t, req)
	code := query(t, resp.Header.Get("Location")).Get("code")
	_, _, fields := e.postToken(t, exchangeForm(code), "")
	token := fields["access_token"]
	e.get(t, "/user", http.Header{"Authorization": {"Bearer " + token}})
	e.revoke(t, "/applications/"+testClientID+"/token", testClientID, testSecret, tokenBody(token))

	out := logs.String()
	for _, route := range []Route{RouteAuthorize, RouteToken, RouteUser, RouteRevokeToken} {
		if !strings.Contains(out, "route="+string(route)) {
			t.Errorf("no log line for %s", route)
		}
	}
	for _, secret := range []string{code, token, testSecret, testVerifier, testChallenge, "state-1"} {
		if secret == "" || strings.Contains(out, secret) {
			t.Errorf("logs contain a secret (or the flow failed): %q", secret)
		}
	}
}

func TestHomePage(t *testing.T) {
	e := newEnv(t, Options{})
	resp, body := e.get(t, "/", nil)
	// The sandbox serves deployments whatever their trigger words: it names none.
	if resp.StatusCode != 200 || !strings.Contains(string(body), "your trigger word, then <code>login</code>") ||
		strings.Contains(string(body), "/github") {
		t.Errorf("home = %d %s", resp.StatusCode, body)
	}
}
