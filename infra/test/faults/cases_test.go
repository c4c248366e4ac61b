package faults_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rcgithub/infra/test/faults"
	"rcgithub/shared/githubtest"
)

// stall is longer than the GitHub client's timeout: the client gives up.
// The timeout cases give the stalled request a status too (504), so that the
// stand-in answers it without doing the work once the stall is over: GitHub
// never acted on it. (Without a status the stand-in does the work after the
// stall, client gone or not, for requests with a body: net/http notices a
// client that left only once the body is read. A token issued after the
// client gave up is the case of the lost answer, below.)
const stall = 3 * time.Second

// namedCase is one dependency failure, with what alice must see.
type namedCase struct {
	name   string
	flow   flowName
	inject func(w *world)
	want   result
	text   string // alice sees this (the page, the answer, or a direct message)
	status int    // the page's status, when it is a page (0: not checked)
	opts   runOptions
	// handedOnAWS: on AWS the automatic logout fails three times and goes to
	// the logout function's on-failure queue (an alarm), where it waits for
	// an operator; the embedded scheduler keeps retrying by itself.
	handedOnAWS bool
}

func fault(route githubtest.Route, f githubtest.Fault) func(w *world) {
	return func(w *world) { w.gh.SetFault(route, f) }
}

func outage(dep string) func(w *world) { return func(w *world) { w.outage(dep) } }

var namedCases = []namedCase{
	// GitHub
	{name: "GitHub token exchange answers 502", flow: flowLogin,
		inject: fault(githubtest.RouteToken, githubtest.Fault{Status: 502, Times: 1}),
		want:   failed, text: "GitHub did not answer our sign-in request", status: 503},
	{name: "GitHub token exchange times out", flow: flowLogin,
		inject: fault(githubtest.RouteToken, githubtest.Fault{Status: 504, Delay: stall, Times: 1}),
		want:   failed, text: "GitHub did not answer our sign-in request", status: 503,
		opts: runOptions{afterAct: clientGaveUp}},
	{name: "GitHub /user answers 502 at the callback", flow: flowLogin,
		inject: fault(githubtest.RouteUser, githubtest.Fault{Status: 502, Times: 1}),
		want:   failed, text: "GitHub did not tell us which account you signed in with", status: 503},
	{name: "GitHub /user times out at the callback", flow: flowLogin,
		inject: fault(githubtest.RouteUser, githubtest.Fault{Status: 504, Delay: stall, Times: 1}),
		want:   failed, text: "GitHub did not tell us which account you signed in with", status: 503,
		opts: runOptions{afterAct: clientGaveUp}},
	// The token is issued, /user fails, and so does its revocation: the
	// service drops a token it never stored. A known gap (see the report).
	{name: "GitHub /user and the revocation answer 502 at the callback", flow: flowLogin,
		inject: func(w *world) {
			w.gh.SetFault(githubtest.RouteUser, githubtest.Fault{Status: 502, Times: 1})
			w.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
		},
		want: failed, text: "GitHub did not tell us which account you signed in with", status: 503},
	{name: "GitHub /user answers 502 at status", flow: flowStatus,
		inject: fault(githubtest.RouteUser, githubtest.Fault{Status: 502, Times: 1}),
		want:   succeeded, text: "(GitHub could not be reached to check the token just now.)"},
	{name: "GitHub /user times out at status", flow: flowStatus,
		inject: fault(githubtest.RouteUser, githubtest.Fault{Status: 504, Delay: stall, Times: 1}),
		want:   succeeded, text: "(GitHub could not be reached to check the token just now.)",
		opts: runOptions{afterAct: clientGaveUp}},
	{name: "GitHub revocation answers 502 at logout", flow: flowLogout,
		inject: fault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502}),
		want:   succeeded, text: "GitHub did not confirm the token's revocation yet; we keep retrying",
		opts: runOptions{afterAct: oldTokenAlive}},
	{name: "GitHub revocation times out at logout", flow: flowLogout,
		inject: fault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 504, Delay: stall}),
		want:   succeeded, text: "GitHub did not confirm the token's revocation yet; we keep retrying",
		opts: runOptions{afterAct: func(t *testing.T, s *scenario) { clientGaveUp(t, s); oldTokenAlive(t, s) }}},
	{name: "GitHub revocation answers 502 at re-login", flow: flowRelogin,
		inject: fault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502}),
		want:   succeeded, text: "Connected to GitHub as @alice-gh until", status: 200,
		opts: runOptions{afterAct: oldTokenAlive}},
	{name: "GitHub revocation answers 502 at the automatic logout", flow: flowExpire,
		inject: fault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502}),
		want:   succeeded, text: "logged out automatically 7 days after login",
		opts: runOptions{afterAct: oldTokenAlive}},
	// GitHub issued the token but its answer never arrived: the service cannot
	// know the token, so it cannot revoke it. Not closable (see the report).
	{name: "GitHub token exchange answer lost after the token was issued", flow: flowLogin,
		inject: func(w *world) { w.ports.Set(faults.PortRule{Op: "GitHub.Exchange", Effect: faults.FailAfter}) },
		want:   failed, text: "GitHub did not answer our sign-in request", status: 503,
		opts: runOptions{untracked: 1}},

	// Rocket.Chat's incoming webhook
	{name: "Rocket.Chat incoming webhook down at login", flow: flowLogin,
		inject: func(w *world) { w.chat.SetDown(true) },
		want:   succeeded, text: "Connected to GitHub as @alice-gh until", status: 200,
		opts: runOptions{afterAct: noDM}},
	{name: "Rocket.Chat incoming webhook down at the automatic logout", flow: flowExpire,
		inject: func(w *world) { w.chat.SetDown(true) },
		want:   succeeded,
		opts: runOptions{afterAct: func(t *testing.T, s *scenario) {
			noDM(t, s)
			if gen, _, _ := s.w.live(t, s.w.alice); gen != 0 || s.w.gh.TokenAlive(s.aliceTok) {
				t.Error("with Rocket.Chat down, the automatic logout did not end the session and revoke the token at once")
			}
		}}},

	// The store (bbolt; DynamoDB), the scheduler (bbolt; EventBridge
	// Scheduler) and the sealer (AES-GCM key; KMS), each down for the whole act.
	{name: "store down at login", flow: flowLogin, inject: outage("store"),
		want: failed, text: "the login link could not be created because our storage is unavailable"},
	{name: "store down at status", flow: flowStatus, inject: outage("store"),
		want: failed, text: "your status could not be read"},
	{name: "store down at logout", flow: flowLogout, inject: outage("store"),
		want: failed, text: "you could not be logged out"},
	// Its retry is scheduled (a minute later), so the run succeeds and
	// nothing reaches the on-failure queue.
	{name: "store down at the automatic logout", flow: flowExpire, inject: outage("store"),
		want: succeeded},
	{name: "scheduler down at the callback", flow: flowLogin, inject: outage("scheduler"),
		want: failed, text: "We could not save your GitHub session, so nothing was kept", status: 503},
	{name: "scheduler down at re-login", flow: flowRelogin, inject: outage("scheduler"),
		want: failed, text: "We could not save your GitHub session, so nothing was kept", status: 503},
	{name: "scheduler down at logout", flow: flowLogout, inject: outage("scheduler"),
		want: succeeded, text: "and the token is revoked"},
	{name: "sealer down at the callback", flow: flowLogin, inject: outage("sealer"),
		want: failed, text: "We could not save your GitHub session, so nothing was kept", status: 503},
	{name: "sealer down at status", flow: flowStatus, inject: outage("sealer"),
		want: failed, text: "your status could not be read"},
	{name: "sealer down at logout", flow: flowLogout, inject: outage("sealer"),
		want: succeeded, text: "GitHub did not confirm the token's revocation yet; we keep retrying"},
	{name: "sealer down at the automatic logout", flow: flowExpire, inject: outage("sealer"),
		want: succeeded, text: "logged out automatically 7 days after login"},
	{name: "scheduler down and GitHub revocation 502 at the automatic logout", flow: flowExpire,
		inject: func(w *world) {
			w.outage("scheduler")
			w.gh.SetFault(githubtest.RouteRevokeToken, githubtest.Fault{Status: 502})
		},
		want: succeeded, text: "logged out automatically 7 days after login", handedOnAWS: true},
}

