//go:build crashlong

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCrashLong is TestCrashDurability with the automatic logouts left to
// the restarted server itself, in real time: SESSION_TTL is 5 minutes (the
// least the server accepts), so it takes about 7 minutes. `make crash-long`
// runs it; it is kept out of `make test` by its build tag.
func TestCrashLong(t *testing.T) {
	start := time.Now()
	r := crashUnderLoad(t)
	// Every session ends at most 5 minutes after its login, which was after
	// start; the scheduler sleeps at most a minute between looks.
	deadline := start.Add(5*time.Minute + 2*time.Minute + 30*time.Second)
	want := map[string]bool{}
	for _, u := range r.confirmed {
		want[u.ID] = true
	}
	t.Logf("waiting until %s for the automatic logouts of %d users", deadline.Format(time.TimeOnly), len(want))
	for {
		ended := automaticLogouts(r.restarted.logs.String())
		missing := 0
		for id := range want {
			if !ended[id] {
				missing++
			}
		}
		if missing == 0 {
			t.Logf("all %d automatic logouts fired, %s after the first login", len(want), time.Since(start).Round(time.Second))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d automatic logouts did not fire by the deadline", missing, len(want))
		}
		time.Sleep(5 * time.Second)
	}
	for _, line := range strings.Split(r.restarted.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("the restarted server logged an error: %s", line)
		}
	}
	r.restarted.stop(t)
	st := readFile(t, filepath.Join(r.dataDir, "sessions.db"))
	if len(st.live) != 0 || len(st.retired) != 0 || len(st.jobs) != 0 {
		t.Errorf("after every session's end: %d live sessions, %d retired, %d jobs; want none",
			len(st.live), len(st.retired), len(st.jobs))
	}
}

// automaticLogouts returns the users whose automatic logout the server logged.
func automaticLogouts(logs string) map[string]bool {
	ended := map[string]bool{}
	for _, line := range strings.Split(logs, "\n") {
		var rec struct {
			Msg    string `json:"msg"`
			Reason string `json:"reason"`
			User   string `json:"user"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "logout" && rec.Reason == "automatic" {
			ended[rec.User] = true
		}
	}
	return ended
}
