package main

import (
	"fmt"
	"io"
	"strings"
)

// Goals of issue 5.
const (
	goalRatio  = 1.3
	goalZipMiB = 6.0
)

// machine describes where the numbers were taken.
type machine struct {
	CPUs      int
	CPUModel  string
	Kernel    string
	GoVersion string
	Arch      string
	RIE       string
	Date      string
	Load      string // one-minute load average around the measurement
}

// report holds everything the table shows.
type report struct {
	Machine   machine
	Command   string
	Cold      int
	Warm      int
	Subjects  []*measurement
	FloorName string
}

// writeTable writes the report as markdown: one table, then what each row's
// request is and the machine.
func writeTable(w io.Writer, r report) error {
	var floor *measurement
	for _, m := range r.Subjects {
		if m.Name == r.FloorName {
			floor = m
		}
	}
	if floor == nil {
		return fmt.Errorf("no SDK floor %q among the subjects", r.FloorName)
	}
	floorInit := summarize(floor.Inits).Median
	floorPenalty := summarize(floor.penalties()).Median

	var b strings.Builder
	fmt.Fprintf(&b, "| function | init ms, median (min–max) | init × floor | cold penalty ms, median (min–max) | penalty × floor | warm ms, median | warm ms, p99 | bootstrap MiB | zip MiB | goals |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range r.Subjects {
		init, pen, warm := summarize(m.Inits), summarize(m.penalties()), summarize(m.Warm)
		name := m.Name
		if m.Role != "" {
			name += " (" + m.Role + ")"
		}
		initRatio, penRatio := ratio(init.Median, floorInit), ratio(pen.Median, floorPenalty)
		fmt.Fprintf(&b, "| %s | %.1f (%.1f–%.1f) | %s | %.1f (%.1f–%.1f) | %s | %.2f | %.2f | %.2f | %.2f | %s |\n",
			name, init.Median, init.Min, init.Max, formatRatio(initRatio), pen.Median, pen.Min, pen.Max, formatRatio(penRatio),
			warm.Median, warm.P99, mib(m.Sizes.Bootstrap), mib(m.Sizes.Zip), goals(m, initRatio, penRatio))
	}
	fmt.Fprintf(&b, "\nMeasured with `%s` on %s: %d CPU (nproc), %s; Linux %s; %s %s; aws-lambda-rie %s; load average %s.\n",
		r.Command, r.Machine.Date, r.Machine.CPUs, r.Machine.CPUModel, r.Machine.Kernel, r.Machine.GoVersion, r.Machine.Arch,
		r.Machine.RIE, r.Machine.Load)
	fmt.Fprintf(&b, "%d cold starts per row, taken round-robin; %d warm invocations (after %d unmeasured) on the last one. "+
		"Init: the emulator's `INIT REPORT(durationMs: …)`. Cold penalty: latency of the first request after the emulator starts "+
		"minus the median warm latency of the same request. Ratios are against the SDK floor of the same run. "+
		"Sizes: the release build (linux/arm64, stripped) and its zip. AWS is moto on the same machine.\n\n",
		r.Cold, r.Warm, warmUp)
	fmt.Fprintf(&b, "Goals: init and cold penalty within %.1f× of the SDK floor; each zip under %.0f MiB.\n\n", goalRatio, goalZipMiB)
	b.WriteString("Requests:\n")
	for _, m := range r.Subjects {
		fmt.Fprintf(&b, "- %s: %s\n", m.Name, m.Describe)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// goals says whether a function meets the goals (the baselines have none).
func goals(m *measurement, initRatio, penRatio float64) string {
	if m.Role != "" {
		return ""
	}
	var missed []string
	if initRatio > goalRatio {
		missed = append(missed, "init")
	}
	if penRatio > goalRatio {
		missed = append(missed, "penalty")
	}
	if mib(m.Sizes.Zip) >= goalZipMiB {
		missed = append(missed, "zip")
	}
	if len(missed) == 0 {
		return "met"
	}
	return "missed: " + strings.Join(missed, ", ")
}

func ratio(x, floor float64) float64 {
	if floor <= 0 {
		return 0
	}
	return x / floor
}

func formatRatio(r float64) string {
	if r == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", r)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
