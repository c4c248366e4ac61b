package main

import (
	"strings"
	"testing"
)

func TestWriteTable(t *testing.T) {
	mk := func(name, role string, inits, firsts, warm []float64, zip int64) *measurement {
		return &measurement{subject: subject{Name: name, Role: role, Describe: name + " request"},
			Inits: inits, Firsts: firsts, Warm: warm, Sizes: sizes{Bootstrap: 3 * zip, Zip: zip}}
	}
	r := report{
		Machine: machine{CPUs: 2, CPUModel: "Test CPU", Kernel: "6.1", GoVersion: "go1.26", Arch: "linux/amd64",
			RIE: "v0", Date: "2026-11-27", Load: "0.5 before, 0.7 after"},
		Command: "make bench-lambda", Cold: 3, Warm: 4, FloorName: "sdkfloor",
		Subjects: []*measurement{
			// init median 12 (1.2× floor); penalties 22-2=20 (1.0×); zip 5 MiB
			mk("webhook", "", []float64{11, 12, 13}, []float64{21, 22, 23}, []float64{1, 2, 2, 3}, 5<<20),
			// init 20 (2.0×), penalty 40 (2.0×), zip 7 MiB: misses every goal
			mk("logout", "", []float64{20, 20, 20}, []float64{42, 42, 42}, []float64{2, 2, 2, 2}, 7<<20),
			mk("sdkfloor", "floor", []float64{9, 10, 11}, []float64{21, 21, 21}, []float64{1, 1, 1, 1}, 3<<20),
		},
	}
	var b strings.Builder
	if err := writeTable(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| webhook | 12.0 (11.0–13.0) | 1.20× | 20.0 (19.0–21.0) | 1.00× | 2.00 | 3.00 | 15.00 | 5.00 | met |",
		"| logout | 20.0 (20.0–20.0) | 2.00× | 40.0 (40.0–40.0) | 2.00× | 2.00 | 2.00 | 21.00 | 7.00 | missed: init, penalty, zip |",
		"| sdkfloor (floor) | 10.0 (9.0–11.0) | 1.00× | 20.0 (20.0–20.0) | 1.00× | 1.00 | 1.00 | 9.00 | 3.00 |  |",
		"2 CPU (nproc), Test CPU", "load average 0.5 before, 0.7 after", "`make bench-lambda`",
		"- logout: logout request",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Count("\n"+out, "\n| ") != 4 { // header and three rows (the separator starts "|-")
		t.Errorf("want one table of three rows:\n%s", out)
	}

	r.FloorName = "missing"
	if err := writeTable(&b, r); err == nil {
		t.Error("writeTable without the floor among the subjects succeeded")
	}
}
