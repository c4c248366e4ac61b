package faults

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"rcgithub/shared/session"
)

// ErrInjected is the error a Fail or FailAfter rule returns.
var ErrInjected = errors.New("injected fault")

// Effect is what a PortRule does to the call it hits.
type Effect int

const (
	// Fail returns ErrInjected without doing the call: the dependency is down.
	Fail Effect = iota
	// FailAfter does the call, then returns ErrInjected: the work was done but
	// the answer was lost (a token GitHub issued, say).
	FailAfter
	// Die does the call, then ends the request right there, as if the process
	// died: it panics with http.ErrAbortHandler, which net/http turns into a
	// dropped connection. Nothing after the call runs for that request. Use it
	// only for calls made while serving HTTP.
	Die
)

func (e Effect) String() string {
	switch e {
	case FailAfter:
		return "fail after"
	case Die:
		return "die after"
	}
	return "fail"
}

// PortRule says which port call misbehaves and how.
type PortRule struct {
	// Op is "Port.Method": "Store.PutSession", "Scheduler.Schedule",
	// "Sealer.Open", "GitHub.Exchange"; or a port alone ("Store") for all of
	// its methods.
	Op string
	// Call is which call of Op, counting from 1 since Reset; 0 is every call.
	Call   int
	Effect Effect
}

// Ports wraps the service's ports. It applies PortRules, counts calls, and
// keeps a ledger of every session generation the service tried to store and
// every job it scheduled, which the Inspector uses to find what to check.
// It is safe for concurrent use.
type Ports struct {
	store     session.Store
	scheduler session.Scheduler
	sealer    session.Sealer
	github    session.GitHub

	mu          sync.Mutex
	rules       []PortRule
	calls       map[string]int
	seq         []string
	timeline    []TimedCall
	generations map[session.Key][]int64
	jobs        []session.Job
}

// NewPorts wraps the ports of svc and puts the wrappers in their place.
func NewPorts(svc *session.Service) *Ports {
	p := &Ports{store: svc.Store, scheduler: svc.Scheduler, sealer: svc.Sealer, github: svc.GitHub,
		calls: map[string]int{}, generations: map[session.Key][]int64{}}
	svc.Store = faultyStore{p: p, Store: p.store}
	svc.Scheduler = faultyScheduler{p}
	svc.Sealer = faultySealer{p}
	svc.GitHub = faultyGitHub{p}
	return p
}

// Set replaces the rules.
func (p *Ports) Set(rules ...PortRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append([]PortRule(nil), rules...)
}

// Reset removes the rules and forgets the calls counted so far; the ledger stays.
func (p *Ports) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
	clear(p.calls)
	p.seq = nil
	p.timeline = nil
}

// Calls returns the port calls made since Reset, in order ("Store.GetSession", ...).
func (p *Ports) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seq...)
}

// TimedCall is a port call that returned, and when.
type TimedCall struct {
	Op   string
	Done time.Time
}

// Timeline returns the port calls that returned since Reset, in order, with
// the (wall-clock) time each returned.
func (p *Ports) Timeline() []TimedCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]TimedCall(nil), p.timeline...)
}

func (p *Ports) noteDone(op string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.timeline = append(p.timeline, TimedCall{Op: op, Done: time.Now()})
}

// Generations returns every generation the service tried to store for k.
func (p *Ports) Generations(k session.Key) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.generations[k])
}

// Jobs returns every job the service scheduled, once each, in order.
func (p *Ports) Jobs() []session.Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.jobs)
}

func (p *Ports) noteGeneration(k session.Key, gen int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.generations[k], gen) {
		p.generations[k] = append(p.generations[k], gen)
	}
}

func (p *Ports) noteJob(job session.Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.jobs, job) {
		p.jobs = append(p.jobs, job)
	}
}

// enter counts a call of op and returns the effect of the rule it hits, if any.
func (p *Ports) enter(op string) (Effect, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[op]++
	n := p.calls[op]
	p.seq = append(p.seq, op)
	port, _, _ := strings.Cut(op, ".")
	for _, r := range p.rules {
		if (r.Op == op || r.Op == port) && (r.Call == 0 || r.Call == n) {
			return r.Effect, true
		}
	}
	return 0, false
}

// call runs do as op, under the rule op hits. It is generic over the
// result so that every port method is one line.
func call[T any](p *Ports, op string, do func() (T, error)) (T, error) {
	effect, hit := p.enter(op)
	if hit && effect == Fail {
		var zero T
		return zero, fmt.Errorf("%s: %w", op, ErrInjected)
	}
	v, err := do()
	p.noteDone(op)
	if !hit {
		return v, err
	}
	if effect == Die {
		panic(http.ErrAbortHandler)
	}
	var zero T
	return zero, fmt.Errorf("%s answer lost: %w", op, ErrInjected)
}

// call0 is call for methods that return only an error.
func call0(p *Ports, op string, do func() error) error {
	_, err := call(p, op, func() (struct{}, error) { return struct{}{}, do() })
	return err
}
