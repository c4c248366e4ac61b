// Package logtest holds what tests need to read the logs a service writes.
// Only tests import it; shipped code never does.
package logtest

import (
	"bytes"
	"sync"
)

// Buffer collects log output written from any goroutine (a server's
// handlers, a scheduler's runner, a child process's pipes) and lets the test
// read it at any time. The zero value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it is safe to call from several goroutines at once.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
