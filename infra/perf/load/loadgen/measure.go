package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rcgithub/shared/rocketchat"
)

// scenario is one kind of request, with the goal the issue sets for it.
type scenario struct {
	name string  // as shown in the report
	text string  // what the user types
	want string  // what the service's answer must contain
	goal float64 // throughput ratio to the bare server to reach at least
	// newUser gives every request a user of its own, so that each one makes
	// a link (a durable write) rather than hit the per-user link quota.
	newUser bool
}

var scenarios = []scenario{
	{name: "/github help", text: "/github help", want: "GitHub commands:", goal: 0.8},
	{name: "/github login", text: "/github login", want: "/oauth/start?link=", goal: 0.1, newUser: true},
}

// result is one measurement.
type result struct {
	requests  int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration // sorted
}

func (r result) perSecond() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) p99() time.Duration { return percentile(r.latencies, 0.99) }

// ids makes every message id (and, for newUser, every user) unique across
// measurements.
var ids atomic.Int64

// measure loads baseURL with sc from cfg.conns closed loops: a warm-up, then
// cfg.duration measured. checkAnswer checks that each answer is the
// service's (the bare server answers anything).
func measure(ctx context.Context, baseURL string, sc scenario, checkAnswer bool, cfg config) (result, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.conns, MaxConnsPerHost: cfg.conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	if _, err := loadFor(ctx, client, baseURL, sc, checkAnswer, cfg.conns, cfg.warmup); err != nil {
		return result{}, fmt.Errorf("warm-up: %w", err)
	}
	return loadFor(ctx, client, baseURL, sc, checkAnswer, cfg.conns, cfg.duration)
}

// loadFor runs conns closed loops for d and records every request.
func loadFor(ctx context.Context, client *http.Client, baseURL string, sc scenario, checkAnswer bool, conns int, d time.Duration) (result, error) {
	var (
		mu  sync.Mutex
		res result
		wg  sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for time.Now().Before(end) {
				body, err := message(sc)
				if err != nil {
					errs++
					continue
				}
				t0 := time.Now()
				ok := send(ctx, client, baseURL, body, sc, checkAnswer)
				lat = append(lat, time.Since(t0))
				if !ok {
					errs++
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests = len(res.latencies)
	sort.Slice(res.latencies, func(i, j int) bool { return res.latencies[i] < res.latencies[j] })
	if res.requests == 0 {
		return res, fmt.Errorf("no request completed in %s", d)
	}
	return res, nil
}

// message is the outgoing-webhook body Rocket.Chat sends for sc.
func message(sc scenario) ([]byte, error) {
	n := ids.Add(1)
	user := "load-user"
	if sc.newUser {
		user = fmt.Sprintf("load-user-%d", n)
	}
	return json.Marshal(rocketchat.Message{
		Token: webhookToken, TriggerWord: "/github", ChannelID: "GENERAL", ChannelName: "general",
		MessageID: fmt.Sprintf("load-msg-%d", n), Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		UserID: user, UserName: user, Text: sc.text, SiteURL: "https://chat.example.com/",
	})
}

// send posts one message and reports whether the answer is right.
func send(ctx context.Context, client *http.Client, baseURL string, body []byte, sc scenario, checkAnswer bool) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/rocketchat/webhook", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return false
	}
	return !checkAnswer || strings.Contains(string(answer), sc.want)
}
