package memstore

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"rcgithub/shared/session"
)

var _ session.Scheduler = (*Scheduler)(nil)

// Scheduler is a session.Scheduler in a map behind a mutex; nothing runs by
// itself: RunDue runs what is due. Safe for concurrent use.
type Scheduler struct {
	now func() time.Time
	mu  sync.Mutex
	run sync.Mutex // one RunDue at a time, as the real schedulers run a job once
	due map[session.Job]time.Time
	// order holds every time a job was given, earliest first, so that RunDue
	// finds what is due without walking all jobs (a simulation holds about
	// a million); an entry whose job was moved or cancelled is skipped.
	order jobHeap
}

// dueJob is an entry of Scheduler.order.
type dueJob struct {
	at  time.Time
	job session.Job
}

type jobHeap []dueJob

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h jobHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)        { *h = append(*h, x.(dueJob)) }
func (h *jobHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// set schedules job at, with s.mu held.
func (s *Scheduler) set(job session.Job, at time.Time) {
	s.due[job] = at
	heap.Push(&s.order, dueJob{at: at, job: job})
}

// NewScheduler returns an empty scheduler whose RunDue reads the time from
// now (nil: time.Now).
func NewScheduler(now func() time.Time) *Scheduler {
	if now == nil {
		now = time.Now
	}
	return &Scheduler{now: now, due: map[session.Job]time.Time{}}
}

// Schedule arranges for job to run at; scheduling it again moves it. Like
// the real schedulers (bolt refuses a write, the SDK a request), it refuses
// a context that is done.
func (s *Scheduler) Schedule(ctx context.Context, job session.Job, at time.Time) error {
	if err := job.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set(job, at)
	return nil
}

// Cancel removes job; cancelling one that is not there is not an error. A
// context that is done is refused, as by Schedule.
func (s *Scheduler) Cancel(ctx context.Context, job session.Job) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.due, job)
	return nil
}

// Due tells when job is scheduled, and whether it is.
func (s *Scheduler) Due(_ context.Context, job session.Job) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.due[job]
	return at, ok, nil
}

// Pending returns how many jobs are scheduled (never an error: it has the
// bolt scheduler's signature, so tests can use either).
func (s *Scheduler) Pending(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.due), nil
}

// RunDue runs, one at a time and earliest first, every job due at now() when
// it starts, and returns how many it ran. A job that succeeds is removed unless
// its handler moved it; one that fails stays scheduled, one minute later, as
// the bolt scheduler first retries. The error is ctx's, never a job's.
func (s *Scheduler) RunDue(ctx context.Context, handle func(context.Context, session.Job) error) (int, error) {
	s.run.Lock()
	defer s.run.Unlock()
	now := s.now()
	s.mu.Lock()
	var due []session.Job
	taken := map[session.Job]bool{}
	for len(s.order) > 0 && !s.order[0].at.After(now) {
		e := heap.Pop(&s.order).(dueJob)
		if at, ok := s.due[e.job]; ok && at.Equal(e.at) && !taken[e.job] {
			due = append(due, e.job) // earliest first, as the heap pops them
			taken[e.job] = true
		}
	}
	s.mu.Unlock()
	ran := 0
	for _, job := range due {
		if err := ctx.Err(); err != nil {
			return ran, fmt.Errorf("run due jobs: %w", err)
		}
		s.mu.Lock()
		at, ok := s.due[job] // an earlier job may have cancelled or moved this one
		s.mu.Unlock()
		if !ok || at.After(now) {
			continue
		}
		ran++
		err := handle(ctx, job)
		s.mu.Lock()
		if cur, ok := s.due[job]; ok && cur.Equal(at) {
			if err != nil {
				s.set(job, now.Add(time.Minute))
			} else {
				delete(s.due, job)
			}
		}
		s.mu.Unlock()
	}
	return ran, nil
}
