// Command simulate runs the session service as shipped, in memory, for a
// million users over four simulated weeks, and reports what it measured:
// live sessions and stored records, the AWS calls and their rates against
// AWS's, GitHub's and Rocket.Chat's limits, and the monthly cost. See
// docs/scale.md; `make simulate` runs it and writes
// infra/perf/results/simulation.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		slog.Error("simulate", "error", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	users := fs.Int("users", 1_000_000, "simulated users")
	days := fs.Int("days", 28, "simulated days (at least 8: the first week warms up)")
	sites := fs.Int("sites", 100, "Rocket.Chat sites the users are spread over")
	seed := fs.Uint64("seed", 1, "seed of the users' behaviour and of TTL's lags")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines running each minute's requests")
	lag := fs.Duration("ttl-lag", 48*time.Hour, "longest lag of DynamoDB's TTL deletions")
	revocationLimit := fs.Int("revocation-limit", defaultRevocationLimit,
		"revocations GitHub accepts per hour window (its primary rate limit for an OAuth app's client-credential calls; 15000 for an app of a GitHub Enterprise Cloud organization; 0: no limit)")
	root := fs.String("root", ".", "the repository's root (inputs are read from it)")
	out := fs.String("out", "infra/perf/results/simulation.md", "results file, under -root (\"\": none)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	cfg := defaultConfig(*users, *days, *sites, *seed)
	cfg.Workers, cfg.TTLLag, cfg.Progress = *workers, *lag, os.Stderr
	cfg.RevocationLimit = *revocationLimit
	if err := cfg.validate(); err != nil {
		return err
	}
	in, err := readInputs(*root)
	if err != nil {
		return err
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		return err
	}
	var b strings.Builder
	command := "make simulate"
	if len(args) > 0 {
		command = "go run ./infra/perf/simulate " + strings.Join(args, " ")
	}
	analyse(res, in).write(&b, command)
	fmt.Print(b.String())
	if *out != "" {
		path := filepath.Join(*root, *out)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		fmt.Fprintf(os.Stderr, "simulate: wrote %s in %s\n", path, res.Wall.Round(time.Second))
	}
	return nil
}

// defaultRevocationLimit is GitHub's primary rate limit for an OAuth app's
// client-credential calls, per hour (limits.go: limitGitHubApp).
const defaultRevocationLimit = 5000

// defaultConfig is a run from Monday 2027-01-04, with GitHub failing
// revocations for two hours on the second Wednesday afternoon (UTC), and
// refusing them over its rate limit.
func defaultConfig(users, days, sites int, seed uint64) Config {
	return Config{Users: users, Days: days, Sites: sites, Seed: seed, Workers: 1, TTLLag: 48 * time.Hour,
		Start:      time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC),
		OutageFrom: (7+2)*24*time.Hour + 13*time.Hour, OutageFor: 2 * time.Hour,
		RevocationLimit: defaultRevocationLimit}
}

func (c Config) validate() error {
	switch {
	case c.Users < 1 || c.Users > 1<<31-1:
		return fmt.Errorf("-users %d: want 1 to 2^31-1", c.Users)
	case c.Days < 1:
		return fmt.Errorf("-days %d: want at least 1", c.Days)
	case c.Sites < 1 || c.Sites > 65535 || c.Sites > c.Users:
		return fmt.Errorf("-sites %d: want 1 to 65535, and no more than the users", c.Sites)
	case c.RevocationLimit < 0:
		return fmt.Errorf("-revocation-limit %d: want 0 (none) or more", c.RevocationLimit)
	case c.Start.Weekday() != time.Monday:
		return fmt.Errorf("start %s: want a Monday", c.Start)
	}
	return nil
}
