// Command local runs the whole service on one machine (`make run`): the same
// web handlers the Lambdas serve, a bbolt store and durable scheduler in
// DATA_DIR, tokens sealed with a local AES-GCM key, and, when asked for with
// GITHUB_SANDBOX=true, a stand-in GitHub so the flow can be walked without one.
// Wiring only: shared/localapp composes the service. Admin commands live in
// infra/admin, so this server links no AWS SDK (deps_test.go checks it).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/emf"
	"rcgithub/shared/localapp"
	"rcgithub/shared/session"
	"rcgithub/shared/web"
)

// version names the build in the start log line; `make run` sets it with
// -ldflags "-X main.version=$(git describe ...)".
var version = "dev"

func main() {
	// Nothing is printed, listened on or created before the configuration is
	// known to be good: a mistake is the only output.
	cfg, err := config.LoadLocal(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logs := newLogWriter(os.Stdout)
	logger := slog.New(web.LogHandler(slog.NewJSONHandler(logs, nil)))
	err = run(cfg, logger, &emf.Writer{Out: logs}, os.Stderr)
	if err == nil {
		logger.Info("stopped")
	}
	logs.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM, then stops cleanly (see serve). notice
// gets the human sandbox banner, once the server is ready.
func run(cfg config.Local, logger *slog.Logger, metrics session.Metrics, notice io.Writer) error {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	// Listen before DATA_DIR is made or opened: a busy port fails with
	// nothing created.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	defer ln.Close()
	a, err := localapp.New(cfg, localapp.Options{Logger: logger, Metrics: metrics})
	if err != nil {
		return err
	}
	defer a.Close()
	logger.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "sandbox", cfg.Sandbox,
		"version", version, "go", runtime.Version(), "data_dir", cfg.DataDir,
		"webhook", cfg.PublicURL+"/rocketchat/webhook", "oauth_callback", cfg.PublicURL+"/oauth/callback")
	if cfg.Sandbox {
		fmt.Fprintf(notice, "GitHub sandbox: a stand-in GitHub runs inside this server at %s%s (set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET for real GitHub).\n",
			cfg.PublicURL, localapp.SandboxPath)
	}
	return serve(a, ln, logger, signals)
}

// shutdownTimeout bounds the HTTP server's drain: a webhook's handler answers
// within its own deadline, well inside it.
const shutdownTimeout = 20 * time.Second

// serve runs a on ln until a signal comes, then stops in this order: the HTTP
// server stops taking requests and waits for its handlers (so no chat command
// starts, nor is deferred, any more); then a.Run's context ends, and it lets
// running and deferred commands finish within a grace, tells the users of
// those it cancels, and stops the scheduler after the job it runs. The caller
// closes the database after serve returns.
func serve(a *localapp.App, ln net.Listener, logger *slog.Logger, signals <-chan os.Signal) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	srv := newServer(a.Handler, serverLimits)
	stopped := make(chan struct{})
	go func() { defer close(stopped); a.Run(ctx) }()
	defer func() { stop(); <-stopped }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case sig := <-signals:
		logger.Info("stopping", "signal", sig.String())
	}
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		// Handlers still running could yet start commands: close their
		// connections before a.Run waits for the commands.
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// limits bound what one client can hold of the server: time to send its
// headers and its whole request, time for the answer, idle keep-alive, and
// the size of its headers.
type limits struct {
	ReadHeader, Read, Write, Idle time.Duration
	MaxHeaderBytes                int
}

// serverLimits are the server's. 16 KiB of headers is far above any real
// request here (a cookie, a few standard headers) and a 64th of Go's default.
var serverLimits = limits{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second,
	Idle: 2 * time.Minute, MaxHeaderBytes: 16 << 10}

// newServer is the HTTP server the service runs, with lim applied.
func newServer(h http.Handler, lim limits) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: lim.ReadHeader, ReadTimeout: lim.Read,
		WriteTimeout: lim.Write, IdleTimeout: lim.Idle, MaxHeaderBytes: lim.MaxHeaderBytes}
}
