package lambdarun

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options describe one function to run under the emulator.
type Options struct {
	// RIE is the path of the aws-lambda-rie executable.
	RIE string
	// Bootstrap is the path of the function's bootstrap executable.
	Bootstrap string
	// Env is the function's whole environment (KEY=value). The emulator hands
	// its own environment to the function, and nothing of the caller's leaks in.
	Env []string
	// Output, if set, receives a copy of every line the emulator and the
	// function write.
	Output io.Writer
}

// Emulator is one running aws-lambda-rie process with its function. Like one
// Lambda execution environment it runs one invocation at a time; the
// function's init runs on the first invocation.
type Emulator struct {
	cmd      *exec.Cmd
	invokeTo string
	client   *http.Client
	output   io.Writer

	mu      sync.Mutex
	lines   []string
	inits   []float64 // durations of INIT REPORT lines, in ms
	changed chan struct{}

	exited   chan struct{} // closed when the emulator process has exited
	drained  chan struct{} // closed when its output has been read to the end
	stopOnce sync.Once
}

// startAttempts bounds retries when a free port was taken between choosing it
// and the emulator binding it.
const startAttempts = 3

// readyTimeout is how long the emulator gets to listen; it takes milliseconds.
const readyTimeout = 15 * time.Second

// Start runs the emulator for one function on two free loopback ports (its
// invoke API and the Runtime API the function polls) and returns once it
// accepts invocations.
func Start(ctx context.Context, opts Options) (*Emulator, error) {
	var lastErr error
	for range startAttempts {
		e, err := start(ctx, opts)
		if err == nil {
			return e, nil
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	return nil, lastErr
}

var errPortTaken = errors.New("port already in use")

func start(ctx context.Context, opts Options) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	invokeAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	runtimeAddr := fmt.Sprintf("127.0.0.1:%d", ports[1])
	bootstrap, err := filepath.Abs(opts.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("bootstrap path: %w", err)
	}

	// One pipe for stdout and stderr, handed to the process itself: the
	// emulator's log lines and the function's (which inherits them) arrive
	// whole and in order.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	cmd := exec.Command(opts.RIE,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap) // the function's /var/task
	// Never nil, which would hand the function our environment.
	cmd.Env = append(make([]string, 0, len(opts.Env)), opts.Env...)
	cmd.Stdout, cmd.Stderr = w, w
	// A process group of its own, so that Stop ends the function with it; and
	// killed if the test binary dies without stopping it (a timeout panic),
	// after which the function exits as its Runtime API is gone.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start %s: %w", opts.RIE, err)
	}
	w.Close()

	e := &Emulator{
		cmd:      cmd,
		invokeTo: "http://" + invokeAddr + "/2015-03-31/functions/function/invocations",
		client:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}},
		output:   opts.Output,
		changed:  make(chan struct{}),
		exited:   make(chan struct{}),
		drained:  make(chan struct{}),
	}
	go e.readLines(r)
	go func() {
		_ = cmd.Wait()
		close(e.exited)
	}()
	if err := e.waitListening(ctx, invokeAddr); err != nil {
		e.Stop()
		if strings.Contains(e.Logs(), "address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, err
	}
	return e, nil
}

// freePorts asks the kernel for n distinct free loopback ports. They are
// released before the emulator binds them; Start retries if one was taken.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (e *Emulator) waitListening(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-e.exited:
			return fmt.Errorf("emulator exited before listening on %s; its output:\n%s", addr, e.Logs())
		case <-ctx.Done():
			return fmt.Errorf("emulator not listening on %s: %w; its output:\n%s", addr, ctx.Err(), e.Logs())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (e *Emulator) readLines(r io.ReadCloser) {
	defer close(e.drained)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if e.output != nil {
			fmt.Fprintln(e.output, line)
		}
		e.mu.Lock()
		e.lines = append(e.lines, line)
		if ms, ok := ParseInitReport(line); ok {
			e.inits = append(e.inits, ms)
		}
		close(e.changed)
		e.changed = make(chan struct{})
		e.mu.Unlock()
	}
}

// FunctionError is what the function reported instead of a result (its
// handler returned an error, or its init failed).
type FunctionError struct {
	Status int
	Body   string
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error (HTTP %d): %s", e.Status, e.Body)
}

// Invoke runs one invocation with payload as the event and returns the
// function's result. A function error comes back as *FunctionError.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.invokeTo, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke: read result: %w", err)
	}
	if resp.StatusCode != http.StatusOK || isErrorResult(body) {
		return nil, &FunctionError{Status: resp.StatusCode, Body: string(body)}
	}
	return body, nil
}

// InitDuration waits for the emulator's INIT REPORT line, written when the
// function's init phase ended (on the first invocation), and returns its
// duration in milliseconds.
func (e *Emulator) InitDuration(ctx context.Context) (float64, error) {
	for {
		e.mu.Lock()
		inits, changed := e.inits, e.changed
		e.mu.Unlock()
		if len(inits) > 0 {
			return inits[0], nil
		}
		select {
		case <-changed:
		case <-e.exited:
			return 0, fmt.Errorf("emulator exited without an INIT REPORT line; its output:\n%s", e.Logs())
		case <-ctx.Done():
			return 0, fmt.Errorf("no INIT REPORT line: %w", ctx.Err())
		}
	}
}

// Logs returns every line the emulator and the function wrote so far.
func (e *Emulator) Logs() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.lines, "\n")
}

// Stop kills the emulator and its function and waits for them to exit.
func (e *Emulator) Stop() {
	e.stopOnce.Do(func() {
		// The negative pid is the process group Start made: the emulator and
		// the function it started.
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		<-e.exited
		// The pipe closes once every process of the group is gone.
		select {
		case <-e.drained:
		case <-time.After(time.Second):
		}
		e.client.CloseIdleConnections()
	})
}
