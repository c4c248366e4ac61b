package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runOnce runs the server binary with env (and PATH/HOME) until it exits, for
// start-ups that must fail; it returns stdout, stderr and the exit code.
func runOnce(t *testing.T, bin string, env ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the server did not exit within 20 s (it should have refused to start):\n%s\n%s", out.String(), errOut.String())
		return "", "", 0
	}
}

// A start-up that cannot succeed says only what is wrong: no sandbox banner
// (which would echo the bad URL), no log line, and no DATA_DIR made, whether
// the configuration is wrong or the port is taken.
func TestFailedStartUpPrintsAndCreatesNothing(t *testing.T) {
	bin := buildServer(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name     string
		env      []string
		wantCode int
		wantErr  string
	}{
		{name: "bad public url", env: []string{"PUBLIC_URL=http://exa mple.com:8080"}, wantCode: 2,
			wantErr: "invalid configuration:\n  PUBLIC_URL: "},
		{name: "bare port", env: []string{"LISTEN_ADDR=8080"}, wantCode: 2,
			wantErr: `LISTEN_ADDR: "8080" has no host: write 127.0.0.1:8080 (this machine only, behind a reverse proxy) or :8080 (every interface)`},
		{name: "busy port", env: []string{"LISTEN_ADDR=" + busy.Addr().String()}, wantCode: 1,
			wantErr: "local: listen on LISTEN_ADDR " + busy.Addr().String() + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			env := append([]string{"GITHUB_SANDBOX=true", "ROCKETCHAT_WEBHOOK_TOKEN=" + childWebhookToken, "DATA_DIR=" + dataDir}, tt.env...)
			stdout, stderr, code := runOnce(t, bin, env...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.wantCode, tt.wantErr)
			}
			if stdout != "" || strings.Contains(stderr, "sandbox") {
				t.Fatalf("printed more than the mistake: stdout %q, stderr %q", stdout, stderr)
			}
			if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("DATA_DIR made by a start-up that failed: %v", err)
			}
		})
	}
}

// The server serves /healthz, logs a line at start (address, public URL, version, sandbox; no
// secret) and, on SIGTERM, one when it stops and one once it has stopped; the
// human sandbox banner (on stderr, unbuffered) comes only once it is ready.
func TestStartAndCleanStopAreLogged(t *testing.T) {
	bin := buildServer(t)
	addr := freeAddr(t)
	c := startChild(t, bin, addr, filepath.Join(t.TempDir(), "data"), "168h")
	// The health endpoint is served by the binary (once the scheduler ticked).
	var health int
	for deadline := time.Now().Add(10 * time.Second); health != http.StatusOK && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(c.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		health = resp.StatusCode
	}
	if health != http.StatusOK {
		t.Fatalf("/healthz answered %d", health)
	}
	c.stop(t)
	type line struct {
		Msg       string `json:"msg"`
		Addr      string `json:"addr"`
		PublicURL string `json:"public_url"`
		Version   string `json:"version"`
		Sandbox   *bool  `json:"sandbox"`
		Signal    string `json:"signal"`
	}
	var msgs []string
	var start, stopping line
	banner := -1
	for i, raw := range strings.Split(strings.TrimSpace(c.logs.String()), "\n") {
		if strings.HasPrefix(raw, "GitHub sandbox: ") {
			banner = i
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("not a JSON log line: %q", raw)
		}
		msgs = append(msgs, l.Msg)
		switch l.Msg {
		case "listening":
			start = l
		case "stopping":
			stopping = l
		}
	}
	if start.Addr != addr || start.PublicURL != "http://"+addr || start.Version == "" || start.Sandbox == nil || !*start.Sandbox {
		t.Errorf("start line %+v", start)
	}
	if stopping.Signal != "terminated" || len(msgs) < 3 || msgs[len(msgs)-1] != "stopped" {
		t.Errorf("stop lines: %+v, messages %q", stopping, msgs)
	}
	if banner < 0 || !strings.Contains(c.logs.String(), "GitHub sandbox: a stand-in GitHub runs inside this server at http://"+addr+"/sandbox/github") {
		t.Errorf("sandbox banner missing:\n%s", c.logs.String())
	}
	if strings.Contains(c.logs.String(), childWebhookToken) {
		t.Error("a log line holds the webhook token")
	}
}
