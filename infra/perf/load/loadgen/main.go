// Command loadgen is the load benchmark of the one-machine server: from a
// process of its own, it loads the real server binary (run as `make run` runs
// it, with the GitHub sandbox, on a loopback port) with "/github help" (no
// I/O) and "/github login" (a durable write: a new link for a new user each
// time), and measures each right next to the same load on a bare net/http
// server (infra/perf/load/bare) on the same machine. It reports requests per
// second and p99 latency, and their ratios to the bare server.
//
//	loadgen -server bin/local -bare bin/bare [-conns 16] [-duration 5s] [-results file.md]
//
// Every measurement is bounded: a warm-up, then a fixed duration; loopback only.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	serverBin := flag.String("server", "", "the server binary (go build ./infra/local)")
	bareBin := flag.String("bare", "", "the bare server binary (go build ./infra/perf/load/bare)")
	conns := flag.Int("conns", 16, "concurrent connections, each a closed loop of requests")
	duration := flag.Duration("duration", 3*time.Second, "length of each measurement")
	rounds := flag.Int("rounds", 3, "measurements of each request kind on each server, alternating; the report gives medians")
	warmup := flag.Duration("warmup", time.Second, "load before each measurement, not measured")
	results := flag.String("results", "", "also write the report (Markdown) to this file")
	flag.Parse()
	if *serverBin == "" || *bareBin == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -server and -bare are required")
		os.Exit(2)
	}
	cfg := config{conns: *conns, duration: *duration, warmup: *warmup, rounds: max(*rounds, 1)}
	rows, err := run(context.Background(), *serverBin, *bareBin, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	report := render(rows, cfg, machine())
	fmt.Print(report)
	if *results != "" {
		if err := os.WriteFile(*results, []byte(report), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: write results:", err)
			os.Exit(1)
		}
	}
	for _, r := range rows {
		if n := r.errors(); n > 0 {
			fmt.Fprintf(os.Stderr, "loadgen: %s: %d wrong or failed answers\n", r.name, n)
			os.Exit(1)
		}
	}
}

// config is how hard and how long to load.
type config struct {
	conns, rounds    int
	duration, warmup time.Duration
}

// run starts both servers and measures each scenario on each.
func run(ctx context.Context, serverBin, bareBin string, cfg config) ([]row, error) {
	dataDir, err := os.MkdirTemp("", "loadgen-data-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dataDir)
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
	for _, sc := range scenarios {
		r := row{scenario: sc}
		for range cfg.rounds {
			// The bare server right before the service, so both see the
			// machine (shared with whatever else runs on it) alike.
			b, err := measure(ctx, bare.url, sc, false, cfg)
			if err != nil {
				return nil, fmt.Errorf("%s on the bare server: %w", sc.name, err)
			}
			s, err := measure(ctx, service.url, sc, true, cfg)
			if err != nil {
				return nil, fmt.Errorf("%s on the service: %w", sc.name, err)
			}
			r.bare = append(r.bare, b)
			r.service = append(r.service, s)
		}
		rows = append(rows, r)
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
