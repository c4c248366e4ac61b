package main

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}
func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.Buffer.String() }

func TestLogWriterFlushesByItselfAndOnClose(t *testing.T) {
	var out lockedBuffer
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