// oldTokenAlive checks that a revocation GitHub did not confirm left the old
// token alive and tracked (I3 then finds it in a retired session).
func oldTokenAlive(t *testing.T, s *scenario) {
	t.Helper()
	if !s.w.gh.TokenAlive(s.aliceTok) {
		t.Error("the revocation failed at GitHub, yet the old token is dead")
	}
}

// clientGaveUp checks that the GitHub client gave up on a stalled request
// (its timeout), rather than getting the stand-in's late answer.
func clientGaveUp(t *testing.T, s *scenario) {
	t.Helper()
	// net/http says "Client.Timeout exceeded"; go-github (GET /user) reports
	// the same timeout as the request's "context deadline exceeded".
	logs := s.w.logs.String()
	if !strings.Contains(logs, "Client.Timeout exceeded") && !strings.Contains(logs, "context deadline exceeded") {
		t.Error("the service did not time out on the stalled GitHub request")
	}
}

// noDM checks that Rocket.Chat being down let no message through after the
// login's (the stand-in drops what it refuses).
func noDM(t *testing.T, s *scenario) {
	t.Helper()
	want := 0
	if s.flow != flowLogin {
		want = 1 // the login message of the setup
	}
	if got := len(s.w.dms(s.w.alice)); got != want {
		t.Errorf("alice has %d direct messages, want %d", got, want)
	}
}

func TestFaultCasesEmbedded(t *testing.T) { runNamedCases(t, "embedded", newEmbeddedWorld) }

func TestFaultCasesAWS(t *testing.T) { runNamedCases(t, "AWS", awsWorlds(t)) }

func runNamedCases(t *testing.T, backend string, newWorld func(t *testing.T) *world) {
	var sum tally
	t.Cleanup(func() { t.Logf("%s named cases sweep: %s", backend, &sum) })
	for _, tc := range namedCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			s := setup(t, w, tc.flow)
			opts := tc.opts
			if tc.handedOnAWS && w.aws != nil {
				opts.afterRecovery = func(t *testing.T, s *scenario) {
					if n := len(s.w.inspector.Handed()); n == 0 {
						t.Error("on AWS the failed automatic logout should be in the on-failure queue")
					}
					if err := s.w.redrive(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
			}
			r := s.run(t, func() { tc.inject(w) }, opts)
			sum.add(r)
			if r != tc.want {
				t.Errorf("alice saw %s; want it to have %s", s.out, map[result]string{succeeded: "succeeded", failed: "failed"}[tc.want])
			}
			if tc.text != "" && !s.out.Has(tc.text) {
				t.Errorf("alice saw %s; want %q", s.out, tc.text)
			}
			if tc.status != 0 && s.out.Status != tc.status {
				t.Errorf("page status %d, want %d", s.out.Status, tc.status)
			}
		})
	}
}
