package main

import (
	"fmt"
	"strings"
	"time"
)

// row is one request kind measured on both servers, a few rounds each.
type row struct {
	scenario
	bare, service []result // one per round, in the order measured
}

// ratio is the median over rounds of server req/s over bare req/s, each round
// comparing two measurements taken one right after the other.
func (r row) ratio() float64 {
	ratios := make([]float64, len(r.bare))
	for i := range r.bare {
		ratios[i] = r.service[i].perSecond() / r.bare[i].perSecond()
	}
	return median(ratios)
}

// p99Ratio is the median over rounds of server p99 over bare p99.
func (r row) p99Ratio() float64 {
	ratios := make([]float64, len(r.bare))
	for i := range r.bare {
		ratios[i] = float64(r.service[i].p99()) / float64(r.bare[i].p99())
	}
	return median(ratios)
}

func (r row) errors() int {
	n := 0
	for i := range r.bare {
		n += r.bare[i].errors + r.service[i].errors
	}
	return n
}

func (r row) met() bool { return r.ratio() >= r.goal && r.errors() == 0 }

// medianOf returns the median of f over results.
func medianOf(results []result, f func(result) float64) float64 {
	values := make([]float64, len(results))
	for i, res := range results {
		values[i] = f(res)
	}
	return median(values)
}

// render is the report in Markdown: how it was measured and the table.
func render(rows []row, cfg config, machine string) string {
	var b strings.Builder
	fmt.Fprintln(&b, "# Load: the one-machine server against a bare net/http handler")
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "Measured by `make bench-load` on %s.\n", machine)
	fmt.Fprintf(&b, "Loopback only; the server binary runs as `make run` runs it (GitHub sandbox, bbolt in a fresh DATA_DIR, logs to the null device), "+
		"the load comes from a separate process: %d connections, each a closed loop of requests, %s of warm-up then %s measured; "+
		"each request kind is measured on the bare handler right before the server, %d rounds; figures are medians over the rounds.\n",
		cfg.conns, cfg.warmup, cfg.duration, cfg.rounds)
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "| request | bare req/s | server req/s | ratio | goal | met | bare p99 | server p99 | p99 ratio | errors |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
	for _, r := range rows {
		met := "yes"
		if !r.met() {
			met = "**no**"
		}
		perSecond := func(res result) float64 { return res.perSecond() }
		p99 := func(res result) float64 { return float64(res.p99()) }
		fmt.Fprintf(&b, "| `%s` | %.0f | %.0f | %.2fx | %.1fx | %s | %s | %s | %.1fx | %d |\n",
			r.name, medianOf(r.bare, perSecond), medianOf(r.service, perSecond), r.ratio(), r.goal, met,
			ms(time.Duration(medianOf(r.bare, p99))), ms(time.Duration(medianOf(r.service, p99))), r.p99Ratio(), r.errors())
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "ratio: server requests/s over bare requests/s (higher is better); p99 ratio: server p99 over bare p99 (lower is better).")
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
