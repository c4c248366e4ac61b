package localapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// HealthPath is where the one-machine server answers health checks (a
// reverse proxy's, systemd's, a monitor's). The Lambdas have none: API
// Gateway and Lambda watch them.
const HealthPath = "/healthz"

// SchedulerStallBound is how long the scheduler loop may go without a tick
// before the server reports itself unhealthy. An idle loop ticks at least
// every minute, and before each job; one job takes at most tens of seconds
// (GitHub's 8 s timeout, Rocket.Chat's rate-limit wait of at most 15 s).
const SchedulerStallBound = 3 * time.Minute

// storeProbeTimeout bounds the store's answer: a read transaction waits for
// nothing in bbolt but a remap of the file, which is short.
const storeProbeTimeout = 2 * time.Second

// health answers HealthPath: 200 when the store answers a read transaction
// and the scheduler loop ticked within SchedulerStallBound, else 503 with a
// short reason. It says nothing about sessions or configuration.
type health struct {
	store    func(ctx context.Context) error // one read transaction
	lastTick func() time.Time
	now      func() time.Time
	logger   *slog.Logger

	probing atomic.Bool // a store probe is still waiting for its answer
	failing atomic.Bool // the last check failed: log changes only, not every poll
}

// healthAnswer is the JSON body of every answer.
type healthAnswer struct {
	Status string `json:"status"`           // "ok" or "unavailable"
	Reason string `json:"reason,omitempty"` // why not ok
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	reason, cause := h.check(r.Context())
	answer, code := healthAnswer{Status: "ok"}, http.StatusOK
	if reason != "" {
		answer, code = healthAnswer{Status: "unavailable", Reason: reason}, http.StatusServiceUnavailable
	}
	// Not in the access log (this handler is mounted beside it): a proxy that
	// polls every few seconds would drown the requests that matter. A change
	// of state is logged instead, once.
	if was := h.failing.Swap(reason != ""); was != (reason != "") {
		if reason != "" {
			h.logger.Warn("health check failing", "reason", reason, "error", cause)
		} else {
			h.logger.Info("health check passing again")
		}
	}
	body, _ := json.Marshal(answer)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}

// check returns why the server is unhealthy, "" when it is not, and the
// store's error for the log (never for the answer).
func (h *health) check(ctx context.Context) (reason string, cause error) {
	if reason, cause := h.probeStore(ctx); reason != "" {
		return reason, cause
	}
	last := h.lastTick()
	if last.IsZero() {
		return "the scheduler is not running", nil
	}
	if age := h.now().Sub(last); age > SchedulerStallBound {
		return fmt.Sprintf("the scheduler has not ticked for %s (bound %s)", age.Round(time.Second), SchedulerStallBound), nil
	}
	return "", nil
}

// probeStore runs one read transaction, waiting at most storeProbeTimeout. A
// probe that hangs is not repeated by every poll: while it waits, the store
// is reported as not answering.
func (h *health) probeStore(ctx context.Context) (string, error) {
	if !h.probing.CompareAndSwap(false, true) {
		return "the store did not answer an earlier probe yet", nil
	}
	done := make(chan error, 1)
	go func() {
		defer h.probing.Store(false)
		done <- h.store(context.WithoutCancel(ctx))
	}()
	timer := time.NewTimer(storeProbeTimeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return "the store does not answer", err
		}
		return "", nil
	case <-timer.C:
		return fmt.Sprintf("the store did not answer within %s", storeProbeTimeout), nil
	case <-ctx.Done():
		return "the health check was cancelled", ctx.Err()
	}
}
