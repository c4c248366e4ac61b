package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The server binary with a stdout nobody reads (a stuck log collector, a
// full pipe): requests are still answered, the log lines that do not fit are
// counted, and the count comes out once stdout moves again.
func TestRequestsAreServedWhileStdoutIsStuck(t *testing.T) {
	skipIfShort(t)
	bin := buildServer(t)
	addr := freeAddr(t)
	stdoutRead, stdoutWrite, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdoutRead.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GITHUB_SANDBOX=true",
		"ROCKETCHAT_WEBHOOK_TOKEN=" + childWebhookToken, "LISTEN_ADDR=" + addr, "DATA_DIR=" + privateDir(t)}
	cmd.Stdout, cmd.Stderr = stdoutWrite, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdoutWrite.Close() // the child holds the only write end
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done; done <- nil })

	client := &http.Client{Timeout: 20 * time.Second} // a failure's bound, not a measure
	url := "http://" + addr
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := client.Get(url + "/"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the server did not answer within 20 s: %s", stderr.String())
		}
	}
	// Each access-log line is a few hundred bytes: far more than a pipe
	// (64 KiB) and the log writer's buffer (4 MiB) hold together.
	const requests = 20000
	body := fmt.Sprintf(`{"token":%q,"user_id":"u1","user_name":"alice","text":"/github help","siteUrl":"https://chat.example.com/"}`, childWebhookToken)
	for i := range requests {
		resp, err := client.Post(url+"/rocketchat/webhook", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("request %d while stdout is stuck: %v", i, err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), "GitHub commands:") {
			t.Fatalf("request %d while stdout is stuck: %d %s", i, resp.StatusCode, answer)
		}
	}
	// Stdout moves again; a clean stop writes out what waits.
	logs := make(chan string, 1)
	go func() { out, _ := io.ReadAll(stdoutRead); logs <- string(out) }()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the server stopped with %v: %s", err, stderr.String())
	}
	done <- nil
	out := <-logs
	notice := regexp.MustCompile(`"msg":"log lines dropped: stdout did not keep up","dropped":(\d+)`).FindStringSubmatch(out)
	if notice == nil {
		t.Fatalf("no count of the dropped lines in the log (%d bytes)", len(out))
	}
	served := strings.Count(out, `"path":"/rocketchat/webhook"`)
	var dropped int
	fmt.Sscan(notice[1], &dropped)
	// The count is of every line dropped: the server's own lines at the stop
	// ("stopping", "stopped") may be among them when stdout has not caught
	// up yet, so it can pass the access lines dropped by those few.
	if served == 0 || served+dropped < requests || served+dropped > requests+8 {
		t.Errorf("%d access-log lines kept and %d counted as dropped, want %d in all (give or take the server's own few lines at the stop), some kept",
			served, dropped, requests)
	}
}
