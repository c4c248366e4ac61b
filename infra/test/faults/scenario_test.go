package faults_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/session"
)

// flowName is what alice does while a fault is on.
type flowName string

const (
	flowLogin   flowName = "login"            // alice, not logged in, logs in
	flowRelogin flowName = "re-login"         // alice, logged in, logs in again
	flowStatus  flowName = "status"           // alice asks for her status
	flowLogout  flowName = "logout"           // alice logs out
	flowExpire  flowName = "automatic logout" // alice's session reaches its end
)

var allFlows = []flowName{flowLogin, flowRelogin, flowStatus, flowLogout, flowExpire}

// scenario is one run: the state before, the act under a fault, what alice
// saw, and the state after.
type scenario struct {
	w    *world
	flow flowName
	// before the act
	aliceGen, bobGen int64
	aliceTok, bobTok string
	aliceEnds        time.Time
	// what alice saw
	out faults.Outcome
}

// setup brings the world to the state the flow starts from: alice logged in
// (except for a first login), then a day later bob, who must come through
// every case untouched. Bob's session ends a day after alice's, so letting
// alice's end come does not end his.
func setup(t *testing.T, w *world, flow flowName) *scenario {
	t.Helper()
	s := &scenario{w: w, flow: flow}
	if flow != flowLogin {
		w.login(t, w.alice)
		var sess session.Session
		s.aliceGen, s.aliceTok, sess = w.live(t, w.alice)
		s.aliceEnds = sess.Ends
	}
	w.clock.Advance(24 * time.Hour)
	w.login(t, w.bob)
	s.bobGen, s.bobTok, _ = w.live(t, w.bob)
	w.clearFaults() // counts calls from here on
	return s
}

// act runs alice's flow; the faults must be set before.
func (s *scenario) act(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	w := s.w
	var err error
	switch s.flow {
	case flowLogin, flowRelogin:
		s.out, err = w.flow.Login(ctx, w.alice, ghLogin(w.alice))
	case flowStatus:
		s.out, err = w.flow.Say(ctx, w.alice, "/github status")
	case flowLogout:
		s.out, err = w.flow.Say(ctx, w.alice, "/github logout")
	case flowExpire:
		// At alice's end; EventBridge's at() has whole seconds.
		w.clock.Set(s.aliceEnds.Truncate(time.Second).Add(time.Second))
		err = w.runDue(ctx)
		s.out = faults.Outcome{Step: "direct message", Status: 200, Text: strings.Join(w.dms(w.alice), "\n")}
	}
	if err != nil {
		t.Fatalf("%s: %v", s.flow, err)
	}
}

// result is how a flow ended, as alice was told.
type result int

const (
	succeeded result = iota
	failed           // with a message telling alice what to do
	aborted          // the connection broke (the process died)
)

// classify reads what alice saw. A failure must tell her what to do next.
func (s *scenario) classify(t *testing.T) result {
	t.Helper()
	o, gh := s.out, "@"+ghLogin(s.w.alice)
	if o.Aborted {
		return aborted
	}
	success := map[flowName]bool{
		flowLogin:   o.Step == faults.StepCallback && o.Status == 200 && o.Has("Connected to GitHub as "+gh+" until"),
		flowRelogin: o.Step == faults.StepCallback && o.Status == 200 && o.Has("Connected to GitHub as "+gh+" until"),
		flowStatus:  o.Has("You are logged in to GitHub as " + gh),
		flowLogout:  o.Has("You are logged out of GitHub (" + gh + ")"),
		flowExpire:  true, // no answer: the state says how it went
	}[s.flow]
	if success {
		return succeeded
	}
	lower := strings.ToLower(o.Text)
	if !strings.Contains(lower, "try again") && !strings.Contains(lower, "/github login") {
		t.Errorf("alice saw a failure that does not tell her what to do: %s", o)
	}
	if o.Step != faults.StepWebhook && o.Status < 400 {
		t.Errorf("a failed page answered %d: %s", o.Status, o)
	}
	return failed
}

