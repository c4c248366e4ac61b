package main

import (
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
