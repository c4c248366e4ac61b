package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcgithub/shared/config"
	"rcgithub/shared/githubtest"
	"rcgithub/shared/localapp"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

// TestCrashDurability kills the real server binary with SIGKILL while it is
// under load, restarts it on the same data directory, and checks that every
// login a user saw succeed before the kill is stored exactly once with its
// automatic logout, and that every automatic logout still fires.
//
// Why the automatic logouts are fired by the test and not waited for: the
// binary reads the wall clock and accepts SESSION_TTL of 5 minutes at the
// least, so waiting would add 5 minutes to `make test`. Once the restarted
// server has stopped, the test opens its data file with the service's own
// code (localapp, as `make run` wires it) under a clock set past every
// session's end, and runs the due jobs: each must fire exactly once and end
// its session. `make crash-long` runs the same crash, then lets the restarted
// server's own scheduler do it in real time (TestCrashLong).
func TestCrashDurability(t *testing.T) {
	skipIfShort(t)
	r := crashUnderLoad(t)
	r.checkFile(t)
	r.fireAll(t)
}

// crashRun is a server crashed under load and restarted.
type crashRun struct {
	bin, dataDir, addr string
	restarted          *child
	confirmed          []rocketchattest.User // saw "Connected" before the kill
	loggedOut          rocketchattest.User   // logged out after the restart
	inFlight           int                   // logins under way when the server died
}

// crashUnderLoad logs 20 users in, then three times puts the server under
// load (8 workers logging fresh users in and asking for help) and kills it
// once 15 more logins succeeded, restarting it in between. Then it restarts
// it and checks that it serves: help, a new login, and the logout of a user
// from before the crashes, which finds their session.
func crashUnderLoad(t *testing.T) *crashRun {
	t.Helper()
	ctx := context.Background()
	r := &crashRun{bin: buildServer(t), dataDir: privateDir(t), addr: freeAddr(t)}
	c := startChild(t, r.bin, r.addr, r.dataDir, "5m")
	f := c.flow()
	for i := range 20 {
		u := rocketchattest.User{ID: fmt.Sprintf("before-%02d", i), Name: fmt.Sprintf("before%02d", i)}
		if !loginChild(ctx, f, u) {
			t.Fatalf("login of %s before the crash failed:\n%s", u.ID, c.logs.String())
		}
		r.confirmed = append(r.confirmed, u)
	}

	// Three times: load, and SIGKILL in the middle of it; then restart.
	for cycle := range 3 {
		var l load
		stop, done := make(chan struct{}), make(chan struct{})
		go func() { l.run(ctx, f, 8, fmt.Sprintf("load%d", cycle), stop); close(done) }()
		deadline := time.Now().Add(60 * time.Second)
		for len(l.users()) < 15 {
			if time.Now().After(deadline) {
				t.Fatalf("the load made %d logins in 60 s", len(l.users()))
			}
			time.Sleep(5 * time.Millisecond)
		}
		l.mu.Lock()
		started := l.attempted
		l.mu.Unlock()
		c.kill()
		close(stop)
		<-done
		r.confirmed = append(r.confirmed, l.users()...)
		r.inFlight += started - len(l.users())
		t.Logf("crash %d: SIGKILL under load: %d logins confirmed, %d under way",
			cycle+1, len(l.users()), started-len(l.users()))
		if cycle < 2 {
			c = startChild(t, r.bin, r.addr, r.dataDir, "5m")
			f = c.flow()
		}
	}

	r.restarted = startChild(t, r.bin, r.addr, r.dataDir, "5m")
	f = r.restarted.flow()
	someone := rocketchattest.User{ID: "after-00", Name: "after00"}
	if out, err := f.Say(ctx, someone, "/github help"); err != nil || !out.Has("login") {
		t.Fatalf("help after the restart: %v %s", err, out)
	}
	if !loginChild(ctx, f, someone) {
		t.Fatalf("a login after the restart failed:\n%s", r.restarted.logs.String())
	}
	r.confirmed = append(r.confirmed, someone)
	// The sandbox GitHub lived in the killed process's memory, so the tokens
	// it issued are unknown to the new one: the logout finds the session, and
	// the revocation finds the token already gone, which counts as revoked.
	r.loggedOut = r.confirmed[0]
	out, err := f.Say(ctx, r.loggedOut, "/github logout")
	if err != nil || !out.Has("You are logged out of GitHub (@"+r.loggedOut.Name+"-gh) and the token is revoked.") {
		t.Fatalf("the logout of a user from before the crash: %v %s", err, out)
	}
	r.confirmed = r.confirmed[1:]
	return r
}

