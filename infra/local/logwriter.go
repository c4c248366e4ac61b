package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// logWriter keeps a request from ever waiting for stdout. Write appends the
// line to an in-memory buffer under a lock held only for the copy; a writer
// goroutine swaps the buffer for an empty one and writes it out, without the
// lock, every flushEvery or as soon as flushAt bytes are waiting. A stdout
// that stalls (a full pipe, a stuck log collector) fills the buffer up to
// its capacity; lines beyond it are dropped and counted, and the count is
// written out as a line of its own once stdout moves again. Close writes out
// everything written before it: a clean stop loses nothing. A crash loses at
// most the last flushEvery of log lines.
type logWriter struct {
	out      io.Writer
	capacity int // bytes waiting at most; a line that would pass it is dropped

	mu      sync.Mutex
	pending []byte // lines waiting for the writer goroutine
	dropped int    // lines dropped since the last drop notice
	closed  bool   // after Close, Write writes through

	outMu sync.Mutex // one writer of out at a time: lines stay whole
	spare []byte     // the buffer the writer goroutine last wrote out, for reuse

	wake chan struct{} // flushAt bytes are waiting
	stop chan struct{}
	done chan struct{}
}

const (
	flushEvery = 100 * time.Millisecond
	// flushAt starts a write before flushEvery when this much is waiting,
	// so that a busy server writes in blocks of about this size.
	flushAt = 64 << 10
	// logCapacity bounds the memory lines wait in while stdout stalls:
	// thousands of access-log lines.
	logCapacity = 4 << 20
)

func newLogWriter(w io.Writer) *logWriter { return newLogWriterSize(w, logCapacity) }

// newLogWriterSize is newLogWriter holding at most capacity bytes.
func newLogWriterSize(w io.Writer, capacity int) *logWriter {
	lw := &logWriter{out: w, capacity: capacity, pending: make([]byte, 0, min(capacity, flushAt*2)),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go lw.flushLoop()
	return lw
}

// Write keeps each record whole (slog hands over one line per call) and
// never waits for out: a line that does not fit is dropped and counted.
func (lw *logWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	if lw.closed {
		lw.mu.Unlock()
		lw.outMu.Lock()
		defer lw.outMu.Unlock()
		return lw.out.Write(p)
	}
	if len(lw.pending)+len(p) > lw.capacity {
		lw.dropped++
		lw.mu.Unlock()
		return len(p), nil
	}
	lw.pending = append(lw.pending, p...)
	full := len(lw.pending) >= flushAt
	lw.mu.Unlock()
	if full {
		select {
		case lw.wake <- struct{}{}:
		default: // a wake-up is already on its way
		}
	}
	return len(p), nil
}

// Dropped returns how many lines were dropped since the last drop notice.
func (lw *logWriter) Dropped() int {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.dropped
}

// flush writes out what is waiting, then a notice of the lines dropped
// meanwhile. Only the writer goroutine calls it, and Close once it stopped.
func (lw *logWriter) flush(closing bool) {
	lw.outMu.Lock()
	defer lw.outMu.Unlock()
	lw.mu.Lock()
	batch := lw.pending
	lw.pending = lw.spare[:0]
	dropped := lw.dropped
	lw.dropped = 0
	lw.closed = lw.closed || closing
	lw.mu.Unlock()

	if len(batch) > 0 {
		_, _ = lw.out.Write(batch)
	}
	if dropped > 0 {
		// The shape of slog's JSON lines, so that log tools read it alike.
		_, _ = fmt.Fprintf(lw.out, "{\"time\":%q,\"level\":\"WARN\",\"msg\":\"log lines dropped: stdout did not keep up\",\"dropped\":%d}\n",
			time.Now().Format(time.RFC3339Nano), dropped)
	}
	lw.spare = batch[:0]
}

func (lw *logWriter) flushLoop() {
	defer close(lw.done)
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			lw.flush(false)
		case <-lw.wake:
			lw.flush(false)
		case <-lw.stop:
			return
		}
	}
}

// Close writes out everything written before it (waiting for out as long as
// it takes) and stops the writer goroutine; later lines are written through.
func (lw *logWriter) Close() {
	close(lw.stop)
	<-lw.done
	// Lines written from here on go through, after what is waiting.
	lw.flush(true)
}
