package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/logtest"
	"rcgithub/shared/rocketchattest"
)

// This file runs the real server binary as a child process, the way `make
// run` does with GITHUB_SANDBOX=true: the stand-in GitHub is served by the
// server itself under /sandbox/github, and lives in its memory.

const childWebhookToken = "crash-webhook-token-0123456789"

// buildServer builds ./infra/local into a temporary directory.
func buildServer(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build the server: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "local")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./infra/local: %v\n%s", err, out)
	}
	return bin
}

// child is one run of the server binary.
type child struct {
	cmd  *exec.Cmd
	url  string
	logs *logtest.Buffer
	done chan error // receives the exit status once
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startChild starts the server on addr with its data in dataDir and waits
// until its own log says it listens on addr: a stranger that took the port
// in the meantime may answer HTTP, but cannot write this process's log.
func startChild(t *testing.T, bin, addr, dataDir, ttl string) *child {
	t.Helper()
	c := &child{url: "http://" + addr, logs: &logtest.Buffer{}, done: make(chan error, 1)}
	c.cmd = exec.Command(bin)
	c.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GITHUB_SANDBOX=true", "ROCKETCHAT_WEBHOOK_TOKEN=" + childWebhookToken,
		"LISTEN_ADDR=" + addr, "DATA_DIR=" + dataDir, "SESSION_TTL=" + ttl,
	}
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start the server: %v", err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() { c.kill() })
	deadline := time.Now().Add(20 * time.Second)
	listening := `"msg":"listening","addr":"` + addr + `"`
	for {
		if strings.Contains(c.logs.String(), listening) {
			return c
		}
		select {
		case err := <-c.done:
			c.done <- err
			t.Fatalf("the server exited at start: %v\n%s", err, c.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not answer within 20 s:\n%s", c.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown code runs. It returns
// once the process is gone.
func (c *child) kill() {
	if c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	if err, ok := <-c.done; ok {
		c.done <- err // later calls return at once
	}
}

// stop ends the process with SIGTERM, as an operator would, and waits.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		c.done <- err
		if err != nil {
			t.Fatalf("the server stopped with %v:\n%s", err, c.logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop within 20 s of SIGTERM")
	}
}

// flow drives the child as Rocket.Chat and a browser, including the
// sandbox's consent page.
func (c *child) flow() *faults.Flow {
	return &faults.Flow{
		URL:       c.url,
		Chat:      &rocketchattest.Outgoing{URL: c.url + "/rocketchat/webhook", Token: childWebhookToken, SiteURL: site + "/"},
		Authorize: sandboxConsent,
		Timeout:   10 * time.Second,
	}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// sandboxConsent does what a person does on the sandbox's consent page: it
// opens the page, fills in the GitHub login and presses Authorize (a POST of
// the page's form), and returns where the sandbox sends the browser back.
func sandboxConsent(authorizeURL, login string) (string, error) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authorizeURL)
	if err != nil {
		return "", fmt.Errorf("consent page: %w", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("consent page answered %d", resp.StatusCode)
	}
	form := url.Values{"login": {login}, "decision": {"authorize"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	action, _ := url.Parse(authorizeURL)
	action.RawQuery = ""
	resp, err = client.PostForm(action.String(), form)
	if err != nil {
		return "", fmt.Errorf("authorize: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("authorize answered %d", resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}

// loginChild logs u in through the child; it reports whether the person saw
// "Connected".
func loginChild(ctx context.Context, f *faults.Flow, u rocketchattest.User) bool {
	out, err := f.Login(ctx, u, u.Name+"-gh")
	return err == nil && out.Step == faults.StepCallback && out.Status == 200 && out.Has("Connected to GitHub as @"+u.Name+"-gh")
}

// The data file as stored (shared/bolt/records.go): records are JSON with
// names of their own, which is the file format this reads.
type fileSession struct {
	Site       string    `json:"site"`
	UserID     string    `json:"user_id"`
	Generation int64     `json:"generation"`
	Ends       time.Time `json:"ends"`
}

type fileJob struct {
	Job struct {
		Site       string `json:"site"`
		UserID     string `json:"user"`
		Generation int64  `json:"generation"`
		Attempt    int    `json:"attempt"`
	} `json:"job"`
	Due time.Time `json:"due"`
}

// fileState is what the data file holds, read after the server stopped.
type fileState struct {
	live    map[string]fileSession // by user id
	retired []fileSession
	jobs    []fileJob
}

// readFile reads the data file without the service's code, read-only.
func readFile(t *testing.T, path string) fileState {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open the data file: %v", err)
	}
	defer db.Close()
	st := fileState{live: map[string]fileSession{}}
	err = db.View(func(tx *bbolt.Tx) error {
		each := func(bucket string, fn func(v []byte) error) error {
			b := tx.Bucket([]byte(bucket))
			if b == nil {
				return fmt.Errorf("no bucket %s", bucket)
			}
			return b.ForEach(func(_, v []byte) error { return fn(v) })
		}
		if err := each("sessions", func(v []byte) error {
			var s fileSession
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			if _, dup := st.live[s.UserID]; dup {
				return fmt.Errorf("two live sessions for %s", s.UserID)
			}
			st.live[s.UserID] = s
			return nil
		}); err != nil {
			return err
		}
		if err := each("retired", func(v []byte) error {
			var s fileSession
			st.retired = append(st.retired, s)
			return json.Unmarshal(v, &st.retired[len(st.retired)-1])
		}); err != nil {
			return err
		}
		return each("jobs", func(v []byte) error {
			var j fileJob
			if err := json.Unmarshal(v, &j); err != nil {
				return err
			}
			st.jobs = append(st.jobs, j)
			return nil
		})
	})
	if err != nil {
		t.Fatalf("read the data file: %v", err)
	}
	return st
}

// load drives the child from several workers until stop is closed: logins
// of fresh users, "/github help" and "/github status". It records the users
// whose login the person saw succeed.
type load struct {
	mu        sync.Mutex
	attempted int // logins started
	confirmed []rocketchattest.User
}

func (l *load) run(ctx context.Context, f *faults.Flow, workers int, prefix string, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				u := rocketchattest.User{ID: fmt.Sprintf("%s-%d-%d", prefix, w, n), Name: fmt.Sprintf("%s%dx%d", prefix, w, n)}
				l.mu.Lock()
				l.attempted++
				l.mu.Unlock()
				ok := loginChild(ctx, f, u)
				_, _ = f.Say(ctx, u, "/github help")
				l.mu.Lock()
				if ok {
					l.confirmed = append(l.confirmed, u)
				}
				l.mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func (l *load) users() []rocketchattest.User {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]rocketchattest.User(nil), l.confirmed...)
}
