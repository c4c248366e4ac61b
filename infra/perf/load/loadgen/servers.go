package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// webhookToken is the outgoing-webhook token the loaded server is given.
const webhookToken = "loadgen-webhook-token-0123456789"

// server is a server binary running as a child process on a loopback port.
type server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startServer runs bin on a free loopback port: given with addrFlag (say
// "-addr") on the command line, or when addrFlag is "" as LISTEN_ADDR in its
// environment, next to env. Its output goes to the null device, which is the cheapest
// place a real deployment could log to. It returns once the server answers.
func startServer(ctx context.Context, bin, addrFlag string, env map[string]string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var args []string
	if addrFlag != "" {
		args = []string{addrFlag, addr}
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if addrFlag == "" {
		cmd.Env = append(cmd.Env, "LISTEN_ADDR="+addr)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.url + "/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("%s exited at start: %v", bin, err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New(bin + " did not answer within 20 s")
		}
	}
}

// stop ends the server: SIGTERM, then SIGKILL if it is still there after 10 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// cpuTime is the processor time the server used so far (user and system, all
// its threads), from /proc on Linux; ok is false elsewhere. Unlike requests
// per second, it hardly moves when other work shares the machine.
func (s *server) cpuTime() (d time.Duration, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// fields are counted after its closing one. utime and stime are fields
	// 14 and 15, in clock ticks of 1/100 s (USER_HZ, 100 on Linux).
	_, rest, found := strings.Cut(string(data), ") ")
	fields := strings.Fields(rest)
	if !found || len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