// wantAfter is alice's live generation that what she was told implies.
// For a successful login it is the new one, which must differ from the old.
func (s *scenario) wantAfter(t *testing.T, r result) int64 {
	t.Helper()
	now, _, _ := s.w.live(t, s.w.alice)
	switch {
	case s.flow == flowLogin || s.flow == flowRelogin:
		if r == succeeded {
			if now == 0 || now == s.aliceGen {
				t.Errorf("alice was told she is connected, but her live generation is %d (before: %d)", now, s.aliceGen)
			}
			return now
		}
		if r == aborted && now != s.aliceGen {
			return now // the process died after storing the new session: that is allowed
		}
		return s.aliceGen
	case s.flow == flowLogout && r == succeeded:
		return 0
	case s.flow == flowExpire:
		return now // checked after recovery: it must be 0 then
	}
	return s.aliceGen
}

// checkEventually checks, after the faults ended and retries ran, that what
// alice was told came true: a session she ended or replaced is gone and its
// token dead; a session she still has works.
func (s *scenario) checkEventually(t *testing.T, r result, wantAlice int64) {
	t.Helper()
	w := s.w
	gen, tok, _ := w.live(t, w.alice)
	ended := (s.flow == flowLogout && r == succeeded) || s.flow == flowExpire
	replaced := (s.flow == flowLogin || s.flow == flowRelogin) && gen != s.aliceGen
	switch {
	case ended && gen != 0:
		t.Errorf("after recovery: alice's session (generation %d) is still live after the %s", gen, s.flow)
	case !ended && gen != wantAlice:
		t.Errorf("after recovery: alice's live generation is %d, want %d", gen, wantAlice)
	}
	// A process that died after replacing the session leaves the old token to
	// the old session's automatic logout, days later: the die sweep checks that.
	if (ended || replaced) && r != aborted && s.aliceTok != "" && w.gh.TokenAlive(s.aliceTok) {
		t.Errorf("after recovery: alice's old token is still alive at GitHub after the %s", s.flow)
	}
	if gen != 0 && !w.gh.TokenAlive(tok) {
		t.Errorf("after recovery: alice's live session holds a dead token")
	}
	if s.flow == flowExpire {
		if n := len(w.dms(w.alice)) - 1; n > 1 { // the first DM is the login's
			t.Errorf("alice got %d automatic-logout messages", n)
		}
	}
	if b, btok, _ := w.live(t, w.bob); b != s.bobGen || btok != s.bobTok {
		t.Errorf("after recovery: bob's session changed (generation %d, was %d)", b, s.bobGen)
	}
}

// runOptions adjust run for a case.
type runOptions struct {
	// untracked is how many tokens the case is known to leave alive at
	// GitHub untracked: the named cases where that cannot be closed.
	untracked int
	// afterAct runs right after the act, before the invariants are checked.
	afterAct func(t *testing.T, s *scenario)
	// afterRecovery runs once the faults ended and retries ran, before the
	// final checks (an operator redriving a queue, say).
	afterRecovery func(t *testing.T, s *scenario)
}

// run is the whole case around a fault set by inject: act, judge, check the
// invariants, recover, check again.
func (s *scenario) run(t *testing.T, inject func(), opts runOptions) result {
	t.Helper()
	inject()
	s.act(t)
	r := s.classify(t)
	if opts.afterAct != nil {
		opts.afterAct(t, s)
	}
	want := map[session.Key]int64{s.w.key(s.w.bob): s.bobGen}
	if s.flow != flowExpire {
		want[s.w.key(s.w.alice)] = s.wantAfter(t, r)
	}
	s.w.check(t, "after the fault", want, opts.untracked)
	s.w.recoverAll(t)
	if opts.afterRecovery != nil {
		opts.afterRecovery(t, s)
	}
	wantAlice := s.wantAfter(t, r)
	if s.flow == flowExpire {
		wantAlice = 0
	}
	want[s.w.key(s.w.alice)] = wantAlice
	s.w.check(t, "after recovery", want, opts.untracked)
	s.checkEventually(t, r, wantAlice)
	return r
}