// checkFile stops the restarted server and reads its data file: every
// confirmed login is there, once, with exactly one automatic logout due at
// its end; so is every stored session, whether or not its user saw the
// answer; nothing is left retired.
func (r *crashRun) checkFile(t *testing.T) {
	t.Helper()
	r.restarted.stop(t)
	st := readFile(t, filepath.Join(r.dataDir, "sessions.db"))
	for _, u := range r.confirmed {
		if _, ok := st.live[u.ID]; !ok {
			t.Errorf("%s saw the login succeed, but its session is gone", u.ID)
		}
	}
	if _, ok := st.live[r.loggedOut.ID]; ok {
		t.Errorf("%s logged out after the restart, but its session is live", r.loggedOut.ID)
	}
	if len(st.retired) != 0 {
		t.Errorf("%d retired sessions are stored; every revocation was confirmed", len(st.retired))
	}
	orphans := 0
	for _, j := range st.jobs {
		if s, ok := st.live[j.Job.UserID]; !ok || s.Generation != j.Job.Generation {
			orphans++ // scheduled by a login that died before storing its session: it will find nothing
			if !strings.HasPrefix(j.Job.UserID, "load") {
				t.Errorf("a job for %s generation %d matches no session, and no login of that user was cut short", j.Job.UserID, j.Job.Generation)
			}
		}
	}
	for id, s := range st.live {
		n := 0
		for _, j := range st.jobs {
			if j.Job.UserID == id && j.Job.Generation == s.Generation && j.Job.Attempt == 0 {
				n++
				if !j.Due.Equal(s.Ends) {
					t.Errorf("the automatic logout of %s is due at %s, its session ends at %s", id, j.Due, s.Ends)
				}
			}
		}
		if n != 1 {
			t.Errorf("the live session of %s has %d automatic logouts, want exactly 1", id, n)
		}
	}
	t.Logf("after the crash: %d live sessions (%d confirmed to their users, %d stored by logins cut short), %d jobs (%d of logins cut short before storing)",
		len(st.live), len(r.confirmed), len(st.live)-len(r.confirmed), len(st.jobs), orphans)
}

// fireAll runs the due jobs of the data file with the service's own code,
// under a clock past every session's end: every job fires exactly once,
// and afterwards nothing is left.
func (r *crashRun) fireAll(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(r.dataDir, "sessions.db")
	before := readFile(t, path)
	var latest time.Time
	for _, j := range before.jobs {
		if j.Due.After(latest) {
			latest = j.Due
		}
	}
	// A new GitHub stand-in: like the restarted sandbox, it does not know the
	// tokens, so each revocation finds the token already dead.
	gh := githubtest.New(githubtest.Options{ClientID: "sandbox-client-id", ClientSecret: "sandbox-client-secret"})
	ghURL, stopGH := gh.Start()
	defer stopGH()
	now := latest.Add(time.Minute)
	env := map[string]string{"DATA_DIR": r.dataDir, "SESSION_TTL": "5m", "ROCKETCHAT_WEBHOOK_TOKEN": childWebhookToken,
		"GITHUB_CLIENT_ID": "sandbox-client-id", "GITHUB_CLIENT_SECRET": "sandbox-client-secret",
		"GITHUB_URL": ghURL, "GITHUB_API_URL": ghURL}
	cfg, err := config.LoadLocal(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app, err := localapp.New(cfg, localapp.Options{Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	fired := map[session.Job]int{}
	var failures []string
	if _, err := app.Scheduler.RunDue(ctx, func(ctx context.Context, job session.Job) error {
		fired[job]++
		err := app.Service.Expire(ctx, job)
		if err != nil {
			failures = append(failures, err.Error())
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Errorf("an automatic logout failed: %s", f)
	}
	for _, j := range before.jobs {
		job := session.Job{Site: j.Job.Site, UserID: j.Job.UserID, Generation: j.Job.Generation, Attempt: j.Job.Attempt}
		if fired[job] != 1 {
			t.Errorf("the job of %s generation %d fired %d times, want once", job.UserID, job.Generation, fired[job])
		}
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	after := readFile(t, path)
	if len(after.live) != 0 || len(after.retired) != 0 || len(after.jobs) != 0 {
		t.Errorf("after every automatic logout fired: %d live sessions, %d retired, %d jobs; want none",
			len(after.live), len(after.retired), len(after.jobs))
	}
	t.Logf("every due automatic logout fired once: %d jobs, %d sessions ended", len(fired), len(before.live))
}
