package main

import (
	"fmt"
	"strings"
	"time"
)

// row is one request kind at one connection count, measured on both
// servers, a few rounds each.
type row struct {
	scenario
	conns         int
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

// ratioRange is the lowest and the highest ratio of the rounds.
func (r row) ratioRange() (lo, hi float64) {
	for i := range r.bare {
		x := r.service[i].perSecond() / r.bare[i].perSecond()
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	return lo, hi
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
func render(rows []row, cfg config, machine, loadBefore, loadAfter string) string {
	var b strings.Builder
	fmt.Fprintln(&b, "# Load: the one-machine server against a bare net/http handler")
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "Measured by `make bench-load` on %s; 1-minute load average %s before the run, %s after.\n", machine, loadBefore, loadAfter)
	fmt.Fprintf(&b, "Loopback only; the server binary runs as `make run` runs it (GitHub sandbox, bbolt in a fresh DATA_DIR, logs to the null device); "+
		"the load comes from wrk (%d thread, closed loops, every answer checked), %s of warm-up then %s measured; "+
		"each request kind is measured on the bare handler right before the server, %d rounds at each connection count; "+
		"figures are medians over the rounds (the ratio: the median of the rounds' ratios).\n",
		cfg.threads, cfg.warmup, cfg.duration, cfg.rounds)
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "| request | conns | bare req/s | server req/s | ratio | rounds' range | goal | met | bare p50 | server p50 | bare p99 | server p99 | bare CPU/req | server CPU/req | errors |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	perSecond := func(res result) float64 { return res.perSecond() }
	p50 := func(res result) float64 { return float64(res.p50) }
	p99 := func(res result) float64 { return float64(res.p99) }
	cpu := func(res result) float64 { return res.cpuPerRequest() }
	for _, r := range rows {
		met := "yes"
		if !r.met() {
			met = "**no**"
		}
		lo, hi := r.ratioRange()
		fmt.Fprintf(&b, "| `%s` | %d | %.0f | %.0f | %.2fx | %.2f–%.2fx | %.1fx | %s | %s | %s | %s | %s | %.0f µs | %.0f µs | %d |\n",
			r.name, r.conns, medianOf(r.bare, perSecond), medianOf(r.service, perSecond), r.ratio(), lo, hi, r.goal, met,
			ms(medianOf(r.bare, p50)), ms(medianOf(r.service, p50)), ms(medianOf(r.bare, p99)), ms(medianOf(r.service, p99)),
			medianOf(r.bare, cpu), medianOf(r.service, cpu), r.errors())
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "ratio: server requests/s over bare requests/s (higher is better); latencies as wrk measures them (--latency), medians over the rounds; "+
		"CPU/req: the process's user and system time (/proc) over the requests it answered, which other work on the machine moves far less than requests/s; "+
		"errors: socket errors, answers other than 2xx/3xx and answers without the expected text, on either server.")
	return b.String()
}

func ms(ns float64) string {
	return fmt.Sprintf("%.2f ms", float64(time.Duration(ns))/float64(time.Millisecond))
}
