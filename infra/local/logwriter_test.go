package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rcgithub/shared/logtest"
)

func TestLogWriterFlushesByItselfAndOnClose(t *testing.T) {
	var out logtest.Buffer
	lw := newLogWriter(&out)
	if _, err := lw.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one\n" {
		if time.Now().After(deadline) {
			t.Fatalf("a buffered line was never written out: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := lw.Write([]byte("two\n")); err != nil {
		t.Fatal(err)
	}
	lw.Close()
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("after Close: %q", got)
	}
}

// stalledWriter is a stdout that does not move until released: a full pipe,
// a stuck log collector.
type stalledWriter struct {
	release chan struct{}
	out     logtest.Buffer
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.out.Write(p)
}

// A stdout that stalls must not hold up the requests that log: their lines
// wait in memory up to the writer's capacity, the rest are dropped and
// counted, and once stdout moves again the lines kept and the count come out.
func TestLogWriterNeverWaitsForAStalledStdout(t *testing.T) {
	stalled := &stalledWriter{release: make(chan struct{})}
	const capacity = 1 << 10
	lw := newLogWriterSize(stalled, capacity)
	line := []byte(strings.Repeat("x", 99) + "\n") // 100 bytes
	const lines = 2 * flushAt / 100                // far more than stdout takes while it stalls
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for range lines {
			if n, err := lw.Write(line); n != len(line) || err != nil {
				t.Errorf("Write = %d, %v; want %d, nil", n, err, len(line))
				return
			}
		}
	}()
	select {
	case <-wrote:
	case <-time.After(30 * time.Second): // a failure's bound, not a measure
		t.Fatal("Write waited for a stalled stdout")
	}
	if lw.Dropped() == 0 {
		t.Fatalf("%d lines of 100 bytes into %d bytes of room while stdout stalled: none dropped", lines, capacity)
	}
	close(stalled.release)
	lw.Close()
	got := stalled.out.String()
	kept := strings.Count(got, string(line))
	notice := regexp.MustCompile(`(?m)^\{"time":"[^"]+","level":"WARN","msg":"log lines dropped: stdout did not keep up","dropped":(\d+)\}$`).FindStringSubmatch(got)
	if notice == nil {
		t.Fatalf("no drop notice in the output:\n%.500s", got)
	}
	dropped, _ := strconv.Atoi(notice[1])
	if kept == 0 || kept+dropped != lines {
		t.Errorf("%d lines kept and %d reported dropped, want %d in all, some kept", kept, dropped, lines)
	}
	if rest := strings.ReplaceAll(strings.Replace(got, notice[0]+"\n", "", 1), string(line), ""); rest != "" {
		t.Errorf("output holds more than whole lines and the notice: %q", rest)
	}
}

// A clean stop writes out every line written before it, from any number of
// goroutines, each line whole and once.
func TestLogWriterLosesNothingAtACleanStop(t *testing.T) {
	var out logtest.Buffer
	lw := newLogWriter(&out)
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, _ = fmt.Fprintf(lw, "{\"writer\":%d,\"line\":%d,\"pad\":%q}\n", w, i, strings.Repeat("p", i%200))
			}
		})
	}
	wg.Wait()
	lw.Close()
	seen := map[string]bool{}
	for line := range strings.Lines(out.String()) {
		var v struct{ Writer, Line int }
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("a line is not whole: %q: %v", line, err)
		}
		key := fmt.Sprint(v.Writer, "/", v.Line)
		if seen[key] {
			t.Fatalf("line %s written twice", key)
		}
		seen[key] = true
	}
	if len(seen) != writers*each {
		t.Fatalf("%d lines out of %d written before Close", len(seen), writers*each)
	}
	if _, err := lw.Write([]byte("after\n")); err != nil || !strings.HasSuffix(out.String(), "after\n") {
		t.Fatalf("a line written after Close: %v; output ends %q", err, out.String()[max(0, len(out.String())-20):])
	}
}
