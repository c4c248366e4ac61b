// Command loadgen is the load benchmark of the one-machine server (make
// bench-load): it starts the real server binary (as `make run` runs it, with
// the GitHub sandbox, on a free loopback port) and a bare net/http server
// (infra/perf/load/bare), and loads each with wrk, a load generator in C that
// drives the bare handler several times faster than the server goes, so that
// the ratios measure the server, not the generator. Two request kinds:
// "/github help" (no I/O) and "/github login" (a durable write: a new link for
// a new user each request); each at each connection count, a few rounds, the
// bare server measured right before the service in every round. It reports
// requests per second, p50 and p99 latency, and the ratios to the bare server
// as medians of the rounds.
//
//	loadgen -server bin/local -bare bin/bare [-wrk wrk] [-conns 16,64] [-threads 1] [-rounds 5] [-duration 3s] [-results file.md]
//
// Every measurement is bounded: a warm-up, then a fixed duration; loopback only.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	serverBin := flag.String("server", "", "the server binary (go build ./infra/local)")
	bareBin := flag.String("bare", "", "the bare server binary (go build ./infra/perf/load/bare)")
	wrkBin := flag.String("wrk", "wrk", "the wrk binary")
	conns := flag.String("conns", "16,64", "connection counts to measure at, comma-separated")
	threads := flag.Int("threads", 1, "wrk threads (1 leaves the server the other core of a 2-core machine)")
	duration := flag.Duration("duration", 3*time.Second, "length of each measurement")
	rounds := flag.Int("rounds", 5, "measurements of each request kind on each server, alternating; the report gives medians")
	warmup := flag.Duration("warmup", time.Second, "load before each measurement, not measured")
	results := flag.String("results", "", "also write the report (Markdown) to this file")
	flag.Parse()
	if *serverBin == "" || *bareBin == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -server and -bare are required")
		os.Exit(2)
	}
	connCounts, err := parseConns(*conns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	for _, d := range []time.Duration{*duration, *warmup} {
		if d < time.Second || d%time.Second != 0 {
			fmt.Fprintf(os.Stderr, "loadgen: -duration and -warmup are whole seconds (wrk takes no less): %s\n", d)
			os.Exit(2)
		}
	}
	cfg := config{wrk: *wrkBin, conns: connCounts, threads: max(*threads, 1), duration: *duration, warmup: *warmup, rounds: max(*rounds, 1)}
	load := loadAverage()
	rows, err := run(context.Background(), *serverBin, *bareBin, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	report := render(rows, cfg, machine(), load, loadAverage())
	fmt.Print(report)
	if *results != "" {
		if err := os.WriteFile(*results, []byte(report), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: write results:", err)
			os.Exit(1)
		}
	}
	for _, r := range rows {
		if n := r.errors(); n > 0 {
			fmt.Fprintf(os.Stderr, "loadgen: %s at %d connections: %d wrong or failed answers\n", r.name, r.conns, n)
			os.Exit(1)
		}
	}
}

// config is how hard and how long to load.
type config struct {
	wrk              string
	conns            []int
	threads, rounds  int
	duration, warmup time.Duration
}

func parseConns(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-conns: %q is not a positive count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// run starts both servers and measures each scenario on each, at each
// connection count.
func run(ctx context.Context, serverBin, bareBin string, cfg config) ([]row, error) {
	dataDir, err := os.MkdirTemp("", "loadgen-data-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dataDir)
	scriptDir, err := os.MkdirTemp("", "loadgen-scripts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scriptDir)
	service, err := startServer(ctx, serverBin, "", map[string]string{
		"GITHUB_SANDBOX": "true", "ROCKETCHAT_WEBHOOK_TOKEN": webhookToken, "DATA_DIR": dataDir,
	})
	if err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	defer service.stop()
	bare, err := startServer(ctx, bareBin, "-addr", nil)
	if err != nil {
		return nil, fmt.Errorf("start the bare server: %w", err)
	}
	defer bare.stop()

	var rows []row
	runs := 0
	for i, sc := range scenarios {
		bareScript, err := writeScript(scriptDir, sc, bareWant, 2*i)
		if err != nil {
			return nil, err
		}
		serviceScript, err := writeScript(scriptDir, sc, sc.want, 2*i+1)
		if err != nil {
			return nil, err
		}
		for _, conns := range cfg.conns {
			r := row{scenario: sc, conns: conns}
			measure := func(srv *server, script string) (result, error) {
				runs++
				if _, err := wrkRun(ctx, cfg.wrk, script, srv.url, fmt.Sprintf("w%d", runs), cfg.threads, conns, cfg.warmup); err != nil {
					return result{}, fmt.Errorf("warm-up: %w", err)
				}
				runs++
				cpu0, ok0 := srv.cpuTime()
				res, err := wrkRun(ctx, cfg.wrk, script, srv.url, fmt.Sprintf("m%d", runs), cfg.threads, conns, cfg.duration)
				if cpu1, ok1 := srv.cpuTime(); ok0 && ok1 {
					res.cpu = cpu1 - cpu0
				}
				return res, err
			}
			for range cfg.rounds {
				// The bare server right before the service, so both see the
				// machine (shared with whatever else runs on it) alike.
				b, err := measure(bare, bareScript)
				if err != nil {
					return nil, fmt.Errorf("%s on the bare server: %w", sc.name, err)
				}
				s, err := measure(service, serviceScript)
				if err != nil {
					return nil, fmt.Errorf("%s on the service: %w", sc.name, err)
				}
				r.bare = append(r.bare, b)
				r.service = append(r.service, s)
				fmt.Fprintf(os.Stderr, "%s, %d connections: bare %.0f req/s, server %.0f req/s (%.2fx); CPU per request: bare %.1f µs, server %.1f µs\n",
					sc.name, conns, b.perSecond(), s.perSecond(), s.perSecond()/b.perSecond(), b.cpuPerRequest(), s.cpuPerRequest())
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// machine describes where the figures come from.
func machine() string {
	return fmt.Sprintf("%s/%s, %d CPUs (GOMAXPROCS %d), %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(),
		runtime.GOMAXPROCS(0), cpuModel(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
}

// cpuModel reads the CPU model on Linux; elsewhere it says so.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "CPU model unknown"
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "CPU model unknown"
}

// loadAverage is the 1-minute load average on Linux ("unknown" elsewhere):
// other work on the machine moves the figures.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(data), " ")
	return first
}
