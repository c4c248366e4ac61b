package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"rcgithub/infra/test/e2e/lambdarun"
)

// measurement is what the benchmark found for one subject.
type measurement struct {
	subject
	Inits  []float64 // init phase of each cold start (INIT REPORT), ms
	Firsts []float64 // latency of the first request of each cold start, ms
	Warm   []float64 // latency of warm requests, ms
	Sizes  sizes

	bootstrap string // host build, run under the emulator
}

// warmUp invocations follow the cold one and are not measured: the first
// few warm ones still open connections.
const warmUp = 5

// measureAll runs cold starts round-robin over the subjects (run 1 of every
// subject, then run 2, ...), so that a change in the machine's load spreads
// over all of them. The last cold start of each subject goes on with the
// warm invocations.
func measureAll(ctx context.Context, rie string, ms []*measurement, env func(subject) []string, cold, warm int, progress io.Writer) error {
	for run := range cold {
		fmt.Fprintf(progress, "cold start %d/%d:", run+1, cold)
		for _, m := range ms {
			if err := m.coldStart(ctx, rie, env(m.subject), run == cold-1, warm); err != nil {
				fmt.Fprintln(progress)
				return fmt.Errorf("%s, cold start %d: %w", m.Name, run+1, err)
			}
			fmt.Fprintf(progress, " %s %.1f ms", m.Name, m.Firsts[len(m.Firsts)-1])
		}
		fmt.Fprintln(progress)
	}
	return nil
}

func (m *measurement) coldStart(ctx context.Context, rie string, env []string, thenWarm bool, warm int) error {
	e, err := lambdarun.Start(ctx, lambdarun.Options{RIE: rie, Bootstrap: m.bootstrap, Env: env})
	if err != nil {
		return err
	}
	defer e.Stop()
	first, err := m.invoke(ctx, e)
	if err != nil {
		return fmt.Errorf("%w; output:\n%s", err, e.Logs())
	}
	waitCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	init, err := e.InitDuration(waitCtx)
	if err != nil {
		return err
	}
	m.Firsts = append(m.Firsts, first)
	m.Inits = append(m.Inits, init)
	if !thenWarm {
		return nil
	}
	for i := range warmUp + warm {
		d, err := m.invoke(ctx, e)
		if err != nil {
			return fmt.Errorf("warm invocation %d: %w", i+1, err)
		}
		if i >= warmUp {
			m.Warm = append(m.Warm, d)
		}
	}
	return nil
}

// invoke sends the subject's request and returns the latency in ms, as the
// caller of the function sees it.
func (m *measurement) invoke(ctx context.Context, e *lambdarun.Emulator) (float64, error) {
	start := time.Now()
	result, err := e.Invoke(ctx, m.Request)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if err := m.Check(result); err != nil {
		return 0, err
	}
	return float64(elapsed.Microseconds()) / 1000, nil
}

// penalties returns each cold start's cold penalty: its first request's
// latency minus the median warm latency of the same request.
func (m *measurement) penalties() []float64 {
	warm := summarize(m.Warm).Median
	out := make([]float64, len(m.Firsts))
	for i, f := range m.Firsts {
		out[i] = f - warm
	}
	return out
}
